"""Numba core of the PVRP search: the solution state and O(1) insertion checks.

A solution is a set of routes, R = Σ_d m_d of them, each a row of ``nodes`` (start, customers, finish):
the ends are the start and finish node of the route's day (the depot, or a place on a multi-day trip),
and only customers 1..n ever stand between them.
Every route keeps prefix and suffix *time-window segments* (Vidal et al. 2013, "A hybrid genetic
algorithm with adaptive diversity management ...", Comput. Oper. Res.): duration D (travel + service +
waiting), time warp TW, earliest E and latest L start. Concatenating two segments is O(1), so the time
warp of a route with a customer inserted anywhere is known in O(1). The end of the day H_d is the
window of the route's ends, so without customer windows TW = max(0, travel + service − H_d): the
classic maximum-duration excess. Load and time warp are soft during the search (penalised with weights λ_Q,
λ_T); only solutions with neither are kept as the best.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

# Static data. cost and dur span every node (depot, customers, places); the per-node arrays hold the
# depot and the customers 0..n only. Patterns of customer c: p in [pat_ptr[c], pat_ptr[c+1]); days of p
# in pat_days[pat_days_ptr[p]:pat_days_ptr[p+1]]. Routes of day d: [day_route_ptr[d], day_route_ptr[d+1]);
# route r runs from node route_start[r] to node route_finish[r]. start_cost[c]: the least c[s_d, c]
# over the days d that c may be visited on (how far c lies from where routes begin).
Data = namedtuple(
    "Data",
    "cost dur service demand tw_e tw_l penalty pat_ptr pat_days_ptr pat_days allowed "
    "route_day day_route_ptr day_cap day_end adj route_start route_finish start_cost",
)
# Mutable state. vroute[c, d] / vpos[c, d]: route and position of c on day d (-1: not visited).
State = namedtuple("State", "nodes rlen rcost rload rtw fD fTW fE fL bD bTW bE bL vroute vpos pattern")


def new_state(n_routes: int, n_nodes: int, n_days: int) -> State:
    """An empty solution: all routes empty, every customer unassigned."""
    width = n_nodes + 1

    def segment() -> np.ndarray:  # one of the eight prefix/suffix segment arrays
        return np.zeros((n_routes, width))

    return State(
        nodes=np.zeros((n_routes, width), dtype=np.int64),
        rlen=np.zeros(n_routes, dtype=np.int64),
        rcost=np.zeros(n_routes),
        rload=np.zeros(n_routes),
        rtw=np.zeros(n_routes),
        fD=segment(),
        fTW=segment(),
        fE=segment(),
        fL=segment(),
        bD=segment(),
        bTW=segment(),
        bE=segment(),
        bL=segment(),
        vroute=np.full((n_nodes, n_days), -1, dtype=np.int64),
        vpos=np.full((n_nodes, n_days), -1, dtype=np.int64),
        pattern=np.full(n_nodes, -1, dtype=np.int64),
    )


FEAS_EPS = 1e-7  # load excess and time warp tolerated in a feasible route


@njit(cache=True)
def cheapest_pattern(data: Data, c: int, val: np.ndarray) -> tuple[float, int]:
    """The pattern of c whose days' values ``val[d]`` sum lowest: (sum, pattern); (inf, -1) if none."""
    best = np.inf
    best_p = -1
    for p in range(data.pat_ptr[c], data.pat_ptr[c + 1]):
        v = 0.0
        for k in range(data.pat_days_ptr[p], data.pat_days_ptr[p + 1]):
            v += val[data.pat_days[k]]
        if v < best:
            best = v
            best_p = p
    return best, best_p


@njit(cache=True)
def rand_float(rng: np.ndarray) -> float:
    """xorshift64* uniform in [0, 1); ``rng`` is a one-element uint64 array."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return float((x * np.uint64(2685821657736338717)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def rand_int(rng: np.ndarray, k: int) -> int:
    """Uniform integer in 0..k-1."""
    return min(int(rand_float(rng) * k), k - 1)


@njit(cache=True)
def concat(d1, tw1, e1, l1, d2, tw2, e2, l2, t):
    """Segment σ1 ⊕ σ2 with travel t between them: (duration, time warp, earliest, latest)."""
    delta = d1 - tw1 + t
    wait = max(e2 - delta - l1, 0.0)
    warp = max(e1 + delta - l2, 0.0)
    return d1 + d2 + t + wait, tw1 + tw2 + warp, max(e2 - delta, e1) - wait, min(l2 - delta, l1) + warp


@njit(cache=True)
def recompute_route(data: Data, st: State, r: int) -> None:
    """Refresh cost, load, time warp, the segments and the visit index of route r."""
    d = data.route_day[r]
    n_r = st.rlen[r]
    seq = st.nodes[r]
    seq[0] = data.route_start[r]
    seq[n_r + 1] = data.route_finish[r]
    end = data.day_end[d]
    st.fD[r, 0] = 0.0
    st.fTW[r, 0] = 0.0
    st.fE[r, 0] = 0.0
    st.fL[r, 0] = end
    cost = 0.0
    load = 0.0
    for i in range(1, n_r + 2):
        a = seq[i - 1]
        b = seq[i]
        cost += data.cost[a, b]
        if i <= n_r:
            load += data.demand[b]
            sd, se, sl = data.service[b], data.tw_e[b], data.tw_l[b]
            st.vroute[b, d] = r
            st.vpos[b, d] = i
        else:
            sd, se, sl = 0.0, 0.0, end
        st.fD[r, i], st.fTW[r, i], st.fE[r, i], st.fL[r, i] = concat(
            st.fD[r, i - 1],
            st.fTW[r, i - 1],
            st.fE[r, i - 1],
            st.fL[r, i - 1],
            sd,
            0.0,
            se,
            sl,
            data.dur[a, b],
        )
    st.bD[r, n_r + 1] = 0.0
    st.bTW[r, n_r + 1] = 0.0
    st.bE[r, n_r + 1] = 0.0
    st.bL[r, n_r + 1] = end
    for i in range(n_r, -1, -1):
        a = seq[i]
        b = seq[i + 1]
        if i >= 1:
            sd, se, sl = data.service[a], data.tw_e[a], data.tw_l[a]
        else:
            sd, se, sl = 0.0, 0.0, end
        st.bD[r, i], st.bTW[r, i], st.bE[r, i], st.bL[r, i] = concat(
            sd,
            0.0,
            se,
            sl,
            st.bD[r, i + 1],
            st.bTW[r, i + 1],
            st.bE[r, i + 1],
            st.bL[r, i + 1],
            data.dur[a, b],
        )
    st.rcost[r] = cost
    st.rload[r] = load
    st.rtw[r] = st.fTW[r, n_r + 1]


@njit(cache=True)
def insert_visit(data: Data, st: State, c: int, r: int, pos: int) -> None:
    """Put customer c at position pos (1-based, before the current occupant) of route r."""
    n_r = st.rlen[r]
    for i in range(n_r + 1, pos - 1, -1):
        st.nodes[r, i + 1] = st.nodes[r, i]
    st.nodes[r, pos] = c
    st.rlen[r] = n_r + 1
    recompute_route(data, st, r)


@njit(cache=True)
def remove_visit(data: Data, st: State, c: int, d: int) -> int:
    """Take customer c out of its route on day d; returns that route."""
    r = st.vroute[c, d]
    pos = st.vpos[c, d]
    n_r = st.rlen[r]
    for i in range(pos, n_r + 1):
        st.nodes[r, i] = st.nodes[r, i + 1]
    st.rlen[r] = n_r - 1
    st.vroute[c, d] = -1
    st.vpos[c, d] = -1
    recompute_route(data, st, r)
    return r


@njit(cache=True)
def load_excess(data: Data, st: State, r: int) -> float:
    """Load above the day's capacity on route r."""
    return max(0.0, st.rload[r] - data.day_cap[data.route_day[r]])


@njit(cache=True)
def best_insertion(
    data: Data,
    st: State,
    c: int,
    d: int,
    lam_q: float,
    lam_t: float,
    blink: float,
    rng: np.ndarray,
    strict: bool = False,
) -> tuple[float, int, int]:
    """Cheapest penalised insertion of c into a route of day d: (Δ, route, position); (inf, -1, -1) if none.

    Each position is skipped with probability ``blink`` (Christiaens & Vanden Berghe 2020). Positions
    whose cost and load terms alone already reach the best are not timed (time warp never helps).
    ``strict``: only positions that leave the route within capacity and without time warp count
    (the penalty weights are then ignored).
    """
    best = np.inf
    best_r = -1
    best_p = -1
    q = data.demand[c]
    seen_empty = False
    for r in range(data.day_route_ptr[d], data.day_route_ptr[d + 1]):
        n_r = st.rlen[r]
        if n_r == 0:
            if seen_empty:
                continue
            seen_empty = True
        cap = data.day_cap[d]
        if strict and st.rload[r] + q > cap + FEAS_EPS:
            continue
        load_pen = 0.0 if strict else lam_q * (max(0.0, st.rload[r] + q - cap) - max(0.0, st.rload[r] - cap))
        seq = st.nodes[r]
        for i in range(n_r + 1):
            a = seq[i]
            b = seq[i + 1]
            delta = data.cost[a, c] + data.cost[c, b] - data.cost[a, b] + load_pen
            if delta >= best:
                continue
            if blink > 0.0 and rand_float(rng) < blink:
                continue
            d1, tw1, e1, l1 = concat(
                st.fD[r, i],
                st.fTW[r, i],
                st.fE[r, i],
                st.fL[r, i],
                data.service[c],
                0.0,
                data.tw_e[c],
                data.tw_l[c],
                data.dur[a, c],
            )
            tw2 = concat(
                d1,
                tw1,
                e1,
                l1,
                st.bD[r, i + 1],
                st.bTW[r, i + 1],
                st.bE[r, i + 1],
                st.bL[r, i + 1],
                data.dur[c, b],
            )[1]
            if strict:
                if tw2 > FEAS_EPS:
                    continue
            else:
                delta += lam_t * (tw2 - st.rtw[r])
            if delta < best:
                best = delta
                best_r = r
                best_p = i + 1
    return best, best_r, best_p
