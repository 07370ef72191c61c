"""Compiled primitives shared by the territory local searches (numba, no Python objects).

A plan is held in flat arrays: ``assign[n]`` territory of each unit, ``members[p, n]`` with ``size[p]``
the units of each territory and ``pos[n]`` the index of a unit in its row, ``totals[p, m]`` activity per
territory. Balance is measured as the total excess over the tolerance band, in shares of the target:

    B = Σ_k Σ_e max(0, |T_ke − μ_e| − t_e μ_e) / μ_e        (B = 0 ⇔ every territory is balanced)

Articulation points (Tarjan 1972) of each territory's induced subgraph tell which units can leave
without disconnecting it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# A unit or territory index handed to a compiled kernel: a Python int from Python code, or a numpy integer
# read from an array inside compiled code (numba treats both as machine integers; the hint is for mypy).
Index = int | np.integer


@njit(cache=True)
def csr_graph(n: int, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected adjacency as (ptr, idx): the neighbours of u are idx[ptr[u]:ptr[u + 1]]."""
    deg = np.zeros(n + 1, dtype=np.int64)
    for e in range(edges.shape[0]):
        deg[edges[e, 0] + 1] += 1
        deg[edges[e, 1] + 1] += 1
    ptr = np.cumsum(deg)
    fill = ptr[:-1].copy()
    idx = np.empty(ptr[n], dtype=np.int64)
    for e in range(edges.shape[0]):
        u, v = edges[e, 0], edges[e, 1]
        idx[fill[u]] = v
        fill[u] += 1
        idx[fill[v]] = u
        fill[v] += 1
    return ptr, idx


@njit(cache=True)
def _sift(order: np.ndarray, keys: np.ndarray, root: int, end: int) -> None:
    """Sift order[root] down a max-heap on (key, index) over order[:end]."""
    while 2 * root + 1 < end:
        child = 2 * root + 1
        if child + 1 < end:
            a, b = order[child], order[child + 1]
            if keys[a] < keys[b] or (keys[a] == keys[b] and a < b):
                child += 1
        a, b = order[root], order[child]
        if keys[a] < keys[b] or (keys[a] == keys[b] and a < b):
            order[root], order[child] = b, a
            root = child
        else:
            return


@njit(cache=True)
def argsort_heap(keys: np.ndarray) -> np.ndarray:
    """Indices that sort ``keys`` ascending, ties by index (heapsort on (key, index); small to compile)."""
    n = keys.shape[0]
    order = np.arange(n)
    for start in range(n // 2 - 1, -1, -1):
        _sift(order, keys, start, n)
    for end in range(n - 1, 0, -1):
        order[0], order[end] = order[end], order[0]
        _sift(order, keys, 0, end)
    return order


@njit(cache=True)
def build_members(assign: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """members[p, n], size[p], pos[n] for a complete assignment."""
    n = assign.shape[0]
    members = np.empty((p, n), dtype=np.int64)
    size = np.zeros(p, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for u in range(n):
        k = assign[u]
        members[k, size[k]] = u
        pos[u] = size[k]
        size[k] += 1
    return members, size, pos


@njit(cache=True)
def build_totals(assign: np.ndarray, act: np.ndarray, p: int) -> np.ndarray:
    totals = np.zeros((p, act.shape[1]))
    for u in range(assign.shape[0]):
        for e in range(act.shape[1]):
            totals[assign[u], e] += act[u, e]
    return totals


@njit(cache=True)
def move_unit(
    u: Index,
    dst: Index,
    assign: np.ndarray,
    members: np.ndarray,
    size: np.ndarray,
    pos: np.ndarray,
    totals: np.ndarray,
    act: np.ndarray,
) -> None:
    """Move unit u to territory dst, keeping members, sizes and totals in step."""
    src = assign[u]
    last = members[src, size[src] - 1]
    members[src, pos[u]] = last
    pos[last] = pos[u]
    size[src] -= 1
    members[dst, size[dst]] = u
    pos[u] = size[dst]
    size[dst] += 1
    assign[u] = dst
    for e in range(act.shape[1]):
        totals[src, e] -= act[u, e]
        totals[dst, e] += act[u, e]


@njit(cache=True)
def excess(total: float, mu: float, tolmu: float, invmu: float) -> float:
    """Balance excess of one territory in one measure, as a share of the target."""
    over = abs(total - mu) - tolmu
    return over * invmu if over > 0.0 else 0.0


@njit(cache=True)
def balance_of(totals: np.ndarray, mu: np.ndarray, tolmu: np.ndarray, invmu: np.ndarray) -> float:
    b = 0.0
    for k in range(totals.shape[0]):
        for e in range(totals.shape[1]):
            b += excess(totals[k, e], mu[e], tolmu[e], invmu[e])
    return b


@njit(cache=True)
def balance_delta(
    totals: np.ndarray,
    src: int,
    dst: int,
    a: np.ndarray,
    mu: np.ndarray,
    tolmu: np.ndarray,
    invmu: np.ndarray,
) -> float:
    """Change of B when a unit with activities ``a`` moves from src to dst."""
    d = 0.0
    for e in range(a.shape[0]):
        if a[e] == 0.0:
            continue
        d += excess(totals[src, e] - a[e], mu[e], tolmu[e], invmu[e]) - excess(
            totals[src, e], mu[e], tolmu[e], invmu[e]
        )
        d += excess(totals[dst, e] + a[e], mu[e], tolmu[e], invmu[e]) - excess(
            totals[dst, e], mu[e], tolmu[e], invmu[e]
        )
    return d


@njit(cache=True)
def spread_delta(
    totals: np.ndarray, src: int, dst: int, a: np.ndarray, tolmu: np.ndarray, invmu: np.ndarray
) -> float:
    """Change of Q = Σ_k Σ_e ((T_ke − μ_e)/μ_e)² over balanced measures when ``a`` moves src → dst.

    Q pulls territories towards the middle of their band; it breaks ties between moves that leave B equal.
    """
    d = 0.0
    for e in range(a.shape[0]):
        if np.isfinite(tolmu[e]):
            d += 2.0 * a[e] * (a[e] + totals[dst, e] - totals[src, e]) * invmu[e] * invmu[e]
    return d


@njit(cache=True)
def articulation(
    k: int,
    assign: np.ndarray,
    members: np.ndarray,
    size: np.ndarray,
    ptr: np.ndarray,
    idx: np.ndarray,
    is_art: np.ndarray,
    disc: np.ndarray,
    low: np.ndarray,
    parent: np.ndarray,
    it: np.ndarray,
    stack: np.ndarray,
) -> int:
    """Mark the articulation points of territory k in ``is_art``; return how many units the DFS reached.

    A unit that is not an articulation point can leave k and k stays connected (if it was). The return
    value equals size[k] exactly when k is connected. Work arrays are length-n scratch.
    """
    for i in range(size[k]):
        u = members[k, i]
        disc[u] = -1
        is_art[u] = False
    if size[k] == 0:
        return 0
    root = members[k, 0]
    time = 0
    disc[root] = 0
    low[root] = 0
    parent[root] = -1
    it[root] = ptr[root]
    time = 1
    sp = 1
    stack[0] = root
    root_children = 0
    while sp > 0:
        u = stack[sp - 1]
        if it[u] < ptr[u + 1]:
            v = idx[it[u]]
            it[u] += 1
            if assign[v] != k:
                continue
            if disc[v] == -1:
                parent[v] = u
                disc[v] = time
                low[v] = time
                time += 1
                it[v] = ptr[v]
                stack[sp] = v
                sp += 1
                if u == root:
                    root_children += 1
            elif v != parent[u] and disc[v] < low[u]:
                low[u] = disc[v]
        else:
            sp -= 1
            pu = parent[u]
            if pu != -1:
                if low[u] < low[pu]:
                    low[pu] = low[u]
                if pu != root and low[u] >= disc[pu]:
                    is_art[pu] = True
    is_art[root] = root_children > 1
    return time


@njit(cache=True)
def adjacent_territories(
    u: int, assign: np.ndarray, ptr: np.ndarray, idx: np.ndarray, out: np.ndarray
) -> int:
    """Distinct territories (other than u's) among u's neighbours, written to ``out``; returns the count."""
    cnt = 0
    own = assign[u]
    for j in range(ptr[u], ptr[u + 1]):
        k = assign[idx[j]]
        if k == own or k < 0:
            continue
        seen = False
        for t in range(cnt):
            if out[t] == k:
                seen = True
                break
        if not seen:
            out[cnt] = k
            cnt += 1
    return cnt


@njit(cache=True, nogil=True)
def connect_locked(assign: np.ndarray, locks: np.ndarray, p: int, ptr: np.ndarray, idx: np.ndarray) -> None:
    """Join the units locked to one territory: while some lie outside the part that holds the first of
    them, the shortest path (in hops, through units not locked elsewhere) from that part to one of them
    joins the territory. Leaves the plan as it is where no such path exists."""
    n = assign.shape[0]
    mark = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    parent = np.empty(n, dtype=np.int64)
    for k in range(p):
        first = -1
        for u in range(n):
            if locks[u] == k:
                first = u
                break
        if first < 0:
            continue
        for _ in range(n):
            mark[:] = -1
            tail = flood(first, k, 0, assign, ptr, idx, mark, queue, 0)
            missing = False
            for u in range(n):
                if locks[u] == k and mark[u] != 0:
                    missing = True
                    break
            if not missing:
                break
            for i in range(tail):
                parent[queue[i]] = -1
            head = 0
            target = -1
            while head < tail and target < 0:
                v = queue[head]
                head += 1
                for j in range(ptr[v], ptr[v + 1]):
                    w = idx[j]
                    if mark[w] != -1 or (locks[w] >= 0 and locks[w] != k):
                        continue
                    mark[w] = 1
                    parent[w] = v
                    queue[tail] = w
                    tail += 1
                    if locks[w] == k:
                        target = w
                        break
            if target < 0:
                break
            while target >= 0 and mark[target] == 1:  # back along the path to the part
                assign[target] = k
                target = parent[target]


@njit(cache=True, nogil=True)
def components_repair(
    assign: np.ndarray,
    p: int,
    ptr: np.ndarray,
    idx: np.ndarray,
    act: np.ndarray,
    locked: np.ndarray,
    cost: np.ndarray,
) -> None:
    """Make every territory connected: keep each territory's heaviest component, hand the rest over.

    The heaviest component is the one with the most locked units, then the most activity. Units of the
    other components are freed and regrown breadth-first into the adjacent territory where they cost
    least (``cost[u, k]``). Locked units are never freed.
    """
    n = assign.shape[0]
    comp = -np.ones(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    ncomp = 0
    comp_terr = np.empty(n, dtype=np.int64)
    comp_w = np.zeros(n)
    comp_lock = np.zeros(n, dtype=np.int64)
    for s in range(n):
        if comp[s] != -1:
            continue
        k = assign[s]
        comp[s] = ncomp
        head, tail = 0, 1
        queue[0] = s
        while head < tail:
            u = queue[head]
            head += 1
            comp_w[ncomp] += act[u].sum()
            if locked[u]:
                comp_lock[ncomp] += 1
            for j in range(ptr[u], ptr[u + 1]):
                v = idx[j]
                if comp[v] == -1 and assign[v] == k:
                    comp[v] = ncomp
                    queue[tail] = v
                    tail += 1
        comp_terr[ncomp] = k
        ncomp += 1
    best = -np.ones(p, dtype=np.int64)
    for c in range(ncomp):
        k = comp_terr[c]
        b = best[k]
        if b == -1 or comp_lock[c] > comp_lock[b] or (comp_lock[c] == comp_lock[b] and comp_w[c] > comp_w[b]):
            best[k] = c
    free = 0
    for u in range(n):
        if comp[u] != best[assign[u]] and not locked[u]:
            assign[u] = -1
            free += 1
    # regrow the freed units from their assigned neighbours, cheapest first among those reachable
    while free > 0:
        changed = False
        for u in range(n):
            if assign[u] != -1:
                continue
            bk = np.int64(-1)
            bc = np.inf
            for j in range(ptr[u], ptr[u + 1]):
                k = assign[idx[j]]
                if k >= 0 and cost[u, k] < bc:
                    bc = cost[u, k]
                    bk = k
            if bk >= 0:
                assign[u] = bk
                free -= 1
                changed = True
        if not changed:  # isolated leftovers (graph not connected): cheapest territory overall
            for u in range(n):
                if assign[u] == -1:
                    assign[u] = np.argmin(cost[u])
                    free -= 1


@njit(cache=True)
def moved_delta(u: Index, dst: Index, assign: np.ndarray, prev: np.ndarray, mvw: np.ndarray) -> float:
    """Change of the moved amount when unit u goes to dst."""
    r = prev[u]
    if r < 0:
        return 0.0
    was = 1.0 if assign[u] != r else 0.0
    will = 1.0 if dst != r else 0.0
    return (will - was) * mvw[u]


@njit(cache=True)
def within_cap(moved: float, delta: float, budget: float) -> bool:
    """A move is allowed when it keeps the moved amount within the cap, or at least lowers it."""
    return delta <= 0.0 or moved + delta <= budget + 1e-9


@njit(cache=True)
def cap_excess(moved: float, budget: float) -> float:
    return moved - budget if moved > budget + 1e-9 else 0.0


@njit(cache=True)
def refresh_art(k, assign, members, size, ptr, idx, is_art, work, contiguous):
    if contiguous:
        articulation(k, assign, members, size, ptr, idx, is_art, work[0], work[1], work[2], work[3], work[4])


@njit(cache=True)
def plan_hash(assign: np.ndarray) -> np.uint64:
    h = np.uint64(1469598103934665603)
    for u in range(assign.shape[0]):
        h = (h ^ np.uint64(assign[u] + 1)) * np.uint64(1099511628211)
    return h


@njit(cache=True)
def moved_amount(assign: np.ndarray, prev: np.ndarray, mvw: np.ndarray) -> float:
    total = 0.0
    for u in range(assign.shape[0]):
        if prev[u] >= 0 and assign[u] != prev[u]:
            total += mvw[u]
    return total


@njit(cache=True)
def borders(u: int, q: int, skip: int, assign: np.ndarray, ptr: np.ndarray, idx: np.ndarray) -> bool:
    """True when u has a neighbour in territory q other than ``skip``."""
    for j in range(ptr[u], ptr[u + 1]):
        w = idx[j]
        if w != skip and assign[w] == q:
            return True
    return False


@njit(cache=True)
def boundary_records(
    assign, size, locked, tabu, clock, is_art, contiguous, ptr, idx, p, rec_u, rec_k, rec_q, adj, extra
):
    """Records (u, from k, to q) of the moves of units free to move, sorted by (k, q); returns the count.

    Targets are the territories of u's neighbours, plus (when contiguity is not required) the territories
    in ``extra[u]`` (−1 = none; an empty array for none at all). Record arrays need n·(deg + extra) room.
    """
    n = assign.shape[0]
    cnt = 0
    for u in range(n):
        if locked[u] or tabu[u] > clock:
            continue
        k = assign[u]
        if size[k] <= 1 or (contiguous and is_art[u]):
            continue
        c = adjacent_territories(u, assign, ptr, idx, adj)
        if not contiguous and extra.shape[0] > 0:
            for t in range(extra.shape[1]):
                q = extra[u, t]
                if q < 0 or q == k:
                    continue
                seen = False
                for s in range(c):
                    if adj[s] == q:
                        seen = True
                if not seen:
                    adj[c] = q
                    c += 1
        for t in range(c):
            rec_u[cnt] = u
            rec_k[cnt] = k
            rec_q[cnt] = adj[t]
            cnt += 1
    # counting sort on the key k·p + q (stable: records of one key keep the unit order)
    fill = np.zeros(p * p + 1, dtype=np.int64)
    for r in range(cnt):
        fill[rec_k[r] * p + rec_q[r] + 1] += 1
    for key in range(p * p):
        fill[key + 1] += fill[key]
    su = np.empty(cnt, dtype=np.int64)
    sk = np.empty(cnt, dtype=np.int64)
    sq = np.empty(cnt, dtype=np.int64)
    for r in range(cnt):
        key = rec_k[r] * p + rec_q[r]
        at = fill[key]
        fill[key] += 1
        su[at], sk[at], sq[at] = rec_u[r], rec_k[r], rec_q[r]
    rec_u[:cnt] = su
    rec_k[:cnt] = sk
    rec_q[:cnt] = sq
    return cnt


@njit(cache=True)
def group_records(
    rec_k: np.ndarray, rec_q: np.ndarray, cnt: int, p: int, start: np.ndarray, count: np.ndarray
) -> None:
    """start[k·p + q], count[k·p + q]: where the sorted records of moves k → q begin and how many."""
    start[:] = -1
    count[:] = 0
    for r in range(cnt):
        key = rec_k[r] * p + rec_q[r]
        if start[key] == -1:
            start[key] = r
        count[key] += 1


@njit(cache=True)
def flood(
    seed: Index,
    k: Index,
    label: int,
    assign: np.ndarray,
    ptr: np.ndarray,
    idx: np.ndarray,
    mark: np.ndarray,
    queue: np.ndarray,
    tail: int,
) -> int:
    """Breadth-first fill of territory k from ``seed`` over units with mark −1, marking them ``label`` and
    appending them to ``queue`` from ``tail``; returns the new tail."""
    mark[seed] = label
    queue[tail] = seed
    head = tail
    tail += 1
    while head < tail:
        v = queue[head]
        head += 1
        for j in range(ptr[v], ptr[v + 1]):
            w = idx[j]
            if assign[w] == k and mark[w] == -1:
                mark[w] = label
                queue[tail] = w
                tail += 1
    return tail
