"""Balance phase of the diameter search: tabu search on the imbalance B under a diameter cap (numba).

Neighbourhood, all moves keeping every territory connected (when required) and no wider than the cap:
  * shift — a boundary unit u of territory k joins an adjacent territory q;
  * swap  — u of k joins q while v of q joins k (u borders q, v borders k), which moves the difference of
    two activity vectors: the only way to fix a territory that is high in one measure and low in another.
The move with the smallest change of B is taken (ties: smaller change of Q = Σ ((T − μ)/μ)², which pulls
territories to the middle of their bands; then random), even when B grows. Moved units are tabu for
``tenure`` moves. Stops at B = 0 or after ``imax`` moves without improving the best (B, diameter).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .diameter_kernels import diameter2, far2_arg, far2_within, keep_best, rebuild
from .kernels import (
    balance_delta,
    balance_of,
    borders,
    boundary_records,
    group_records,
    move_unit,
    moved_amount,
    moved_delta,
    refresh_art,
    spread_delta,
    within_cap,
)

TIE = 1e-12


@njit(cache=True)
def balance_phase(
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
):
    """Tabu search on B with shifts and swaps that keep every diameter² ≤ cap2; best plan by (B, diameter)."""
    n = assign.shape[0]
    m = act.shape[1]
    members, size, pos, totals, diam2, ea, eb, is_art = rebuild(
        assign, act, p, xy, ptr, idx, contiguous, work
    )
    b = balance_of(totals, mu, tolmu, invmu)
    moved = moved_amount(assign, prev, mvw)
    best_assign = assign.copy()
    best_d = diam2.max()
    best_b = b
    last = clock[0]
    adj = np.empty(p, dtype=np.int64)
    deg = ptr[n]
    rec_u = np.empty(deg + 1, dtype=np.int64)
    rec_k = np.empty(deg + 1, dtype=np.int64)
    rec_q = np.empty(deg + 1, dtype=np.int64)
    start = -np.ones(p * p + 1, dtype=np.int64)
    count = np.zeros(p * p, dtype=np.int64)
    net = np.empty(m)
    extra = -np.ones((0, 0), dtype=np.int64)
    while b > TIE:
        cnt = boundary_records(
            assign,
            size,
            locked,
            tabu,
            clock[0],
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
        bdelta = np.inf
        bspread = np.inf
        ties = 0
        for r in range(cnt):
            u, k, q = rec_u[r], rec_k[r], rec_q[r]
            # shift u: k -> q
            delta = balance_delta(totals, k, q, act[u], mu, tolmu, invmu)
            spread = spread_delta(totals, k, q, act[u], tolmu, invmu)
            if (
                (delta < bdelta - TIE or (delta <= bdelta + TIE and spread <= bspread + TIE))
                and within_cap(moved, moved_delta(u, q, assign, prev, mvw), budget)
                and far2_within(u, q, members, size, xy, cap2) <= cap2
            ):
                if delta < bdelta - TIE or spread < bspread - TIE:
                    ties = 1
                    bu, bv, bq, bdelta, bspread = u, np.int64(-1), q, delta, spread
                else:
                    ties += 1
                    if np.random.randint(0, ties) == 0:
                        bu, bv, bq, bdelta, bspread = u, np.int64(-1), q, delta, spread
            # swaps u: k -> q with v: q -> k (each unordered pair once: k < q)
            if k > q:
                continue
            back = q * p + k
            if start[back] == -1:
                continue
            for s in range(start[back], start[back] + count[back]):
                v = rec_u[s]
                for e in range(m):
                    net[e] = act[u, e] - act[v, e]
                delta = balance_delta(totals, k, q, net, mu, tolmu, invmu)
                if delta > bdelta + TIE:
                    continue
                spread = spread_delta(totals, k, q, net, tolmu, invmu)
                if delta >= bdelta - TIE and spread > bspread + TIE:
                    continue
                if contiguous and (
                    not borders(u, q, v, assign, ptr, idx) or not borders(v, k, u, assign, ptr, idx)
                ):
                    continue
                if not within_cap(
                    moved, moved_delta(u, q, assign, prev, mvw) + moved_delta(v, k, assign, prev, mvw), budget
                ):
                    continue
                if (
                    far2_within(u, q, members, size, xy, cap2) > cap2
                    or far2_within(v, k, members, size, xy, cap2) > cap2
                ):
                    continue
                if delta < bdelta - TIE or spread < bspread - TIE:
                    ties = 1
                else:
                    ties += 1
                    if np.random.randint(0, ties) != 0:
                        continue
                bu, bv, bq, bdelta, bspread = u, v, q, delta, spread
        if bu == -1:
            break
        k = assign[bu]
        moved += moved_delta(bu, bq, assign, prev, mvw)
        move_unit(bu, bq, assign, members, size, pos, totals, act)
        tabu[bu] = clock[0] + tenure
        if bv >= 0:
            moved += moved_delta(bv, k, assign, prev, mvw)
            move_unit(bv, k, assign, members, size, pos, totals, act)
            tabu[bv] = clock[0] + tenure
        for t in (k, bq):
            if bv >= 0 or (t == k and (bu == ea[t] or bu == eb[t])):
                diam2[t], ea[t], eb[t] = diameter2(t, np.int64(-1), members, size, xy, work[5], work[6])
            elif t == bq:
                fq, fv = far2_arg(bu, bq, members, size, xy)
                if fq > diam2[bq]:
                    diam2[bq], ea[bq], eb[bq] = fq, bu, fv
            refresh_art(t, assign, members, size, ptr, idx, is_art, work, contiguous)
        b += bdelta
        if b < 1e-9:
            b = balance_of(totals, mu, tolmu, invmu)
        clock[0] += 1
        best_d, best_b, last, stop = keep_best(
            assign, best_assign, diam2.max(), b, best_d, best_b, last, clock[0], imax, False
        )
        if stop:
            break
    assign[:] = best_assign
    return best_d, best_b
