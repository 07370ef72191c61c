"""Numba local search on a feasible plan: route moves within each day and pattern changes.

Intensification in the spirit of HGS's education step (Vidal et al. 2012, Oper. Res. 60(3), §4.3), on a
plan that already respects every constraint, and keeping it so (no penalties: a move is made only when
every changed route stays within capacity, windows and the end of the day, and travel falls):

- per day d, for each visit u and its nearest customers v also visited on d (granular neighbourhood,
  Toth & Vigo 2003): relocate u after or before v, swap u and v, 2-opt* between their routes (the two
  ways that make u and v adjacent), 2-opt inside a route (reverse the stretch between them);
- per customer, the pattern move: take out all its visits and put it back on the pattern whose days'
  cheapest feasible insertions sum lowest (a dropped optional customer comes back when that is cheaper
  than its penalty).

First improvement, passes until none improves. A changed route is re-evaluated by walking it with the
time-window segments of :mod:`._kernel`, O(route length) per candidate. Deterministic; returns the work
done (route entries walked) for the caller's work counter.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._kernel import (
    FEAS_EPS,
    Data,
    State,
    best_insertion,
    cheapest_pattern,
    concat,
    insert_visit,
    recompute_route,
    remove_visit,
)

EPS = 1e-9  # a move must save more than this
NEIGHBOURS = 15  # nearest customers visited the same day that are tried for each visit
MAX_PASSES = 50


@njit(cache=True)
def _walk(data: Data, r: int, seq: np.ndarray, m: int) -> tuple[float, float, float]:
    """Cost, load and time warp of route r as start → seq[0..m-1] → finish of its day."""
    end = data.day_end[data.route_day[r]]
    cost = 0.0
    load = 0.0
    sd, stw, se, sl = 0.0, 0.0, 0.0, end
    prev = data.route_start[r]
    for k in range(m + 1):
        c = seq[k] if k < m else data.route_finish[r]
        cost += data.cost[prev, c]
        if k < m:
            load += data.demand[c]
            sd, stw, se, sl = concat(
                sd, stw, se, sl, data.service[c], 0.0, data.tw_e[c], data.tw_l[c], data.dur[prev, c]
            )
        else:
            sd, stw, se, sl = concat(sd, stw, se, sl, 0.0, 0.0, 0.0, end, data.dur[prev, c])
        prev = c
    return cost, load, stw


@njit(cache=True)
def _fits(data: Data, d: int, load: float, tw: float) -> bool:
    return load <= data.day_cap[d] + FEAS_EPS and tw <= FEAS_EPS


@njit(cache=True)
def _put(buf: np.ndarray, m: int, row: np.ndarray, lo: int, hi: int) -> int:
    """Append positions lo..hi-1 of a route row to buf[m:]; the new length."""
    for i in range(lo, hi):
        buf[m] = row[i]
        m += 1
    return m


@njit(cache=True)
def _put_reversed(buf: np.ndarray, m: int, row: np.ndarray, lo: int, hi: int) -> int:
    """Append positions hi-1 down to lo of a route row to buf[m:]; the new length."""
    for i in range(hi - 1, lo - 1, -1):
        buf[m] = row[i]
        m += 1
    return m


@njit(cache=True)
def _write(data: Data, st: State, r: int, buf: np.ndarray, m: int) -> None:
    st.nodes[r, 1 : m + 1] = buf[:m]
    st.rlen[r] = m
    recompute_route(data, st, r)


@njit(cache=True)
def _try_pair(
    data: Data,
    st: State,
    d: int,
    r1: int,
    r2: int,
    a: np.ndarray,
    ma: int,
    b: np.ndarray,
    mb: int,
    work: np.ndarray,
) -> bool:
    """Replace routes r1 and r2 (distinct) by a and b when both fit and travel falls."""
    work[0] += ma + mb + 2
    ca, qa, ta = _walk(data, r1, a, ma)
    cb, qb, tb = _walk(data, r2, b, mb)
    if ca + cb < st.rcost[r1] + st.rcost[r2] - EPS and _fits(data, d, qa, ta) and _fits(data, d, qb, tb):
        _write(data, st, r1, a, ma)
        _write(data, st, r2, b, mb)
        return True
    return False


@njit(cache=True)
def _try_one(data: Data, st: State, d: int, r: int, a: np.ndarray, ma: int, work: np.ndarray) -> bool:
    """Replace route r by a when it fits and travel falls."""
    work[0] += ma + 1
    ca, qa, ta = _walk(data, r, a, ma)
    if ca < st.rcost[r] - EPS and _fits(data, d, qa, ta):
        _write(data, st, r, a, ma)
        return True
    return False


@njit(cache=True)
def _moves(
    data: Data, st: State, u: int, v: int, d: int, a: np.ndarray, b: np.ndarray, work: np.ndarray
) -> bool:
    """Try the route moves of visit u (day d) towards its neighbour v; True after the first improvement."""
    r1 = st.vroute[u, d]
    r2 = st.vroute[v, d]
    i = st.vpos[u, d]
    j = st.vpos[v, d]
    n1 = st.rlen[r1]
    n2 = st.rlen[r2]
    x = st.nodes[r1]
    y = st.nodes[r2]
    if r1 != r2:
        # relocate u after v, then before v
        for before in range(2):
            ma = _put(a, 0, x, 1, i)
            ma = _put(a, ma, x, i + 1, n1 + 1)
            cut = j if before else j + 1
            mb = _put(b, 0, y, 1, cut)
            b[mb] = u
            mb = _put(b, mb + 1, y, cut, n2 + 1)
            if _try_pair(data, st, d, r1, r2, a, ma, b, mb, work):
                return True
        # swap u and v
        ma = _put(a, 0, x, 1, n1 + 1)
        a[i - 1] = v
        mb = _put(b, 0, y, 1, n2 + 1)
        b[j - 1] = u
        if _try_pair(data, st, d, r1, r2, a, ma, b, mb, work):
            return True
        # 2-opt*: u then v (tails exchanged after u and before v), and v then u
        ma = _put(a, 0, x, 1, i + 1)
        ma = _put(a, ma, y, j, n2 + 1)
        mb = _put(b, 0, y, 1, j)
        mb = _put(b, mb, x, i + 1, n1 + 1)
        if _try_pair(data, st, d, r1, r2, a, ma, b, mb, work):
            return True
        ma = _put(a, 0, x, 1, i)
        ma = _put(a, ma, y, j + 1, n2 + 1)
        mb = _put(b, 0, y, 1, j + 1)
        mb = _put(b, mb, x, i, n1 + 1)
        return _try_pair(data, st, d, r1, r2, a, ma, b, mb, work)
    # same route: relocate u after v, and 2-opt (reverse the stretch so that u and v become adjacent)
    if j != i - 1:
        ma = 0
        for k in range(1, n1 + 1):
            if k != i:
                a[ma] = x[k]
                ma += 1
            if k == j:
                a[ma] = u
                ma += 1
        if _try_one(data, st, d, r1, a, ma, work):
            return True
    lo = min(i, j)
    hi = max(i, j)
    if hi - lo >= 2:
        ma = _put(a, 0, x, 1, lo + 1)
        ma = _put_reversed(a, ma, x, lo + 1, hi + 1)
        ma = _put(a, ma, x, hi + 1, n1 + 1)
        if _try_one(data, st, d, r1, a, ma, work):
            return True
    return False


@njit(cache=True)
def _pattern_move(data: Data, st: State, c: int, work: np.ndarray) -> bool:
    """Move c to the pattern with the cheapest feasible insertions when that saves travel (or penalty)."""
    n_days = st.vroute.shape[1]
    rng = np.ones(1, dtype=np.uint64)  # unused: no blinks in a strict insertion
    old_r = np.full(n_days, -1, dtype=np.int64)
    old_p = np.full(n_days, -1, dtype=np.int64)
    old_pattern = st.pattern[c]
    saved = data.penalty[c] if old_pattern < 0 else 0.0
    for d in range(n_days):
        r = st.vroute[c, d]
        if r >= 0:
            pos = st.vpos[c, d]
            prev = st.nodes[r, pos - 1]
            nxt = st.nodes[r, pos + 1]
            saved += data.cost[prev, c] + data.cost[c, nxt] - data.cost[prev, nxt]
            old_r[d] = r
            old_p[d] = pos
            remove_visit(data, st, c, d)
            work[0] += st.rlen[r] + 1
    val = np.full(n_days, np.inf)
    rr = np.full(n_days, -1, dtype=np.int64)
    pp = np.full(n_days, -1, dtype=np.int64)
    for d in range(n_days):
        if data.allowed[c, d]:
            for r in range(data.day_route_ptr[d], data.day_route_ptr[d + 1]):
                work[0] += st.rlen[r] + 1
            val[d], rr[d], pp[d] = best_insertion(data, st, c, d, 0.0, 0.0, 0.0, rng, True)
    best, best_p = cheapest_pattern(data, c, val)
    if best_p >= 0 and best < saved - EPS and (old_pattern >= 0 or best < data.penalty[c]):
        for k in range(data.pat_days_ptr[best_p], data.pat_days_ptr[best_p + 1]):
            d = data.pat_days[k]
            insert_visit(data, st, c, rr[d], pp[d])
        st.pattern[c] = best_p
        return True
    for d in range(n_days):  # no gain: put the visits back where they were
        if old_r[d] >= 0:
            insert_visit(data, st, c, old_r[d], old_p[d])
    return False


@njit(cache=True)
def local_search(data: Data, st: State) -> float:
    """Improve the feasible plan ``st`` in place until no move of the module docstring saves travel;
    the work done."""
    n_nodes, n_days = st.vroute.shape
    a = np.empty(n_nodes + 1, dtype=np.int64)
    b = np.empty(n_nodes + 1, dtype=np.int64)
    work = np.zeros(1)
    for _ in range(MAX_PASSES):
        improved = False
        for u in range(1, n_nodes):
            if data.pat_ptr[u + 1] == data.pat_ptr[u]:
                continue
            for d in range(n_days):
                if st.vroute[u, d] < 0:
                    continue
                found = 0
                for k in range(data.adj.shape[1]):
                    if found >= NEIGHBOURS:
                        break
                    v = data.adj[u, k]
                    if st.vroute[v, d] < 0:
                        continue
                    found += 1
                    if _moves(data, st, u, v, d, a, b, work):
                        improved = True
            movable = data.pat_ptr[u + 1] - data.pat_ptr[u] > 1 or st.pattern[u] < 0
            if movable and _pattern_move(data, st, u, work):
                improved = True
        if not improved:
            break
    return work[0]
