"""solve_periodic_routing: day patterns and routes improved together by ruin-and-recreate annealing.

Method (choices measured on the PVRP benchmark, see benchmarks/pvrp.py):
1. screen the patterns (:mod:`screen`) — unusable ones go, counting proofs of infeasibility are kept;
2. greedy start, then ruin-and-recreate simulated annealing over patterns and routes (:mod:`_search`),
   capacity and time soft with adaptive weights; mandatory customers carry a penalty larger than any
   plan's travel cost plus optional penalties, so a plan that leaves one out is kept only when nothing
   better is found;
3. optionally (``polish=True``) each day of the best plan re-optimised by PyVRP with the day's visits
   fixed (:mod:`polish`). Measured on the ten hardest benchmark instances it never improved the
   annealed routes, so it is off by default;
4. plans that still break a constraint (tiny budgets) are repaired by dropping customers.

Deterministic for a given seed and effort. The wall-clock limit is a safety net: when the measured
pace shows it would be hit, the remaining temperature schedule is compressed to end in time, and the
result says ``time_limit_hit``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ...result import Fix, Infeasibility, SolveInfo, SolverOptions, SolveStatus
from ._data import big_penalty, build_data
from ._kernel import Data, State, best_insertion, new_state, remove_visit
from ._search import N_SCALARS, S_BEST, S_LAM_Q, S_LAM_T, S_WORK, anneal, construct
from .polish import polish_days
from .problem import PeriodicRoutingProblem
from .result import DayRoute, DroppedCustomer, PeriodicRoutingResult
from .screen import Screening, screen

SOLVER = "pvrp-sisr"
WORK_PER_UNIT = 1e8  # work counts per effort unit (about one second of one core when measured)


@dataclass(frozen=True)
class RoutingParams:
    """Work budget and search settings.

    ``effort``: the deterministic work budget of the annealing, in units of 10⁸ work counts
    (insertion positions scanned, route entries rewritten, 1,000 per iteration) — about one second of
    one core when measured; the same effort and seed give the same plan on any machine.
    Temperatures are multiples of the mean cost from a customer to its five nearest ones.
    """

    effort: float = 30.0
    start_temperature: float = 1.0
    final_temperature: float = 0.01
    blink_rate: float = 0.01
    average_removed: float = 10.0
    max_string: float = 10.0
    penalty_step: float = 1.25
    target_infeasible: float = 0.2
    adapt_every: int = 100
    retry_dropped: float = 0.5
    polish: bool = False
    polish_iterations: int = 3000


DEFAULT_OPTIONS = SolverOptions()
DEFAULT_PARAMS = RoutingParams()


def solve_periodic_routing(
    problem: PeriodicRoutingProblem,
    options: SolverOptions = DEFAULT_OPTIONS,
    params: RoutingParams = DEFAULT_PARAMS,
) -> PeriodicRoutingResult:
    """Least travel cost plus drop penalties over patterns and routes (model in :mod:`problem`)."""
    started = time.perf_counter()
    deadline = started + options.time_limit_seconds
    screening = screen(problem)
    data = build_data(problem, screening.patterns, big_penalty(problem, screening.patterns))
    n_nodes, n_days, n_routes = problem.n + 1, len(problem.days), int(data.day_route_ptr[-1])
    st, bk, best = (new_state(n_routes, n_nodes, n_days) for _ in range(3))
    scal = np.zeros(N_SCALARS)
    scale = _edge_scale(data.cost)
    scal[S_LAM_Q] = scale / max(float(np.mean(data.demand[1:])) if problem.n else 1.0, 1e-9)
    scal[S_LAM_T] = scale / max(_edge_scale(data.dur), 1e-9)
    scal[S_BEST] = np.inf
    rng = np.array([np.uint64(0x9E3779B97F4A7C15 ^ (options.seed * 0x100000001B3 + 1) % (1 << 64))])
    fp = np.array(
        [
            params.start_temperature * scale,
            params.final_temperature * scale,
            params.blink_rate,
            params.average_removed,
            params.max_string,
            params.penalty_step,
            params.target_infeasible,
            params.retry_dropped,
            params.adapt_every,
        ]
    )
    construct(data, st, scal, rng)
    _copy_all(st, bk)
    total = params.effort * WORK_PER_UNIT
    chunk = total / 100.0
    iterations = 0
    time_hit = False
    search_end = started + 0.95 * options.time_limit_seconds  # leave time to assemble the result
    begun: float | None = None  # the pace is measured after the first chunk, which pays for JIT loading
    work0 = scal[S_WORK]
    while scal[S_WORK] < total and problem.n > 0:
        now = time.perf_counter()
        if now >= search_end:
            time_hit = True
            break
        if (
            begun is not None and scal[S_WORK] > work0 and now > begun
        ):  # the clock would cut the search: cool sooner
            reachable = scal[S_WORK] + (scal[S_WORK] - work0) / (now - begun) * (search_end - now)
            if reachable < total:
                total, time_hit = max(reachable, scal[S_WORK] + chunk / 10.0), True
        iterations += anneal(data, st, bk, best, scal, fp, rng, min(total, scal[S_WORK] + chunk), total)
        if begun is None:
            begun, work0 = time.perf_counter(), scal[S_WORK]
        options.report("annealing", scal[S_WORK] / WORK_PER_UNIT, params.effort, f"best {scal[S_BEST]:,.2f}")
    plan = best if math.isfinite(scal[S_BEST]) else _repair(data, st)
    routes = _routes_by_day(plan, data, n_days)
    if params.polish and not time_hit and time.perf_counter() < deadline:
        routes = polish_days(problem, routes, params.polish_iterations, options.seed, deadline)
    return _result(problem, screening, data, plan, routes, started, time_hit, iterations)


def _edge_scale(matrix: np.ndarray) -> float:
    """Mean cost from a customer to its five nearest customers (1.0 for fewer than two customers)."""
    n = matrix.shape[0] - 1
    if n < 2:
        return 1.0
    sub = (matrix[1:, 1:] + matrix[1:, 1:].T) / 2.0 + np.diag(np.full(n, np.inf))
    k = min(5, n - 1)
    value = float(np.mean(np.sort(sub, axis=1)[:, :k]))
    return value if value > 0 else 1.0


def _copy_all(src: State, dst: State) -> None:
    for a, b in zip(src, dst, strict=True):
        b[...] = a


def _repair(data: Data, st: State) -> State:
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


def _routes_by_day(plan: State, data: Data, n_days: int) -> list[list[list[int]]]:
    routes: list[list[list[int]]] = [[] for _ in range(n_days)]
    for r in range(len(plan.rlen)):
        if plan.rlen[r] > 0:
            routes[int(data.route_day[r])].append([int(c) for c in plan.nodes[r, 1 : plan.rlen[r] + 1]])
    return routes


def _drop_reason(data: Data, plan: State, screening: Screening, c: int) -> str:
    if c in screening.unusable:
        return screening.unusable[c]
    rng = np.array([np.uint64(1)])
    cheapest = math.inf
    for p in range(data.pat_ptr[c], data.pat_ptr[c + 1]):
        days = data.pat_days[data.pat_days_ptr[p] : data.pat_days_ptr[p + 1]]
        total = sum(best_insertion(data, plan, c, int(d), 1e9, 1e9, 0.0, rng)[0] for d in days)
        cheapest = min(cheapest, total)
    if cheapest < 1e8:
        return f"fitting it in would add {cheapest:,.2f} to the travel cost, more than its drop penalty"
    return "no allowed pattern has room left (vehicle capacity or working hours) on all its days"


def _result(
    problem: PeriodicRoutingProblem,
    screening: Screening,
    data: Data,
    plan: State,
    routes: list[list[list[int]]],
    started: float,
    time_hit: bool,
    iterations: int,
) -> PeriodicRoutingResult:
    day_routes: list[DayRoute] = []
    for d, day in enumerate(routes):
        for k, customers in enumerate(day):
            starts, end = problem.schedule(customers)
            cost = problem.route_cost(customers)
            load = float(sum(problem.customers[i - 1].demand for i in customers))
            day_routes.append(DayRoute(d, k, tuple(customers), starts, cost, load, end))
    patterns: list[tuple[int, ...] | None] = []
    dropped: list[DroppedCustomer] = []
    infeasible: list[Infeasibility] = list(screening.proofs)
    for c, customer in enumerate(problem.customers, start=1):
        p = int(plan.pattern[c])
        if p >= 0:
            patterns.append(
                tuple(int(d) for d in data.pat_days[data.pat_days_ptr[p] : data.pat_days_ptr[p + 1]])
            )
            continue
        patterns.append(None)
        mandatory = customer.drop_penalty is None
        reason = _drop_reason(data, plan, screening, c)
        dropped.append(DroppedCustomer(c, mandatory, customer.drop_penalty, reason))
        if mandatory and c not in screening.unusable:
            infeasible.append(
                Infeasibility.of(
                    "mandatory_not_fitted",
                    {"customer": c},
                    1.0,
                    "customers",
                    (Fix("add", "working time"), Fix("release", "mandatory")),
                    reason=reason,
                )
            )
    travel = sum(route.cost for route in day_routes)
    penalty = sum(d.penalty for d in dropped if d.penalty is not None)
    lost = any(d.mandatory for d in dropped)
    if not lost:
        status, message = SolveStatus.FEASIBLE, ""
    elif screening.proofs:
        status, message = SolveStatus.INFEASIBLE, "mandatory customers cannot all be visited (proven)"
    else:
        status, message = (
            SolveStatus.UNKNOWN,
            "some mandatory customers were not fitted; not proven impossible",
        )
    info = SolveInfo(
        SOLVER,
        status,
        "min",
        travel + penalty,
        None,
        time.perf_counter() - started,
        time_hit,
        f"{iterations:,} iterations" + (f"; {message}" if message else ""),
    )
    return PeriodicRoutingResult(
        info, tuple(patterns), tuple(day_routes), tuple(dropped), travel, penalty, tuple(infeasible)
    )


_warm = False


def warm_up() -> None:
    """Compile the search kernels (or load them from numba's disk cache) once per process, on a
    three-customer instance, so that compiling never counts against a solve's time limit: on a fresh
    machine it takes tens of seconds."""
    global _warm
    if _warm:
        return
    from .problem import RoutingCustomer, RoutingDay

    cost = np.array([[0, 1, 2, 2], [1, 0, 1, 2], [2, 1, 0, 1], [2, 2, 1, 0]], dtype=float)
    customers = (
        RoutingCustomer(((0,), (1,)), service=0.1, time_window=(0.0, 50.0)),
        RoutingCustomer(((0, 1),), demand=1.0, drop_penalty=10.0),
        RoutingCustomer(((1,),), service=0.2),
    )
    days = (RoutingDay(1, 5.0, 20.0), RoutingDay(1, 5.0, 20.0))
    solve_periodic_routing(
        PeriodicRoutingProblem(cost, customers, days),
        SolverOptions(time_limit_seconds=600.0),
        RoutingParams(effort=0.001),
    )
    _warm = True
