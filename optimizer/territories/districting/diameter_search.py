"""Alternating tabu search for the diameter objective (one start), compiled with numba.

Method (after Gliesch, Ritt & Moreira 2018, "A multistart alternating tabu search for commercial
districting", EvoCOP; own implementation). Two tabu searches alternate, each over single-unit moves to an
adjacent territory that keep the source territory connected (the unit is not an articulation point):
  * compactness phase — only the end units of the widest territory move; the move with the smallest
    resulting largest diameter is taken (ties: smaller imbalance B, then random), even when worse; when no
    move is allowed a short chain of units is moved (path move); the best plan by (diameter, B) is kept;
  * balance phase — any boundary unit moves, the move with the largest decrease of B is taken, provided
    no territory becomes wider than the diameter at the start of the phase; the best by (B, diameter).
A moved unit stays put for ``tenure`` moves. A phase ends after ``imax`` moves without improvement.
The alternation stops after ``amax`` rounds or when a plan repeats. Locked units never move; a move that
would push the moved share over its cap is not allowed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .diameter_balance import balance_phase
from .diameter_kernels import EPS, better, diameter2, far2_arg, keep_best, rebuild, top_excluding
from .kernels import (
    Index,
    adjacent_territories,
    balance_delta,
    balance_of,
    flood,
    move_unit,
    moved_amount,
    moved_delta,
    plan_hash,
    refresh_art,
    within_cap,
)


@njit(cache=True)
def _path_move(
    xy,
    act,
    ptr,
    idx,
    locked,
    prev,
    mvw,
    budget,
    moved,
    assign,
    members,
    size,
    pos,
    totals,
    diam2,
    ea,
    eb,
    work,
    tabu,
    clock,
    tenure,
):
    """Move the widest territory's end unit together with the shortest chain (in hops, inside its
    territory) that links it to another territory; only if the territory stays connected."""
    n = assign.shape[0]
    p = size.shape[0]
    dmax = diam2.max()
    parent = work[2]
    queue = work[4]
    seen = work[0]
    best_len = n + 1
    best_end = best_q = best_u = np.int64(-1)
    for kk in range(p):
        if diam2[kk] < dmax * (1.0 - EPS):
            continue
        for end in range(2):
            u = ea[kk] if end == 0 else eb[kk]
            if u < 0 or locked[u]:
                continue
            for i in range(size[kk]):
                seen[members[kk, i]] = -1
            seen[u] = 0
            parent[u] = -1
            head, tail = 0, 1
            queue[0] = u
            found = False
            while head < tail and not found:
                v = queue[head]
                head += 1
                if seen[v] + 1 >= best_len:
                    break
                for j in range(ptr[v], ptr[v + 1]):
                    w = idx[j]
                    if assign[w] != kk:
                        best_len = seen[v] + 1
                        best_end = v
                        best_q = assign[w]
                        best_u = u
                        found = True
                        break
                    if seen[w] == -1 and not locked[w]:
                        seen[w] = seen[v] + 1
                        parent[w] = v
                        queue[tail] = w
                        tail += 1
            if found:
                # keep the parent chain of this endpoint in work[3]
                v = best_end
                c = 0
                while v != -1:
                    work[3][c] = v
                    c += 1
                    v = parent[v]
                work[1][0] = c
    if best_end == -1:
        return False
    c = work[1][0]
    kk = assign[best_u]
    if c >= size[kk]:
        return False
    delta = 0.0
    for i in range(c):
        delta += moved_delta(work[3][i], best_q, assign, prev, mvw)
    if not within_cap(moved[0], delta, budget):
        return False
    chain = work[3][:c].copy()
    for i in range(c):
        move_unit(chain[i], best_q, assign, members, size, pos, totals, act)
    # the source must stay connected
    for i in range(size[kk]):
        seen[members[kk, i]] = -1
    tail = flood(members[kk, 0], kk, 0, assign, ptr, idx, seen, queue, 0)
    if tail != size[kk]:
        for i in range(c):
            move_unit(chain[i], kk, assign, members, size, pos, totals, act)
        return False
    moved[0] += delta
    for i in range(c):
        tabu[chain[i]] = clock + tenure
    diam2[kk], ea[kk], eb[kk] = diameter2(kk, np.int64(-1), members, size, xy, work[5], work[6])
    diam2[best_q], ea[best_q], eb[best_q] = diameter2(
        best_q, np.int64(-1), members, size, xy, work[5], work[6]
    )
    return True


@njit(cache=True)
def _block(u: Index, kk: Index, assign, members, size, ptr, idx, locked, mark, queue, blk) -> int:
    """u plus every piece of its territory that u alone links to the rest (all but the largest
    component of T_kk without u), written to blk; returns its length, or −1 if a piece holds a lock."""
    for i in range(size[kk]):
        mark[members[kk, i]] = -1
    mark[u] = -2
    tail = 0
    ncomp = 0
    big_start = 0
    big_len = 0
    for j in range(ptr[u], ptr[u + 1]):
        w = idx[j]
        if assign[w] != kk or mark[w] != -1:
            continue
        start = tail
        tail = flood(w, kk, ncomp, assign, ptr, idx, mark, queue, tail)
        if tail - start > big_len:
            big_start, big_len = start, tail - start
        ncomp += 1
    blk[0] = u
    c = 1
    for i in range(tail):
        if i < big_start or i >= big_start + big_len:
            if locked[queue[i]]:
                return -1
            blk[c] = queue[i]
            c += 1
    return c


@njit(cache=True)
def compactness_phase(
    xy,
    act,
    mu,
    tolmu,
    invmu,
    ptr,
    idx,
    locked,
    contiguous,
    prev,
    mvw,
    budget,
    p,
    assign,
    tabu,
    clock,
    tenure,
    imax,
    pi_max,
    work,
):
    """Tabu search on the end units of the widest territory; leaves the best plan by (diameter, B).

    An end unit that is an articulation point moves together with the pieces only it links to its
    territory (a block move), when those pieces are small (at most a third of the territory).
    """
    n = assign.shape[0]
    members, size, pos, totals, diam2, ea, eb, is_art = rebuild(
        assign, act, p, xy, ptr, idx, contiguous, work
    )
    b = balance_of(totals, mu, tolmu, invmu)
    moved = np.array([moved_amount(assign, prev, mvw)])
    best_assign = assign.copy()
    best_d = diam2.max()
    best_b = b
    last = clock[0]
    adj = np.empty(p, dtype=np.int64)
    blk = np.empty(n, dtype=np.int64)
    mark = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    paths = 0
    while True:
        dmax = diam2.max()
        bu = bq = np.int64(-1)
        bc: Index = np.int64(0)
        bval = np.inf
        bbal = np.inf
        ties = 0
        for kk in range(p):
            if diam2[kk] < dmax * (1.0 - EPS):
                continue
            for end in range(2):
                u = ea[kk] if end == 0 else eb[kk]
                if u < 0 or locked[u] or tabu[u] > clock[0] or size[kk] <= 1:
                    continue
                c = 1
                if contiguous and is_art[u]:
                    c = _block(u, kk, assign, members, size, ptr, idx, locked, mark, queue, blk)
                    if c < 0 or 3 * (c - 1) > size[kk]:
                        continue
                if contiguous:
                    cnt = adjacent_territories(u, assign, ptr, idx, adj)
                else:
                    cnt = 0
                    for q in range(p):
                        if q != kk:
                            adj[cnt] = q
                            cnt += 1
                nsrc = 0.0
                if c == 1:
                    nsrc = diameter2(kk, u, members, size, xy, work[5], work[6])[0]
                for t in range(cnt):
                    q = adj[t]
                    if c == 1:
                        md = moved_delta(u, q, assign, prev, mvw)
                        fq = far2_arg(u, q, members, size, xy)[0]
                        val = max(nsrc, max(diam2[q], fq), top_excluding(diam2, kk, q))
                        bal = b + balance_delta(totals, kk, q, act[u], mu, tolmu, invmu)
                    else:
                        md = 0.0
                        for i in range(c):
                            md += moved_delta(blk[i], q, assign, prev, mvw)
                        for i in range(c):
                            move_unit(blk[i], q, assign, members, size, pos, totals, act)
                        val = max(
                            diameter2(kk, np.int64(-1), members, size, xy, work[5], work[6])[0],
                            diameter2(q, np.int64(-1), members, size, xy, work[5], work[6])[0],
                            top_excluding(diam2, kk, q),
                        )
                        bal = balance_of(totals, mu, tolmu, invmu)
                        for i in range(c):
                            move_unit(blk[i], kk, assign, members, size, pos, totals, act)
                    if not within_cap(moved[0], md, budget):
                        continue
                    if val < bval * (1.0 - EPS) or (val <= bval * (1.0 + EPS) and bal < bbal - 1e-12):
                        ties = 1
                    elif val <= bval * (1.0 + EPS) and bal <= bbal + 1e-12:
                        ties += 1
                        if np.random.randint(0, ties) != 0:
                            continue
                    else:
                        continue
                    bu, bq, bc, bval, bbal = u, q, c, val, bal
        if bu == -1:
            if (
                contiguous
                and paths < pi_max
                and _path_move(
                    xy,
                    act,
                    ptr,
                    idx,
                    locked,
                    prev,
                    mvw,
                    budget,
                    moved,
                    assign,
                    members,
                    size,
                    pos,
                    totals,
                    diam2,
                    ea,
                    eb,
                    work,
                    tabu,
                    clock[0],
                    tenure,
                )
            ):
                paths += 1
                clock[0] += 1
                for k in range(p):
                    refresh_art(k, assign, members, size, ptr, idx, is_art, work, contiguous)
                b = balance_of(totals, mu, tolmu, invmu)
            else:
                break
        else:
            src = assign[bu]
            c = 1
            blk[0] = bu
            if bc > 1:
                c = _block(bu, src, assign, members, size, ptr, idx, locked, mark, queue, blk)
            for i in range(c):
                moved[0] += moved_delta(blk[i], bq, assign, prev, mvw)
                move_unit(blk[i], bq, assign, members, size, pos, totals, act)
                tabu[blk[i]] = clock[0] + tenure
            diam2[src], ea[src], eb[src] = diameter2(src, np.int64(-1), members, size, xy, work[5], work[6])
            diam2[bq], ea[bq], eb[bq] = diameter2(bq, np.int64(-1), members, size, xy, work[5], work[6])
            refresh_art(src, assign, members, size, ptr, idx, is_art, work, contiguous)
            refresh_art(bq, assign, members, size, ptr, idx, is_art, work, contiguous)
            b = bbal
            clock[0] += 1
        best_d, best_b, last, stop = keep_best(
            assign, best_assign, diam2.max(), b, best_d, best_b, last, clock[0], imax, True
        )
        if stop:
            break
    assign[:] = best_assign
    return best_d, best_b


@njit(cache=True, nogil=True)
def improve(
    xy,
    act,
    mu,
    tolmu,
    invmu,
    ptr,
    idx,
    locked,
    contiguous,
    prev,
    mvw,
    budget,
    p,
    assign,
    tenure,
    imax,
    amax,
    pi_max,
    alpha,
    seed,
):
    """Alternate the two phases (at most ``amax`` rounds); leave the best plan by (B, diameter) in assign.

    Returns (diameter², B, moves made).
    """
    np.random.seed(seed)
    n = assign.shape[0]
    work = np.empty((7, n + 1), dtype=np.int64)
    tabu = np.zeros(n, dtype=np.int64)
    clock = np.zeros(1, dtype=np.int64)
    best = assign.copy()
    totals, diam2 = rebuild(assign, act, p, xy, ptr, idx, contiguous, work)[3:5]
    best_d = diam2.max()
    best_b = balance_of(totals, mu, tolmu, invmu)
    seen = np.zeros(amax + 1, dtype=np.uint64)
    for a in range(amax):
        d, b = compactness_phase(
            xy,
            act,
            mu,
            tolmu,
            invmu,
            ptr,
            idx,
            locked,
            contiguous,
            prev,
            mvw,
            budget,
            p,
            assign,
            tabu,
            clock,
            tenure,
            imax,
            pi_max,
            work,
        )
        cap2 = d * (1.0 + alpha) ** 2
        d, b = balance_phase(
            xy,
            act,
            mu,
            tolmu,
            invmu,
            ptr,
            idx,
            locked,
            contiguous,
            prev,
            mvw,
            budget,
            p,
            assign,
            tabu,
            clock,
            tenure,
            imax,
            cap2,
            work,
        )
        if better(d, b, best_d, best_b, False):
            best_d, best_b = d, b
            best[:] = assign
        h = plan_hash(assign)
        repeat = False
        for i in range(a):
            if seen[i] == h:
                repeat = True
        seen[a] = h
        if repeat:
            break
    assign[:] = best
    # still unbalanced: allow the diameter to grow step by step until balance is reached
    base = best_d
    widen = 1.0
    while best_b > 1e-12 and widen < 1.5:
        widen *= 1.02
        best_d, best_b = balance_phase(
            xy,
            act,
            mu,
            tolmu,
            invmu,
            ptr,
            idx,
            locked,
            contiguous,
            prev,
            mvw,
            budget,
            p,
            assign,
            tabu,
            clock,
            tenure,
            imax,
            base * widen * widen,
            work,
        )
    if best_b > 1e-12:
        best_d, best_b = balance_phase(
            xy,
            act,
            mu,
            tolmu,
            invmu,
            ptr,
            idx,
            locked,
            contiguous,
            prev,
            mvw,
            budget,
            p,
            assign,
            tabu,
            clock,
            tenure,
            imax,
            np.inf,
            work,
        )
    return best_d, best_b, clock[0]
