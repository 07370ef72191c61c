"""solve_territories: one region's territory plan with a proven bound, or why there is none.

Steps: (1) screen rules no tolerance can fix (parts of the adjacency, locks, the cap); (2) the exact model
for small regions (``exact_max_units`` units and ``exact_max_cells`` units × territories, on a budget of
branch-and-bound nodes); (3) otherwise — or when the exact model stops on its budget — the multistart
local search (``heuristic``) and a lower bound from a relaxation (``bounds``; for the diameter, which needs
no plan, before the search). For the home objective
without contiguity the LP relaxation comes first and is also the bound: the exact model with every unit
the LP assigns whole fixed to its territory (LP and fix; only the split units, about one per balance
row, are branched on) gives a plan within the LP's gap, optimal when that gap is within
``relative_gap``; else it (or the LP rounded, when fixing leaves no plan) is where every restart starts.
Dealers-5000 regions (538–1,129 units, 16–34 territories): LP and fix 0.26–0.88 % above the LP in 1–2 s,
then 16 restarts 0.16–0.40 % (the restarts from fresh starts alone: 0.21–1.03 %, in 1.5× the time).
(4) when no balanced plan is found or one is proven impossible, the smallest tolerance that can be met
(``feasibility``). Every plan returned is re-checked by ``check.check_plan``; the reported objective is
its recomputation. Every step stops on its work budget (``TerritorySettings``); the wall clock is the
safety net and the result says when it fired (``time_limit_hit``).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from ...result import Fix, Infeasibility, SolveInfo, SolverOptions, SolveStatus
from .bounds import Bound, diameter_bound, home_bound, median_bound
from .check import check_plan
from .exact import ExactOutcome, solve_exact
from .feasibility import ToleranceAnalysis, explain_tolerance, screen, smallest_tolerance, tolerance_floor
from .heuristic import TerritorySettings, multistart
from .prepare import search_arrays
from .problem import IntArray, TerritoryProblem
from .result import TerritoryResult

SOLVER = "territory"


def _result(
    problem: TerritoryProblem,
    plan: IntArray | None,
    status: SolveStatus,
    bound: float | None,
    started: float,
    hit: bool,
    message: str,
    restarts: int,
    infeasibilities: tuple[Infeasibility, ...] = (),
    smallest_tolerance: tuple[float | None, ...] | None = None,
    bound_method: str = "",
) -> TerritoryResult:
    runtime = time.monotonic() - started
    if plan is None:
        info = SolveInfo(SOLVER, status, "min", None, bound, runtime, hit, message)
        return TerritoryResult(
            info,
            None,
            infeasibilities=infeasibilities,
            smallest_tolerance=smallest_tolerance,
            restarts=restarts,
            bound_method=bound_method if bound is not None else "",
        )
    chk = check_plan(problem, plan)
    if status.has_solution and not chk.feasible:  # never claim what the checker does not confirm
        status, message = SolveStatus.UNKNOWN, "; ".join(chk.problems)
        infeasibilities = infeasibilities + tuple(
            Infeasibility.of(
                "rule_broken", None, 0.0, "plans", (Fix("set", "option:--time-limit"),), rule=item
            )
            for item in chk.problems
        )
    objective = chk.objective
    if bound is not None and status.has_solution:
        bound = min(bound, objective)
    info = SolveInfo(
        SOLVER, status, "min", objective if status.has_solution else None, bound, runtime, hit, message
    )
    return TerritoryResult(
        info,
        assignment=plan if status.has_solution else None,
        closest_plan=None if status.has_solution else plan,
        centres=chk.centres,
        totals=chk.totals,
        deviation=chk.deviation,
        moved=chk.moved,
        moved_share=chk.moved_share,
        compactness=chk.compactness,
        disruption=chk.disruption,
        infeasibilities=infeasibilities,
        smallest_tolerance=smallest_tolerance,
        restarts=restarts,
        bound_method=bound_method if bound is not None else "",
    )


MAX_DENSE_UNITS = 6000  # the median bound holds an n × n distance matrix (the diameter bound does not)


def _relaxation_bound(problem: TerritoryProblem, upper: float | None, seconds: float) -> Bound:
    if problem.objective == "median" and problem.n > MAX_DENSE_UNITS:
        return Bound(None, "none (region too large for the dense bound)")
    if problem.objective == "home":
        return home_bound(problem, seconds)
    if problem.objective == "median":
        return median_bound(problem, upper, seconds)
    return diameter_bound(problem, upper, seconds)


def _tolerance_result(
    problem: TerritoryProblem,
    analysis: ToleranceAnalysis,
    started: float,
    hit: bool,
    restarts: int,
    extra_issue: str = "",
) -> TerritoryResult:
    if np.isfinite(analysis.floor):
        explanations = explain_tolerance(problem, analysis, hit)
    else:
        explanations = [
            Infeasibility.of(
                "rules_conflict",
                None,
                0.0,
                "plans",
                (Fix("release", "locks"), Fix("set", "cap", 1.0, problem.max_moved_share)),
            )
        ]
    tolerances = [problem.tolerance[e] for e in np.flatnonzero(problem.balanced)]
    proven = extra_issue != "" or any(t is not None and analysis.floor > t + 1e-12 for t in tolerances)
    status = SolveStatus.INFEASIBLE if proven else SolveStatus.UNKNOWN
    smallest = None
    if analysis.achieved is not None:
        smallest = tuple(None if t is None else max(t, analysis.achieved) for t in problem.tolerance)
    message = extra_issue or ("tolerance cannot be met" if proven else "no balanced plan found")
    return _result(
        problem,
        analysis.plan,
        status,
        None,
        started,
        hit,
        message,
        restarts,
        infeasibilities=tuple(explanations),
        smallest_tolerance=smallest,
    )


def solve_territories(
    problem: TerritoryProblem, options: SolverOptions | None = None, settings: TerritorySettings | None = None
) -> TerritoryResult:
    """Design the territories of one region (see ``problem`` for the model). Pure: no files, no printing."""
    options = options or SolverOptions()
    settings = (settings or TerritorySettings()).scaled(options.effort, problem.n)
    started = time.monotonic()
    limit = options.seconds_left()  # the safety net: this solve's limit or the stage's deadline
    deadline = started + limit
    issues = screen(problem)
    if issues:
        info = SolveInfo(
            SOLVER,
            SolveStatus.INFEASIBLE,
            "min",
            None,
            None,
            time.monotonic() - started,
            False,
            "rules that no tolerance can fix",
        )
        return TerritoryResult(info, None, infeasibilities=tuple(issues))
    arrays = search_arrays(problem)
    small = problem.n <= settings.exact_max_units and problem.n * problem.p <= settings.exact_max_cells
    floor, _ = tolerance_floor(problem)

    def quick_search(widened: TerritoryProblem) -> IntArray | None:
        left = max(0.0, deadline - time.monotonic())
        out = multistart(
            widened,
            search_arrays(widened),
            replace(settings, restarts=max(1, settings.restarts // 4)),
            options,
            time.monotonic() + left,
        )
        return out.assignment if out.assignment is not None and out.excess <= 1e-9 else None

    if floor > 0:  # proven before any search: one unit or the locks exceed a band
        analysis = smallest_tolerance(problem, max(1.0, 0.5 * limit), small, quick_search, None)
        return _tolerance_result(problem, analysis, started, False, 0)
    plan: IntArray | None = None
    objective = np.inf
    bound: float | None = None
    hit = False
    if small:
        options.report("exact model", 0, 1)
        exact = solve_exact(
            problem, settings.exact_seconds * limit, options.relative_gap, nodes=settings.exact_nodes
        )
        options.report("exact model", 1, 1)
        if exact.status == "infeasible":
            analysis = smallest_tolerance(problem, max(1.0, 0.5 * limit), True, None, None)
            return _tolerance_result(
                problem,
                analysis,
                started,
                False,
                0,
                "" if np.isfinite(analysis.floor) else "the rules conflict at any tolerance",
            )
        if exact.status == "optimal":
            return _result(
                problem,
                exact.assignment,
                SolveStatus.OPTIMAL,
                exact.bound,
                started,
                False,
                "exact model",
                0,
                bound_method="exact model",
            )
        hit = exact.clock
        bound = exact.bound
        if exact.assignment is not None and exact.objective is not None:
            plan, objective = exact.assignment, exact.objective
    relaxed: Bound | None = None
    start: IntArray | None = None
    first = ""  # where the search starts, for the message
    if problem.objective == "home" and not problem.contiguous and plan is None:
        relaxed = home_bound(problem, max(1.0, min(60.0, 0.5 * (deadline - time.monotonic()))))
        fixed, start = _lp_and_fix(problem, relaxed, settings, options, 0.5 * (deadline - time.monotonic()))
        first = "" if start is None else "LP and fix, then " if fixed is not None else "LP rounded, then "
        if fixed is not None:
            hit = hit or fixed.clock
            done = _proven(
                _result(
                    problem,
                    start,
                    SolveStatus.FEASIBLE,
                    relaxed.value,
                    started,
                    hit,
                    "LP and fix",
                    0,
                    bound_method=relaxed.method,
                ),
                options.relative_gap,
            )
            if done.info.status is SolveStatus.OPTIMAL:
                return done
    if problem.objective == "diameter":
        # the geometry bound needs no plan, so it comes first: a restart runs to its end once begun (on
        # 10,000 units one takes about 15 s), and a search that ends late must not leave it without time
        relaxed = diameter_bound(problem, None, max(1.0, min(60.0, 0.1 * (deadline - time.monotonic()))))
    # the search leaves time for the bound: the Lagrangian needs most, the LP some; for the diameter the
    # bound is done and the reserve is the margin for a restart that ends past the search's deadline
    reserve = (
        {"median": 0.2, "home": 0.1, "diameter": 0.03}[problem.objective]
        if relaxed is None or problem.objective == "diameter"
        else 0.0
    )
    outcome = multistart(problem, arrays, settings, options, deadline - reserve * limit, start, deadline)
    hit = hit or outcome.time_limit_hit
    if outcome.assignment is not None and outcome.excess <= 1e-9 and outcome.objective < objective:
        plan, objective = outcome.assignment, outcome.objective
    seconds = max(1.0, min(60.0, deadline - time.monotonic()))
    if relaxed is None:
        relaxed = _relaxation_bound(problem, objective if np.isfinite(objective) else None, seconds)
    if relaxed.infeasible:
        analysis = smallest_tolerance(problem, seconds, False, quick_search, outcome.assignment)
        return _tolerance_result(
            problem, analysis, started, hit, outcome.restarts, "the relaxation without contiguity has no plan"
        )
    method = "exact model" if bound is not None else ""  # the exact model's bound, until one beats it
    if relaxed.value is not None and (bound is None or relaxed.value >= bound):
        bound, method = relaxed.value, relaxed.method
    if plan is None:
        analysis = smallest_tolerance(problem, seconds, False, quick_search, outcome.assignment)
        return _tolerance_result(problem, analysis, started, hit, outcome.restarts)
    result = _result(
        problem,
        plan,
        SolveStatus.FEASIBLE,
        bound,
        started,
        hit,
        f"{first}{outcome.restarts} restarts, bound: {relaxed.method}",
        outcome.restarts,
        bound_method=method,
    )
    return _proven(result, options.relative_gap)


def _proven(result: TerritoryResult, relative_gap: float) -> TerritoryResult:
    """The result, optimal when its plan is proven within ``relative_gap`` of its bound."""
    gap = result.info.gap
    if result.feasible and gap is not None and gap <= relative_gap:
        return replace(result, info=replace(result.info, status=SolveStatus.OPTIMAL))
    return result


def _lp_and_fix(
    problem: TerritoryProblem,
    relaxed: Bound,
    settings: TerritorySettings,
    options: SolverOptions,
    seconds: float,
) -> tuple[ExactOutcome | None, IntArray | None]:
    """The exact model with every unit the LP optimum assigns whole fixed to its territory: only the
    split units (at most about one per balance and cap row) are left to branch on, so the model is small
    and its plan is within the LP's gap of the optimum. Returns (its outcome, its plan) when it has a
    plan; else (None, the LP rounded to each unit's largest share) as a start for the search to balance;
    (None, None) without an LP optimum."""
    if relaxed.solution is None:
        return None, None
    x = relaxed.solution
    top = np.argmax(x, axis=1).astype(np.int64)
    fixed = np.where(x[np.arange(problem.n), top] >= 1.0 - 1e-6, top, -1).astype(np.int64)
    out = solve_exact(
        problem, max(1.0, seconds), options.relative_gap, nodes=settings.exact_nodes, fixed=fixed
    )
    if out.assignment is None or out.objective is None:
        return None, top
    return out, out.assignment
