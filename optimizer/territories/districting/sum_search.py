"""Local search for the sum objectives (rep homes, p-median), compiled with numba.

Method: location–allocation with balance repair (Ríos-Mercado & Fernández 2009; Ríos-Mercado &
López-Pérez 2013), own implementation:
  1. grow — territories grow from seeds (rep homes, locked units or dispersed units); the least-loaded
     territory takes its cheapest adjacent free unit;
  2. penalty tabu search — shifts (a boundary unit joins an adjacent territory) and swaps (two boundary
     units trade places) minimising F = C + β·B, where C = Σ_i c[i, x_i] is the assignment cost and B the
     balance excess (see ``kernels``); β rises by 5 % after every move that leaves the plan unbalanced and
     falls by 5 % otherwise (strategic oscillation), so the search crosses the infeasible region and
     comes back; the reassignment cap is part of the penalty (the moved amount above it, as a share), so
     a start beyond the cap can come back within it; moved units are tabu for ``tenure`` moves; the best
     plan with no penalty is kept;
  3. for the p-median, re-centre every territory on its 1-median unit and repeat 2 until no centre moves.
c[i, k] = w_i · d(i, centre or home of k) + λ · v_i · [k ≠ r_i, r_i ≥ 0].
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels import (
    balance_delta,
    balance_of,
    borders,
    boundary_records,
    build_members,
    build_totals,
    cap_excess,
    group_records,
    move_unit,
    moved_amount,
    moved_delta,
    refresh_art,
)

TIE = 1e-12


@njit(cache=True)
def _push_frontier(u, k, assign, ptr, idx, onfront, front, fsize) -> None:
    """Put the free neighbours of u (just added to k) on k's frontier."""
    for j in range(ptr[u], ptr[u + 1]):
        v = idx[j]
        if assign[v] < 0 and not onfront[k, v]:
            onfront[k, v] = True
            front[k, fsize[k]] = v
            fsize[k] += 1


@njit(cache=True, nogil=True)
def grow(
    assign: np.ndarray,
    cost: np.ndarray,
    act: np.ndarray,
    invmu: np.ndarray,
    ptr: np.ndarray,
    idx: np.ndarray,
    p: int,
    seed: int,
) -> None:
    """Complete a partial plan (−1 = free): the least-loaded territory takes its cheapest free neighbour."""
    np.random.seed(seed)
    n = assign.shape[0]
    m = act.shape[1]
    load = np.zeros(p)
    front = np.empty((p, n), dtype=np.int64)
    fsize = np.zeros(p, dtype=np.int64)
    onfront = np.zeros((p, n), dtype=np.bool_)
    left = 0
    for u in range(n):
        k = assign[u]
        if k < 0:
            left += 1
            continue
        for e in range(m):
            load[k] += act[u, e] * invmu[e]
    for u in range(n):
        if assign[u] >= 0:
            _push_frontier(u, assign[u], assign, ptr, idx, onfront, front, fsize)
    while left > 0:
        k = np.int64(-1)
        for q in range(p):
            i = 0
            while i < fsize[q]:
                if assign[front[q, i]] >= 0:
                    front[q, i] = front[q, fsize[q] - 1]
                    fsize[q] -= 1
                else:
                    i += 1
            if fsize[q] > 0 and (k == -1 or load[q] < load[k]):
                k = q
        if k == -1:  # free units no territory reaches: cheapest territory
            for u in range(n):
                if assign[u] < 0:
                    assign[u] = np.argmin(cost[u])
            break
        best = np.int64(-1)
        bc = np.inf
        ties = 0
        for i in range(fsize[k]):
            v = front[k, i]
            c = cost[v, k]
            if c < bc - TIE:
                bc, best, ties = c, v, 1
            elif c <= bc + TIE:
                ties += 1
                if np.random.randint(0, ties) == 0:
                    best = v
        assign[best] = k
        left -= 1
        for e in range(m):
            load[k] += act[best, e] * invmu[e]
        _push_frontier(best, k, assign, ptr, idx, onfront, front, fsize)


@njit(cache=True)
def assignment_cost(assign: np.ndarray, cost: np.ndarray) -> float:
    c = 0.0
    for u in range(assign.shape[0]):
        c += cost[u, assign[u]]
    return c


@njit(cache=True, nogil=True)
def penalty_search(
    cost,
    act,
    mu,
    tolmu,
    invmu,
    ptr,
    idx,
    locked,
    contiguous,
    extra,
    prev,
    mvw,
    budget,
    capw,
    p,
    assign,
    tenure,
    imax,
    beta,
    seed,
):
    """Penalty tabu search (see module doc). The penalty is B plus ``capw`` × the moved amount above the
    cap (a start may exceed it). Leaves in ``assign`` the best plan with no penalty, or, when none was
    seen, the plan with the least (penalty, C). Returns (C, penalty, moves)."""
    np.random.seed(seed)
    n = assign.shape[0]
    m = act.shape[1]
    members, size, pos = build_members(assign, p)
    totals = build_totals(assign, act, p)
    work = np.empty((5, n + 1), dtype=np.int64)
    is_art = np.zeros(n, dtype=np.bool_)
    for k in range(p):
        refresh_art(k, assign, members, size, ptr, idx, is_art, work, contiguous)
    c = assignment_cost(assign, cost)
    moved = moved_amount(assign, prev, mvw)
    b = balance_of(totals, mu, tolmu, invmu) + capw * cap_excess(moved, budget)
    tabu = np.zeros(n, dtype=np.int64)
    best = assign.copy()
    best_c, best_b = c, b
    found = b <= 1e-9
    last = 0
    clock = 0
    room = ptr[n] + n * (extra.shape[1] if extra.shape[0] > 0 else 0) + 1
    rec_u = np.empty(room, dtype=np.int64)
    rec_k = np.empty(room, dtype=np.int64)
    rec_q = np.empty(room, dtype=np.int64)
    adj = np.empty(p, dtype=np.int64)
    start = -np.ones(p * p, dtype=np.int64)
    count = np.zeros(p * p, dtype=np.int64)
    net = np.empty(m)
    while True:
        cnt = boundary_records(
            assign,
            size,
            locked,
            tabu,
            clock,
            is_art,
            contiguous,
            ptr,
            idx,
            p,
            rec_u,
            rec_k,
            rec_q,
            adj,
            extra,
        )
        group_records(rec_k, rec_q, cnt, p, start, count)
        bu = bv = bq = np.int64(-1)
        bf = np.inf
        bdc = 0.0
        bdb = 0.0
        ties = 0
        for r in range(cnt):
            u, k, q = rec_u[r], rec_k[r], rec_q[r]
            dc = cost[u, q] - cost[u, k]
            md = moved_delta(u, q, assign, prev, mvw)
            db = balance_delta(totals, k, q, act[u], mu, tolmu, invmu) + capw * (
                cap_excess(moved + md, budget) - cap_excess(moved, budget)
            )
            f = dc + beta * db
            if f <= bf + TIE:
                if f < bf - TIE:
                    ties = 1
                    bu, bv, bq, bf, bdc, bdb = u, np.int64(-1), q, f, dc, db
                else:
                    ties += 1
                    if np.random.randint(0, ties) == 0:
                        bu, bv, bq, bf, bdc, bdb = u, np.int64(-1), q, f, dc, db
            if k > q or start[q * p + k] == -1:
                continue
            back = q * p + k
            for s in range(start[back], start[back] + count[back]):
                v = rec_u[s]
                dc2 = dc + cost[v, k] - cost[v, q]
                for e in range(m):
                    net[e] = act[u, e] - act[v, e]
                md2 = md + moved_delta(v, k, assign, prev, mvw)
                db2 = balance_delta(totals, k, q, net, mu, tolmu, invmu) + capw * (
                    cap_excess(moved + md2, budget) - cap_excess(moved, budget)
                )
                f = dc2 + beta * db2
                if f > bf + TIE:
                    continue
                if contiguous and (
                    not borders(u, q, v, assign, ptr, idx) or not borders(v, k, u, assign, ptr, idx)
                ):
                    continue
                if f < bf - TIE:
                    ties = 1
                else:
                    ties += 1
                    if np.random.randint(0, ties) != 0:
                        continue
                bu, bv, bq, bf, bdc, bdb = u, v, q, f, dc2, db2
        if bu == -1:
            break
        k = assign[bu]
        moved += moved_delta(bu, bq, assign, prev, mvw)
        move_unit(bu, bq, assign, members, size, pos, totals, act)
        tabu[bu] = clock + tenure
        if bv >= 0:
            moved += moved_delta(bv, k, assign, prev, mvw)
            move_unit(bv, k, assign, members, size, pos, totals, act)
            tabu[bv] = clock + tenure
        refresh_art(k, assign, members, size, ptr, idx, is_art, work, contiguous)
        refresh_art(bq, assign, members, size, ptr, idx, is_art, work, contiguous)
        c += bdc
        b += bdb
        if b < 1e-9:
            b = balance_of(totals, mu, tolmu, invmu) + capw * cap_excess(moved, budget)
        clock += 1
        if b <= 1e-9:
            beta /= 1.05
            if not found or c < best_c - TIE * max(1.0, abs(best_c)):
                found = True
                best_c, best_b = c, b
                best[:] = assign
                last = clock
        else:
            beta *= 1.05
            if not found and (b < best_b - TIE or (b <= best_b + TIE and c < best_c)):
                best_c, best_b = c, b
                best[:] = assign
                last = clock
        if clock - last >= imax:
            break
    assign[:] = best
    penalty = balance_of(build_totals(assign, act, p), mu, tolmu, invmu)
    return (
        assignment_cost(assign, cost),
        penalty + capw * cap_excess(moved_amount(assign, prev, mvw), budget),
        clock,
    )


@njit(cache=True, nogil=True)
def median_centres(assign: np.ndarray, xy: np.ndarray, w: np.ndarray, p: int) -> np.ndarray:
    """The unit of each territory that minimises Σ w_i d(i, ·) over the territory (1-median)."""
    members, size, _ = build_members(assign, p)
    centres = -np.ones(p, dtype=np.int64)
    for k in range(p):
        best = np.inf
        for a in range(size[k]):
            j = members[k, a]
            s = 0.0
            for b in range(size[k]):
                i = members[k, b]
                dx = xy[i, 0] - xy[j, 0]
                dy = xy[i, 1] - xy[j, 1]
                s += w[i] * np.sqrt(dx * dx + dy * dy)
                if s >= best:
                    break
            if s < best:
                best = s
                centres[k] = j
    return centres


@njit(cache=True, nogil=True)
def centre_costs(
    xy: np.ndarray, w: np.ndarray, sites: np.ndarray, lam_v: np.ndarray, prev: np.ndarray
) -> np.ndarray:
    """c[i, k] = w_i · d(i, site_k) + λ v_i [k ≠ r_i, r_i ≥ 0] for sites given as (p, 2) coordinates."""
    n = xy.shape[0]
    p = sites.shape[0]
    cost = np.empty((n, p))
    for i in range(n):
        for k in range(p):
            dx = xy[i, 0] - sites[k, 0]
            dy = xy[i, 1] - sites[k, 1]
            cost[i, k] = w[i] * np.sqrt(dx * dx + dy * dy)
            if prev[i] >= 0 and prev[i] != k:
                cost[i, k] += lam_v[i]
    return cost
