"""solve_periodic_routing: day patterns and routes improved together by ruin-and-recreate annealing.

Method (choices measured on the PVRP benchmark, see benchmarks/pvrp.py):
1. screen the patterns (:mod:`screen`) — unusable ones go, counting proofs of infeasibility are kept;
2. per run (:mod:`_run`): greedy start, then ruin-and-recreate simulated annealing over patterns and
   routes (:mod:`_search`), capacity and time soft with adaptive weights; mandatory customers carry a
   penalty larger than any plan's travel cost plus optional penalties, so a plan that leaves one out
   is kept only when nothing better is found; the run's best plan then goes through a local search
   (:mod:`_local`: relocate, swap, 2-opt*, 2-opt and pattern moves, feasible moves only);
3. with ``runs > 1`` the runs race: the landscape is multimodal (on p23 one seed in four reaches the
   best-known value, the others stop 2–4 % above it, and the seed that wins at a quarter of the
   schedule is the one that wins at the end), so after ``race_at`` of the schedule only the
   ``survivors`` with the cheapest plans go on; the runs of a stage are independent, handed to the
   caller's executor (``SolverOptions.map``);
4. optionally (``polish=True``) each day of the winner re-optimised by PyVRP with the day's visits
   fixed (:mod:`polish`);
5. plans that still break a constraint (tiny budgets) are repaired by dropping customers.

Deterministic for a given seed and effort: the work counter alone decides the search, on an idle or
a busy machine. The wall-clock limit is only a safety net: when it passes, the runs stop where they
are and the result says ``time_limit_hit``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import partial

import numpy as np

from ...result import Fix, Infeasibility, SolveInfo, SolverOptions, SolveStatus
from ._data import big_penalty, build_data
from ._kernel import Data, State, best_insertion
from ._run import SearchJob, SearchOutcome, edge_scale, run_search, state_from_routes
from .polish import polish_days
from .problem import PeriodicRoutingProblem
from .result import DayRoute, DroppedCustomer, PeriodicRoutingResult
from .screen import Screening, screen

SOLVER = "pvrp-sisr"


@dataclass(frozen=True)
class RoutingParams:
    """Work budget and search settings.

    ``effort``: the deterministic work budget, in units of 10⁸ work counts (insertion positions
    scanned, route entries rewritten or walked, 1,000 per iteration) — about one second of one core
    when measured; the same effort and seed give the same plan on any machine, idle or busy.
    ``runs``: independent searches (seeds seed, seed + 1, ...) raced: each anneals for ``race_at`` of
    its temperature schedule, then the ``survivors`` with the cheapest feasible plans so far (ties:
    the lower seed) go on to the end, and the cheapest final plan wins. The effort is shared so that
    runs · race_at + survivors · (1 − race_at) schedules make up ``effort``. The runs of a stage go
    through ``SolverOptions.map``, so a caller's executor runs them side by side; the engine starts no
    pool of its own.
    Temperatures are multiples of the mean cost from a customer to its five nearest ones. A hotter
    start does not pay under the race: at 3, single runs of a survivor's length gained (mean gap to
    best_known_2014 1.41 → 0.98 % on p02, p05, p30, pr03, pr05, two seeds each), but the raced benchmark
    lost on its ten hardest instances (0.82 → 1.02 %: p23 0.00 → 1.53 %, pr04 1.01 → 1.81 %).
    ``local_search``: improve each run's best plan by :mod:`._local` before it is compared.
    ``polish``: re-optimise each day of the winner with PyVRP (:mod:`.polish`),
    ``polish_iterations`` iterations a day.
    """

    effort: float = 30.0
    runs: int = 1
    survivors: int = 2
    race_at: float = 0.25
    start_temperature: float = 1.0
    final_temperature: float = 0.01
    blink_rate: float = 0.01
    average_removed: float = 10.0
    max_string: float = 10.0
    penalty_step: float = 1.25
    target_infeasible: float = 0.2
    adapt_every: int = 100
    retry_dropped: float = 0.5
    local_search: bool = True
    polish: bool = False
    polish_iterations: int = 3000

    def __post_init__(self) -> None:
        if not self.effort >= 0 or self.runs < 1 or self.survivors < 1 or not 0 < self.race_at < 1:
            raise ValueError("effort must be ≥ 0, runs and survivors ≥ 1, and 0 < race_at < 1")


DEFAULT_OPTIONS = SolverOptions()
DEFAULT_PARAMS = RoutingParams()


def solve_periodic_routing(
    problem: PeriodicRoutingProblem,
    options: SolverOptions = DEFAULT_OPTIONS,
    params: RoutingParams = DEFAULT_PARAMS,
) -> PeriodicRoutingResult:
    """Least travel cost plus drop penalties over patterns and routes (model in :mod:`problem`)."""
    started = time.perf_counter()
    deadline = time.time() + options.time_limit_seconds
    screening = screen(problem)
    data = build_data(problem, screening.patterns, big_penalty(problem, screening.patterns))
    scale = edge_scale(data.cost, problem.n)
    fp = (
        params.start_temperature * scale,
        params.final_temperature * scale,
        params.blink_rate,
        params.average_removed,
        params.max_string,
        params.penalty_step,
        params.target_infeasible,
        params.retry_dropped,
        float(params.adapt_every),
    )
    # the search stops at 95 % of the limit, leaving time to assemble the result
    search_deadline = deadline - 0.05 * options.time_limit_seconds
    outcomes = _race(problem, screening, fp, options, params, search_deadline)
    # the cheapest plan; ties go to the first run, so the choice does not depend on who finished first
    won = min(range(len(outcomes)), key=lambda k: (outcomes[k].objective, k))
    outcome = outcomes[won]
    time_hit = any(o.time_hit for o in outcomes)
    routes = [[list(r) for r in day] for day in outcome.routes]
    if params.polish and time.time() < deadline:
        routes = polish_days(problem, routes, params.polish_iterations, options.seed, deadline)
    plan = state_from_routes(data, tuple(tuple(tuple(r) for r in day) for day in routes), outcome.pattern)
    return _result(problem, screening, data, plan, routes, started, time_hit, outcomes)


def _race(
    problem: PeriodicRoutingProblem,
    screening: Screening,
    fp: tuple[float, ...],
    options: SolverOptions,
    params: RoutingParams,
    deadline: float,
) -> list[SearchOutcome]:
    """The final outcomes of the runs (``RoutingParams.runs``): all of them, or the survivors of the race."""
    runs, keep = params.runs, min(params.survivors, params.runs)
    share = runs * params.race_at + keep * (1.0 - params.race_at) if keep < runs else runs
    job = partial(
        SearchJob,
        problem,
        screening.patterns,
        fp,
        effort=params.effort / share,
        deadline=deadline,
        local_search=params.local_search,
    )
    if runs == 1:
        return [run_search(job(options.seed), partial(_report, options, params.effort))]
    if keep == runs:
        return options.map(run_search, [job(options.seed + k) for k in range(runs)])
    first = options.map(run_search, [job(options.seed + k, stop_at=params.race_at) for k in range(runs)])
    done = [o for o in first if o.paused is None]  # stopped by the clock: final as they are
    ranked = sorted(
        (k for k in range(runs) if first[k].paused is not None), key=lambda k: (first[k].objective, k)
    )
    go_on = [job(options.seed + k, paused=first[k].paused) for k in ranked[:keep]]
    return done + options.map(run_search, go_on)


def _report(options: SolverOptions, effort: float, done: float, best: float) -> None:
    options.report("annealing", done, effort, f"best {best:,.2f}")


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
    outcomes: list[SearchOutcome],
) -> PeriodicRoutingResult:
    day_routes: list[DayRoute] = []
    for d, day in enumerate(routes):
        # on a day that finishes elsewhere than it starts, an idle vehicle still makes the trip
        start, finish = problem.ends(d)
        idle = problem.days[d].vehicles - len(day) if start != finish else 0
        for k, customers in enumerate([*day, *([] for _ in range(idle))]):
            starts, end = problem.schedule(customers, d)
            cost = problem.route_cost(customers, d)
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
    # an idle vehicle that cannot even travel from the day's start to its finish by the end of the day
    stranded = [r for r in day_routes if not r.customers and r.end > problem.days[r.day].end + 1e-9]
    for route in stranded:
        working_day = problem.days[route.day]
        infeasible.append(
            Infeasibility.of(
                "day_finish_unreachable",
                {"day": route.day},
                route.end - working_day.end,
                "time units",
                (Fix("add", "working time"),),
                start=working_day.start,
                finish=working_day.finish,
                need=route.end,
                have=working_day.end,
            )
        )
    travel = sum(route.cost for route in day_routes)
    penalty = sum(d.penalty for d in dropped if d.penalty is not None)
    lost = any(d.mandatory for d in dropped)
    if stranded:
        status, message = SolveStatus.INFEASIBLE, "a day's finish cannot be reached by the end of the day"
    elif not lost:
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
        f"{sum(o.iterations for o in outcomes):,} iterations in {len(outcomes)} run(s)"
        + (f"; {message}" if message else ""),
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
