"""Numba ruin-and-recreate simulated annealing over day patterns and routes together.

Slack Induction by String Removals (SISR; Christiaens & Vanden Berghe 2020, Transp. Sci. 54(2)),
adapted to periodic routing: each iteration picks a seed visit (customer c₀ on day d₀), removes a few
strings of customers close to c₀ from the routes of day d₀ — a removed customer loses *all* its visits,
so its pattern is free again — and re-inserts the removed customers one by one, each on the pattern
whose days' cheapest insertions sum lowest (positions blink with a small probability). Optional
customers stay out when their penalty is cheaper. The candidate is accepted by simulated annealing on

    F = travel cost + λ_Q · load excess + λ_T · time warp + Σ penalties of dropped customers,

with λ_Q, λ_T adapted so that the current solution is infeasible only part of the time (Cordeau,
Gendreau & Laporte 1997). Only fully feasible solutions become the best.

The search runs in chunks of iterations (the caller checks the clock and reports progress between
chunks); the temperature follows the global iteration count, so a fixed budget is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ._kernel import (
    FEAS_EPS,
    Data,
    State,
    best_insertion,
    cheapest_pattern,
    insert_visit,
    load_excess,
    rand_float,
    rand_int,
    recompute_route,
    remove_visit,
)

ITERATION_WORK = 1000.0  # fixed work counted per iteration (seed choice, bookkeeping)

# indices into the float parameter vector
P_T0, P_TF, P_BLINK, P_AVG_REMOVE, P_MAX_STRING, P_LAM_STEP, P_TARGET_INF, P_RETRY = range(8)
P_ADAPT_EVERY = 8
# indices into the scalar state vector
S_LAM_Q, S_LAM_T, S_COST, S_EXC, S_TW, S_ABS, S_BEST, S_INF_Q, S_INF_T, S_TOUCHED, S_WORK, S_ITER = range(12)
N_SCALARS = 12


@njit(cache=True)
def _touch(data: Data, st: State, r: int, touched: np.ndarray, tlist: np.ndarray, scal: np.ndarray) -> None:
    """Mark route r as changed in this iteration and take its terms out of the running totals."""
    if touched[r]:
        return
    touched[r] = True
    tlist[int(scal[S_TOUCHED])] = r
    scal[S_TOUCHED] += 1
    scal[S_COST] -= st.rcost[r]
    scal[S_EXC] -= load_excess(data, st, r)
    scal[S_TW] -= st.rtw[r]


@njit(cache=True)
def _take_out(
    data: Data, st: State, c: int, touched: np.ndarray, tlist: np.ndarray, scal: np.ndarray
) -> None:
    """Remove every visit of customer c (its pattern becomes free)."""
    for d in range(st.vroute.shape[1]):
        r = st.vroute[c, d]
        if r >= 0:
            _touch(data, st, r, touched, tlist, scal)
            remove_visit(data, st, c, d)
            scal[S_WORK] += st.rlen[r] + 1
    st.pattern[c] = -1


@njit(cache=True)
def _put_in(
    data: Data,
    st: State,
    c: int,
    blink: float,
    rng: np.ndarray,
    touched: np.ndarray,
    tlist: np.ndarray,
    scal: np.ndarray,
    val: np.ndarray,
    rr: np.ndarray,
    pp: np.ndarray,
) -> bool:
    """Insert c on its cheapest pattern, or leave it out when its penalty is cheaper; True if inserted."""
    lam_q = scal[S_LAM_Q]
    lam_t = scal[S_LAM_T]
    for d in range(val.shape[0]):
        if data.allowed[c, d]:
            for r in range(data.day_route_ptr[d], data.day_route_ptr[d + 1]):
                scal[S_WORK] += st.rlen[r] + 1
            v, r, p = best_insertion(data, st, c, d, lam_q, lam_t, blink, rng)
            if r < 0:
                v, r, p = best_insertion(data, st, c, d, lam_q, lam_t, 0.0, rng)
            val[d] = v
            rr[d] = r
            pp[d] = p
    best, best_p = cheapest_pattern(data, c, val)
    if best_p < 0 or best > data.penalty[c]:
        return False
    for k in range(data.pat_days_ptr[best_p], data.pat_days_ptr[best_p + 1]):
        d = data.pat_days[k]
        _touch(data, st, rr[d], touched, tlist, scal)
        insert_visit(data, st, c, rr[d], pp[d])
        scal[S_WORK] += st.rlen[rr[d]] + 1
    st.pattern[c] = best_p
    return True


@njit(cache=True)
def _random_visit_day(st: State, c: int, rng: np.ndarray) -> int:
    """A uniformly random day on which c is visited (-1 if none)."""
    count = 0
    for d in range(st.vroute.shape[1]):
        if st.vroute[c, d] >= 0:
            count += 1
    if count == 0:
        return -1
    k = rand_int(rng, count)
    for d in range(st.vroute.shape[1]):
        if st.vroute[c, d] >= 0:
            if k == 0:
                return d
            k -= 1
    return -1


@njit(cache=True)
def _ruin(
    data: Data,
    st: State,
    fp: np.ndarray,
    rng: np.ndarray,
    touched: np.ndarray,
    tlist: np.ndarray,
    scal: np.ndarray,
    removed: np.ndarray,
    nrem: int,
    ruined: np.ndarray,
    buf: np.ndarray,
) -> int:
    """SISR string removal around a random seed visit, appending to ``removed[nrem:]``; the new count."""
    n_routes = st.rlen.shape[0]
    total = 0
    used = 0
    for r in range(n_routes):
        if st.rlen[r] > 0:
            total += st.rlen[r]
            used += 1
    if used == 0:
        return nrem
    ls_max = min(fp[P_MAX_STRING], total / used)
    ks_max = 4.0 * fp[P_AVG_REMOVE] / (1.0 + ls_max) - 1.0
    ks = int(rand_float(rng) * ks_max) + 1
    n_nodes, n_days = st.vroute.shape
    c0 = -1
    d0 = -1
    for _ in range(4 * n_nodes):  # a random present visit as the seed
        c = 1 + rand_int(rng, n_nodes - 1)
        d = rand_int(rng, n_days)
        if st.vroute[c, d] >= 0:
            c0 = c
            d0 = d
            break
    if c0 < 0:
        return nrem
    nruined = 0
    for k in range(-1, data.adj.shape[1]):
        if nruined >= ks:
            break
        c = c0 if k < 0 else data.adj[c0, k]
        d = d0 if k < 0 else _random_visit_day(st, c, rng)
        if d < 0:
            continue
        r = st.vroute[c, d]
        if ruined[r]:
            continue
        card = st.rlen[r]
        lt = int(rand_float(rng) * min(card, ls_max)) + 1
        lt = min(lt, card)
        pos = st.vpos[c, d]
        nb = 0
        if lt == card or rand_float(rng) < 0.5:  # one string of lt consecutive customers
            start = min(max(1, pos - rand_int(rng, lt)), card - lt + 1)
            for i in range(start, start + lt):
                buf[nb] = st.nodes[r, i]
                nb += 1
        else:  # a string of lt + m customers around c, of which m consecutive ones stay
            m = 1
            while lt + m < card and rand_float(rng) < 0.5:
                m += 1
            span = lt + m
            start = min(max(1, pos - rand_int(rng, span)), card - span + 1)
            keep = start + rand_int(rng, lt + 1)
            for i in range(start, start + span):
                if i < keep or i >= keep + m:
                    buf[nb] = st.nodes[r, i]
                    nb += 1
        ruined[r] = True
        nruined += 1
        for j in range(nb):
            _take_out(data, st, buf[j], touched, tlist, scal)
            removed[nrem] = buf[j]
            nrem += 1
    for r in range(n_routes):
        ruined[r] = False
    return nrem


@njit(cache=True)
def _order(data: Data, removed: np.ndarray, nrem: int, rng: np.ndarray, freq: np.ndarray) -> np.ndarray:
    """SISR insertion order: random 4, largest demand first 4, farthest 2, closest 1 (from the day starts)."""
    key = np.empty(nrem)
    u = rand_float(rng) * 11.0
    for j in range(nrem):
        c = removed[j]
        if u < 4.0:
            key[j] = rand_float(rng)
        elif u < 8.0:
            key[j] = -data.demand[c] * freq[c] - 1e-9 * data.start_cost[c]
        elif u < 10.0:
            key[j] = -data.start_cost[c]
        else:
            key[j] = data.start_cost[c]
    return removed[:nrem][np.argsort(key)]


@njit(cache=True)
def totals(data: Data, st: State, scal: np.ndarray) -> None:
    """Recompute the running totals (cost, load excess, time warp, penalties of absent customers)."""
    scal[S_COST] = 0.0
    scal[S_EXC] = 0.0
    scal[S_TW] = 0.0
    scal[S_ABS] = 0.0
    for r in range(st.rlen.shape[0]):
        scal[S_COST] += st.rcost[r]
        scal[S_EXC] += load_excess(data, st, r)
        scal[S_TW] += st.rtw[r]
    for c in range(1, st.pattern.shape[0]):
        if st.pattern[c] < 0 and data.pat_ptr[c + 1] > data.pat_ptr[c]:
            scal[S_ABS] += data.penalty[c]


@njit(cache=True)
def _copy_routes(data: Data, src: State, dst: State, tlist: np.ndarray, k: int) -> None:
    """Make the first k routes listed in tlist, their visit indices and patterns in dst equal to src's."""
    for j in range(k):  # forget where dst had the customers of these routes
        r = tlist[j]
        d = data.route_day[r]
        for i in range(1, dst.rlen[r] + 1):
            c = dst.nodes[r, i]
            if dst.vroute[c, d] == r:
                dst.vroute[c, d] = -1
                dst.vpos[c, d] = -1
            dst.pattern[c] = src.pattern[c]
    for j in range(k):
        r = tlist[j]
        d = data.route_day[r]
        dst.rlen[r] = src.rlen[r]
        dst.rcost[r] = src.rcost[r]
        dst.rload[r] = src.rload[r]
        dst.rtw[r] = src.rtw[r]
        for i in range(src.rlen[r] + 2):
            c = src.nodes[r, i]
            dst.nodes[r, i] = c
            if 1 <= i <= src.rlen[r]:
                dst.vroute[c, d] = r
                dst.vpos[c, d] = i
                dst.pattern[c] = src.pattern[c]
            dst.fD[r, i] = src.fD[r, i]
            dst.fTW[r, i] = src.fTW[r, i]
            dst.fE[r, i] = src.fE[r, i]
            dst.fL[r, i] = src.fL[r, i]
            dst.bD[r, i] = src.bD[r, i]
            dst.bTW[r, i] = src.bTW[r, i]
            dst.bE[r, i] = src.bE[r, i]
            dst.bL[r, i] = src.bL[r, i]


@njit(cache=True)
def construct(data: Data, st: State, scal: np.ndarray, rng: np.ndarray) -> None:
    """Greedy start: insert every customer (largest total demand first) on its cheapest pattern."""
    n_nodes, n_days = st.vroute.shape
    n_routes = st.rlen.shape[0]
    for r in range(n_routes):
        recompute_route(data, st, r)
    freq = _frequencies(data, n_nodes)
    key = np.empty(n_nodes - 1)
    for c in range(1, n_nodes):
        key[c - 1] = -data.demand[c] * freq[c] - 1e-9 * data.start_cost[c]
    touched = np.zeros(n_routes, dtype=np.bool_)
    tlist = np.zeros(n_routes, dtype=np.int64)
    val = np.empty(n_days)
    rr = np.empty(n_days, dtype=np.int64)
    pp = np.empty(n_days, dtype=np.int64)
    for j in np.argsort(key):
        c = j + 1
        if data.pat_ptr[c + 1] > data.pat_ptr[c]:
            _put_in(data, st, c, 0.0, rng, touched, tlist, scal, val, rr, pp)
            scal[S_TOUCHED] = 0.0
            touched[:] = False
    totals(data, st, scal)


@njit(cache=True)
def _frequencies(data: Data, n_nodes: int) -> np.ndarray:
    freq = np.zeros(n_nodes)
    for c in range(1, n_nodes):
        if data.pat_ptr[c + 1] > data.pat_ptr[c]:
            p = data.pat_ptr[c]
            freq[c] = data.pat_days_ptr[p + 1] - data.pat_days_ptr[p]
    return freq


@njit(cache=True)
def anneal(
    data: Data,
    st: State,
    bk: State,
    best: State,
    scal: np.ndarray,
    fp: np.ndarray,
    rng: np.ndarray,
    work_to: float,
    work_total: float,
) -> int:
    """Iterate until the work counter reaches ``work_to``; ``bk`` mirrors ``st`` (the accepted solution).

    Work counts insertion positions scanned and route entries rewritten: a deterministic clock. The
    temperature falls geometrically from T0 to Tf over ``work_total``. ``best`` receives each new best
    feasible solution; returns the number of iterations run.
    """
    n_nodes, n_days = st.vroute.shape
    n_routes = st.rlen.shape[0]
    touched = np.zeros(n_routes, dtype=np.bool_)
    tlist = np.zeros(n_routes, dtype=np.int64)
    ruined = np.zeros(n_routes, dtype=np.bool_)
    removed = np.zeros(n_nodes, dtype=np.int64)
    buf = np.zeros(n_nodes, dtype=np.int64)
    val = np.empty(n_days)
    rr = np.empty(n_days, dtype=np.int64)
    pp = np.empty(n_days, dtype=np.int64)
    freq = _frequencies(data, n_nodes)
    all_routes = np.arange(n_routes)
    adapt = int(fp[P_ADAPT_EVERY])
    t0 = fp[P_T0]
    tf = fp[P_TF]
    iterations = 0
    while scal[S_WORK] < work_to:
        iterations += 1
        scal[S_ITER] += 1
        temp = t0 * (tf / t0) ** min(scal[S_WORK] / work_total, 1.0)
        cur = scal[S_COST] + scal[S_LAM_Q] * scal[S_EXC] + scal[S_LAM_T] * scal[S_TW] + scal[S_ABS]
        old_cost, old_exc, old_tw, old_abs = scal[S_COST], scal[S_EXC], scal[S_TW], scal[S_ABS]
        scal[S_TOUCHED] = 0.0
        nrem = 0
        if rand_float(rng) < fp[P_RETRY]:  # give one dropped customer another chance
            c = 1 + rand_int(rng, n_nodes - 1)
            if st.pattern[c] < 0 and data.pat_ptr[c + 1] > data.pat_ptr[c]:
                removed[0] = c
                nrem = 1
                scal[S_ABS] -= data.penalty[c]
        nrem = _ruin(data, st, fp, rng, touched, tlist, scal, removed, nrem, ruined, buf)
        for c in _order(data, removed, nrem, rng, freq):
            if not _put_in(data, st, c, fp[P_BLINK], rng, touched, tlist, scal, val, rr, pp):
                scal[S_ABS] += data.penalty[c]
        k = int(scal[S_TOUCHED])
        scal[S_WORK] += ITERATION_WORK
        for j in range(k):
            r = tlist[j]
            touched[r] = False
            scal[S_WORK] += 2 * st.rlen[r]
            scal[S_COST] += st.rcost[r]
            scal[S_EXC] += load_excess(data, st, r)
            scal[S_TW] += st.rtw[r]
        new = scal[S_COST] + scal[S_LAM_Q] * scal[S_EXC] + scal[S_LAM_T] * scal[S_TW] + scal[S_ABS]
        if new < cur - temp * math.log(max(rand_float(rng), 1e-300)):
            _copy_routes(data, st, bk, tlist, k)
            feasible = scal[S_EXC] <= FEAS_EPS and scal[S_TW] <= FEAS_EPS
            if feasible and scal[S_COST] + scal[S_ABS] < scal[S_BEST] - 1e-9:
                scal[S_BEST] = scal[S_COST] + scal[S_ABS]
                _copy_routes(data, st, best, all_routes, n_routes)
        else:
            _copy_routes(data, bk, st, tlist, k)
            scal[S_COST], scal[S_EXC], scal[S_TW], scal[S_ABS] = old_cost, old_exc, old_tw, old_abs
        # adapt the penalty weights towards the target share of infeasible iterations
        scal[S_INF_Q] += scal[S_EXC] > FEAS_EPS
        scal[S_INF_T] += scal[S_TW] > FEAS_EPS
        if int(scal[S_ITER]) % adapt == 0:
            for j in range(2):
                s_inf = S_INF_Q + j
                s_lam = S_LAM_Q + j
                if scal[s_inf] / adapt > fp[P_TARGET_INF]:
                    scal[s_lam] *= fp[P_LAM_STEP]
                else:
                    scal[s_lam] = max(scal[s_lam] / fp[P_LAM_STEP], 1e-6)
                scal[s_inf] = 0.0
    return iterations
