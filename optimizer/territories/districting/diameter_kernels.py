"""Compiled geometry for the diameter objective: territory diameters, farthest members, construction.

Distances are compared squared (d² = dx² + dy², km²). A territory's diameter is found on its convex hull
(Andrew's monotone chain, then all hull pairs), so a change costs O(T log T) rather than O(T²).
The construction follows the greedy-by-diameter idea of Gliesch, Ritt & Moreira (2018): seeds spread by
sampled max–min dispersion, then the least-loaded territory repeatedly takes the adjacent free unit that
widens it least.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels import Index, argsort_heap, build_members, build_totals, refresh_art

EPS = 1e-12


@njit(cache=True)
def dist2(u: Index, v: Index, xy: np.ndarray) -> float:
    dx = xy[u, 0] - xy[v, 0]
    dy = xy[u, 1] - xy[v, 1]
    return dx * dx + dy * dy


@njit(cache=True)
def far2(u: Index, k: Index, members: np.ndarray, size: np.ndarray, xy: np.ndarray) -> float:
    """Largest squared distance from unit u to a member of territory k."""
    best = 0.0
    for i in range(size[k]):
        d = dist2(u, members[k, i], xy)
        if d > best:
            best = d
    return best


@njit(cache=True)
def far2_arg(
    u: Index, k: Index, members: np.ndarray, size: np.ndarray, xy: np.ndarray
) -> tuple[float, Index]:
    """Largest squared distance from unit u to a member of territory k, and that member."""
    best = -1.0
    arg = np.int64(-1)
    for i in range(size[k]):
        v = members[k, i]
        d = dist2(u, v, xy)
        if d > best:
            best = d
            arg = v
    return best, arg


@njit(cache=True)
def far2_within(
    u: Index, k: Index, members: np.ndarray, size: np.ndarray, xy: np.ndarray, cap2: float
) -> float:
    """Like ``far2`` but stops (returning a value > cap2) as soon as some member is farther than cap2."""
    best = 0.0
    for i in range(size[k]):
        d = dist2(u, members[k, i], xy)
        if d > best:
            best = d
            if best > cap2:
                return best
    return best


@njit(cache=True)
def _cross(ox: float, oy: float, ax: float, ay: float, bx: float, by: float) -> float:
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


@njit(cache=True)
def diameter2(
    k: Index,
    skip: Index,
    members: np.ndarray,
    size: np.ndarray,
    xy: np.ndarray,
    buf: np.ndarray,
    hull: np.ndarray,
) -> tuple[float, int, int]:
    """Squared diameter of territory k without unit ``skip`` (−1: none) and its two end units.

    ``buf`` and ``hull`` are length-n scratch arrays.
    """
    t = 0
    for i in range(size[k]):
        u = members[k, i]
        if u != skip:
            buf[t] = u
            t += 1
    if t < 2:
        return 0.0, (buf[0] if t == 1 else -1), (buf[0] if t == 1 else -1)
    pts = buf[:t]
    if t > 24:
        ys = np.empty(t)
        for i in range(t):
            ys[i] = xy[pts[i], 1]
        o1 = argsort_heap(ys)
        xs = np.empty(t)
        for i in range(t):
            xs[i] = xy[pts[o1[i]], 0]
        o2 = argsort_heap(xs)  # ties in x keep the y order: lexicographic (x, y)
        order = np.empty(t, dtype=np.int64)
        for i in range(t):
            order[i] = pts[o1[o2[i]]]
        h = 0
        for i in range(t):  # lower hull
            u = order[i]
            while (
                h >= 2
                and _cross(
                    xy[hull[h - 2], 0],
                    xy[hull[h - 2], 1],
                    xy[hull[h - 1], 0],
                    xy[hull[h - 1], 1],
                    xy[u, 0],
                    xy[u, 1],
                )
                <= 0.0
            ):
                h -= 1
            hull[h] = u
            h += 1
        lower = h + 1
        for i in range(t - 2, -1, -1):  # upper hull
            u = order[i]
            while (
                h >= lower
                and _cross(
                    xy[hull[h - 2], 0],
                    xy[hull[h - 2], 1],
                    xy[hull[h - 1], 0],
                    xy[hull[h - 1], 1],
                    xy[u, 0],
                    xy[u, 1],
                )
                <= 0.0
            ):
                h -= 1
            hull[h] = u
            h += 1
        pts = hull[: h - 1]
        t = h - 1
    best = -1.0
    ba, bb = pts[0], pts[0]
    for i in range(t):
        for j in range(i + 1, t):
            d = dist2(pts[i], pts[j], xy)
            if d > best:
                best = d
                ba = pts[i]
                bb = pts[j]
    return best, ba, bb


@njit(cache=True)
def all_diameters(
    members: np.ndarray, size: np.ndarray, xy: np.ndarray, buf: np.ndarray, hull: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = size.shape[0]
    d2 = np.zeros(p)
    ea = np.empty(p, dtype=np.int64)
    eb = np.empty(p, dtype=np.int64)
    for k in range(p):
        d2[k], ea[k], eb[k] = diameter2(k, np.int64(-1), members, size, xy, buf, hull)
    return d2, ea, eb


@njit(cache=True)
def _frontier_far(u, k, assign, ptr, idx, fval, front, fsize, members, size, xy) -> None:
    """Put the free neighbours of u (a member of k) on k's frontier with their farthest-member distance."""
    for j in range(ptr[u], ptr[u + 1]):
        v = idx[j]
        if assign[v] < 0 and fval[v, k] < 0.0:
            fval[v, k] = far2(v, k, members, size, xy)
            front[k, fsize[k]] = v
            fsize[k] += 1


@njit(cache=True, nogil=True)
def construct_greedy_diameter(
    xy: np.ndarray,
    act: np.ndarray,
    invmu: np.ndarray,
    ptr: np.ndarray,
    idx: np.ndarray,
    p: int,
    locks: np.ndarray,
    seed: int,
) -> np.ndarray:
    """A complete, connected-by-construction assignment grown from dispersed seeds (see module doc)."""
    np.random.seed(seed)
    n = xy.shape[0]
    m = act.shape[1]
    assign = -np.ones(n, dtype=np.int64)
    members = np.empty((p, n), dtype=np.int64)
    size = np.zeros(p, dtype=np.int64)
    load = np.zeros(p)
    u: Index  # a loop index, later the chosen frontier unit (a numpy integer)
    for u in range(n):
        k = locks[u]
        if k >= 0:
            assign[u] = k
            members[k, size[k]] = u
            size[k] += 1
    # seeds for territories without locked units: sampled max–min dispersion
    chosen = np.empty(n, dtype=np.int64)
    nchosen = 0
    for u in range(n):
        if assign[u] >= 0:
            chosen[nchosen] = u
            nchosen += 1
    sample = max(2, int(np.sqrt(n)))
    for k in range(p):
        if size[k] > 0:
            continue
        best_u: Index = np.int64(-1)
        best_d = -1.0
        for _ in range(sample if nchosen > 0 else 1):
            u = np.random.randint(0, n)
            if assign[u] >= 0:
                continue
            dmin = np.inf
            for c in range(nchosen):
                d = dist2(u, chosen[c], xy)
                if d < dmin:
                    dmin = d
            if dmin > best_d:
                best_d = dmin
                best_u = u
        if best_u == -1:
            for u in range(n):
                if assign[u] < 0:
                    best_u = u
                    break
        assign[best_u] = k
        members[k, 0] = best_u
        size[k] = 1
        chosen[nchosen] = best_u
        nchosen += 1
    buf = np.empty(n, dtype=np.int64)
    hull = np.empty(n + 1, dtype=np.int64)
    diam = np.zeros(p)
    for k in range(p):
        diam[k] = diameter2(k, np.int64(-1), members, size, xy, buf, hull)[0]
        for i in range(size[k]):
            for e in range(m):
                load[k] += act[members[k, i], e] * invmu[e]
    # frontier of each territory with the cached farthest-member distance of each frontier unit
    front = np.empty((p, n), dtype=np.int64)
    fsize = np.zeros(p, dtype=np.int64)
    fval = -np.ones((n, p))
    for k in range(p):
        for i in range(size[k]):
            _frontier_far(members[k, i], k, assign, ptr, idx, fval, front, fsize, members, size, xy)
    left = 0
    for u in range(n):
        if assign[u] < 0:
            left += 1
    while left > 0:
        # the least-loaded territory that can still grow
        k = np.int64(-1)
        for q in range(p):
            live = 0
            while live < fsize[q] and assign[front[q, live]] >= 0:  # drop taken units lazily
                front[q, live] = front[q, fsize[q] - 1]
                fsize[q] -= 1
            if fsize[q] > 0 and (k == -1 or load[q] < load[k]):
                k = q
        if k == -1:  # free units unreachable from every territory: nearest assigned unit's territory
            for u in range(n):
                if assign[u] < 0:
                    bd = np.inf
                    bk = 0
                    for v in range(n):
                        if assign[v] >= 0 and dist2(u, v, xy) < bd:
                            bd = dist2(u, v, xy)
                            bk = assign[v]
                    assign[u] = bk
            break
        best = np.int64(-1)
        best_v = np.inf
        ties = 0
        i = 0
        while i < fsize[k]:
            v = front[k, i]
            if assign[v] >= 0:
                front[k, i] = front[k, fsize[k] - 1]
                fsize[k] -= 1
                continue
            val = max(diam[k], fval[v, k])
            if val < best_v:
                best_v = val
                best = v
                ties = 1
            elif val == best_v:
                ties += 1
                if np.random.randint(0, ties) == 0:
                    best = v
            i += 1
        u = best
        assign[u] = k
        members[k, size[k]] = u
        size[k] += 1
        left -= 1
        diam[k] = best_v
        for e in range(m):
            load[k] += act[u, e] * invmu[e]
        for i in range(fsize[k]):
            v = front[k, i]
            d = dist2(u, v, xy)
            if d > fval[v, k]:
                fval[v, k] = d
        _frontier_far(u, k, assign, ptr, idx, fval, front, fsize, members, size, xy)
    return assign


@njit(cache=True)
def plan_arrays(assign: np.ndarray, act: np.ndarray, p: int):
    """members, size, pos, totals of an assignment (convenience for the searches)."""
    members, size, pos = build_members(assign, p)
    totals = build_totals(assign, act, p)
    return members, size, pos, totals


@njit(cache=True)
def top_excluding(diam2: np.ndarray, a: int, b: int) -> float:
    best = 0.0
    for k in range(diam2.shape[0]):
        if k != a and k != b and diam2[k] > best:
            best = diam2[k]
    return best


@njit(cache=True)
def rebuild(assign, act, p, xy, ptr, idx, contiguous, work):
    """All derived arrays of a plan: members, size, pos, totals, diameters, articulation flags."""
    members, size, pos = build_members(assign, p)
    totals = build_totals(assign, act, p)
    diam2, ea, eb = all_diameters(members, size, xy, work[5], work[6])
    is_art = np.zeros(assign.shape[0], dtype=np.bool_)
    for k in range(p):
        refresh_art(k, assign, members, size, ptr, idx, is_art, work, contiguous)
    return members, size, pos, totals, diam2, ea, eb, is_art


@njit(cache=True)
def better(d_new: float, b_new: float, d_old: float, b_old: float, by_diameter: bool) -> bool:
    """Lexicographic comparison: (diameter, B) when ``by_diameter``, else (B, diameter)."""
    if by_diameter:
        if d_new < d_old * (1.0 - EPS):
            return True
        return d_new <= d_old * (1.0 + EPS) and b_new < b_old - 1e-12
    if b_new < b_old - 1e-12:
        return True
    return b_new <= b_old + 1e-12 and d_new < d_old * (1.0 - EPS)


@njit(cache=True)
def keep_best(assign, best_assign, d_now, b, best_d, best_b, last, clock, imax, by_diameter):
    """Record the plan if it beats the best of the phase; returns (best_d, best_b, last, stop)."""
    if better(d_now, b, best_d, best_b, by_diameter):
        best_assign[:] = assign
        return d_now, b, clock, False
    return best_d, best_b, last, clock - last >= imax
