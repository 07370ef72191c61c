"""One independent search of the engine: greedy start, annealing to a fixed work budget, local search.

A run is a plain function of its job (:class:`SearchJob` → :class:`SearchOutcome`), so that the caller
can hand several runs to an executor (``SolverOptions.map``): a job carries the problem and every
setting, the outcome the plan as plain lists. The same job gives the same outcome on any machine and
under any load: the work counter alone decides how far the search goes and how the temperature falls;
the wall clock (``deadline``, seconds since the epoch, so that it means the same in another process)
only stops a run early, and the outcome then says ``time_hit``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._data import big_penalty, build_data
from ._kernel import Data, State, new_state, recompute_route, remove_visit
from ._local import local_search
from ._search import N_SCALARS, S_BEST, S_LAM_Q, S_LAM_T, S_WORK, anneal, construct
from .problem import PeriodicRoutingProblem

WORK_PER_UNIT = 1e8  # work counts per effort unit (about one second of one core when measured)
CHUNKS = 100  # the clock is looked at and progress reported this many times per run


@dataclass(frozen=True)
class Paused:
    """A search stopped part-way, to be resumed: its three states (current, accepted, best) as arrays,
    the scalar vector and the random generator of :func:`._search.anneal`."""

    states: tuple[tuple[np.ndarray, ...], ...]
    scal: np.ndarray
    rng: np.ndarray


@dataclass(frozen=True)
class SearchJob:
    """Everything one run needs: the problem, its usable patterns, the search settings, seed and budget.

    ``fp`` is the float parameter vector of :func:`._search.anneal` (temperatures already in cost units).
    ``effort`` is the length of the run's temperature schedule; the run stops at ``stop_at`` × that
    (1.0: the end, then the local search) and, when ``paused`` is given, resumes from it.
    """

    problem: PeriodicRoutingProblem
    patterns: tuple[tuple[tuple[int, ...], ...], ...]
    fp: tuple[float, ...]
    seed: int
    effort: float
    deadline: float
    local_search: bool = True
    stop_at: float = 1.0
    paused: Paused | None = None


@dataclass(frozen=True)
class SearchOutcome:
    """A run's plan: routes per day (customer lists), the pattern index per node (-1 = dropped), totals.

    ``objective``: travel plus penalties of the plan (inf for a paused run that has no feasible plan
    yet); ``paused``: the state to resume from, when the run stopped before the end of its schedule.
    """

    routes: tuple[tuple[tuple[int, ...], ...], ...]
    pattern: tuple[int, ...]
    objective: float
    work: float
    iterations: int
    time_hit: bool
    paused: Paused | None = None


def run_search(job: SearchJob, report: Callable[[float, float], None] | None = None) -> SearchOutcome:
    """Anneal from the greedy start (or from ``job.paused``) until the work budget is spent or the
    deadline passes; at the end of the schedule, the best feasible plan (repaired by dropping customers
    when none was found) after a local search."""
    problem = job.problem
    data = build_data(problem, job.patterns, big_penalty(problem, job.patterns))
    n_nodes, n_days, n_routes = problem.n + 1, len(problem.days), int(data.day_route_ptr[-1])
    fp = np.array(job.fp)
    if job.paused is None:
        st, bk, best = (new_state(n_routes, n_nodes, n_days) for _ in range(3))
        scal = np.zeros(N_SCALARS)
        scale = edge_scale(data.cost, problem.n)
        scal[S_LAM_Q] = scale / max(float(np.mean(data.demand[1:])) if problem.n else 1.0, 1e-9)
        scal[S_LAM_T] = scale / max(edge_scale(data.dur, problem.n), 1e-9)
        scal[S_BEST] = np.inf
        rng = np.array([np.uint64(0x9E3779B97F4A7C15 ^ (job.seed * 0x100000001B3 + 1) % (1 << 64))])
        construct(data, st, scal, rng)
        copy_state(st, bk)
    else:
        st, bk, best = (State(*(a.copy() for a in arrays)) for arrays in job.paused.states)
        scal, rng = job.paused.scal.copy(), job.paused.rng.copy()
    total = job.effort * WORK_PER_UNIT
    stop = total * min(job.stop_at, 1.0)
    chunk = total / CHUNKS
    iterations = 0
    time_hit = False
    while scal[S_WORK] < stop and problem.n > 0:
        if time.time() >= job.deadline:  # the safety net: stop, never change how the search runs
            time_hit = True
            break
        iterations += anneal(data, st, bk, best, scal, fp, rng, min(stop, scal[S_WORK] + chunk), total)
        if report is not None:
            report(scal[S_WORK] / WORK_PER_UNIT, float(scal[S_BEST]))
    if job.stop_at < 1.0 and not time_hit:
        paused = Paused(tuple(tuple(s) for s in (st, bk, best)), scal, rng)
        return SearchOutcome(
            routes_by_day(best, data, n_days),
            tuple(int(p) for p in best.pattern),
            float(scal[S_BEST]),
            float(scal[S_WORK]),
            iterations,
            False,
            paused,
        )
    plan = best if math.isfinite(scal[S_BEST]) else repair(data, st)
    if job.local_search and problem.n > 0:
        scal[S_WORK] += local_search(data, plan)
    objective = float(np.sum(plan.rcost)) + float(
        sum(
            data.penalty[c]
            for c in range(1, n_nodes)
            if plan.pattern[c] < 0 and data.pat_ptr[c + 1] > data.pat_ptr[c]
        )
    )
    return SearchOutcome(
        routes_by_day(plan, data, n_days),
        tuple(int(p) for p in plan.pattern),
        objective,
        float(scal[S_WORK]),
        iterations,
        time_hit,
    )


def edge_scale(matrix: np.ndarray, n: int) -> float:
    """Mean cost from a customer to its five nearest customers (1.0 for fewer than two customers); the
    customers are nodes 1..n of ``matrix`` (places after them do not count)."""
    if n < 2:
        return 1.0
    customers = matrix[1 : n + 1, 1 : n + 1]
    sub = (customers + customers.T) / 2.0 + np.diag(np.full(n, np.inf))
    k = min(5, n - 1)
    value = float(np.mean(np.sort(sub, axis=1)[:, :k]))
    return value if value > 0 else 1.0


def copy_state(src: State, dst: State) -> None:
    for a, b in zip(src, dst, strict=True):
        b[...] = a


def repair(data: Data, st: State) -> State:
    """Drop customers from routes over capacity or past their windows until every route is feasible."""
    while True:
        worst = -1
        worst_val = 1e-7
        for r in range(len(st.rlen)):
            excess = max(0.0, st.rload[r] - data.day_cap[data.route_day[r]]) + st.rtw[r]
            if excess > worst_val and st.rlen[r] > 0:
                worst, worst_val = r, excess
        if worst < 0:
            return st
        c = int(st.nodes[worst, int(np.argmax(data.demand[st.nodes[worst, 1 : st.rlen[worst] + 1]])) + 1])
        for d in range(st.vroute.shape[1]):
            if st.vroute[c, d] >= 0:
                remove_visit(data, st, c, d)
        st.pattern[c] = -1


def routes_by_day(plan: State, data: Data, n_days: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """The non-empty routes of each day as customer tuples."""
    routes: list[list[tuple[int, ...]]] = [[] for _ in range(n_days)]
    for r in range(len(plan.rlen)):
        if plan.rlen[r] > 0:
            routes[int(data.route_day[r])].append(tuple(int(c) for c in plan.nodes[r, 1 : plan.rlen[r] + 1]))
    return tuple(tuple(day) for day in routes)


def state_from_routes(
    data: Data, routes: tuple[tuple[tuple[int, ...], ...], ...], pattern: tuple[int, ...]
) -> State:
    """The search state of a plan given as routes per day and a pattern index per node."""
    n_nodes, n_days = len(pattern), len(routes)
    st = new_state(int(data.day_route_ptr[-1]), n_nodes, n_days)
    for d, day in enumerate(routes):
        for k, customers in enumerate(day):
            r = int(data.day_route_ptr[d]) + k
            st.nodes[r, 1 : len(customers) + 1] = customers
            st.rlen[r] = len(customers)
    for r in range(len(st.rlen)):
        recompute_route(data, st, r)
    st.pattern[:] = pattern
    return st
