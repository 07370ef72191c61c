"""Visit schedule, the library entry: scenario (+ upstream results) → :class:`ScheduleResult`.

Who serves each account comes from the territory plan (``rep_of``, default
:func:`..workload.default_rep_of`), how often from the call plan (``visits_per_month``, default the
tier minimum or the current visits when larger, within the tier maximum). Reps are independent: each
is one periodic routing problem (:mod:`.problem`) solved by :func:`.solve.solve_rep`, one after another
or in a pool of processes when the scenario is big — the same result either way. The objective and
the proven bound are the sums over the reps.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import replace
from functools import partial

from ..data import Account, PlanData
from ..result import SolveInfo, SolverOptions, SolveStatus
from ..tiers.solve import TierResult, assign_tiers
from ..workload import default_rep_of
from .problem import Drop, RepProblem, build_rep_problem, default_visits_per_month
from .result import RepSchedule, ScheduleResult
from .routing import warm_up
from .solve import DEFAULT_PARAMS, SOLVER, RepOutcome, ScheduleParams, solve_rep

POOL_FROM_EFFORT = 10.0  # a process pool (≈ 3 s to start) pays off from about this much engine effort


def build_problems(
    data: PlanData,
    rep_of: Mapping[str, str | None],
    visits_per_month: Mapping[str, float],
    minimum_per_month: Mapping[str, float],
) -> tuple[list[RepProblem], list[Drop], dict[str, int]]:
    """Every rep's problem, the visits of accounts no rep serves, and the planned visits per account."""
    months = data.horizon.months
    planned = {a.id: round(visits_per_month.get(a.id, 0.0) * months) for a in data.accounts}
    by_rep: dict[str, list[Account]] = {r.id: [] for r in data.reps}
    unserved: list[Drop] = []
    for account in data.accounts:
        rep = rep_of.get(account.id)
        if rep in by_rep:
            by_rep[rep].append(account)
        elif planned[account.id] > 0:
            unserved.append(
                Drop(
                    account.id,
                    None,
                    planned[account.id],
                    f"no rep serves it (no rep works in region {account.region})",
                )
            )
    problems = [
        build_rep_problem(data, rep, by_rep[rep.id], visits_per_month, minimum_per_month)
        for rep in data.reps
        if any(planned[a.id] > 0 for a in by_rep[rep.id])
    ]
    return problems, unserved, planned


def run_schedule(
    data: PlanData,
    options: SolverOptions,
    rep_of: Mapping[str, str | None] | None = None,
    visits_per_month: Mapping[str, float] | None = None,
    tiers: TierResult | None = None,
    params: ScheduleParams = DEFAULT_PARAMS,
) -> ScheduleResult:
    """Every rep's visits day by day over the horizon (see module docstring).

    ``options.workers`` > 1 solves reps in that many processes when the reps' engine effort adds up
    to ``POOL_FROM_EFFORT`` or more; ``options.time_limit_seconds`` is the whole stage's safety net
    (a rep's routing stops early when it is reached, and the result says so).
    """
    started = time.perf_counter()
    tier_of = (tiers or assign_tiers(data)).tier_of()
    rep_of = default_rep_of(data) if rep_of is None else rep_of
    defaults = default_visits_per_month(data, tier_of)
    visits_per_month = defaults if visits_per_month is None else visits_per_month
    ranges = data.rules.bands
    minimum = {
        a.id: min(
            visits_per_month.get(a.id, 0.0), ranges[tier_of[a.id]].min if tier_of.get(a.id) in ranges else 0.0
        )
        for a in data.accounts
    }
    problems, unserved, planned = build_problems(data, rep_of, visits_per_month, minimum)
    outcomes = _solve_all(problems, options, params)
    visits = tuple(v for o in outcomes for v in o.visits)
    days = tuple(d for o in outcomes for d in o.days)
    dropped = tuple(unserved) + tuple(d for o in outcomes for d in o.drops)
    reps = tuple(
        RepSchedule(
            o.rep_id, o.info, o.engine, p.n, sum(p.planned) + sum(d.visits for d in p.drops if d.account_id not in p.accounts),
            len(o.visits), sum(d.travel_minutes for d in o.days), len(p.dates),
        )
        for p, o in zip(problems, outcomes, strict=True)
    )  # fmt: skip
    objective = sum(o.info.objective or 0.0 for o in outcomes)
    bound = sum(o.info.bound or 0.0 for o in outcomes)
    gap = (objective - bound) / max(abs(objective), 1e-9)
    info = SolveInfo(
        SOLVER,
        SolveStatus.OPTIMAL if gap <= options.relative_gap else SolveStatus.FEASIBLE,
        "min", objective, bound, time.perf_counter() - started,
        any(o.info.time_limit_hit for o in outcomes),
        f"{len(problems)} reps; objective = travel minutes + penalties of dropped visits",
    )  # fmt: skip
    return ScheduleResult(
        info, visits, days, dropped, reps, planned, dict(rep_of), dict(visits_per_month), tier_of
    )


def _solve_all(
    problems: list[RepProblem], options: SolverOptions, params: ScheduleParams
) -> list[RepOutcome]:
    total = len(problems)
    if not total:
        return []
    workers = max(1, min(options.workers, total))
    warm_up()  # compiling the routing kernels is not the schedule's search time
    deadline = time.time() + options.time_limit_seconds
    quiet = replace(options, workers=1, progress=None, mapper=None)
    effort = sum(params.effort(sum(p.fitted), p.n) for p in problems)
    if options.mapper is not None:  # a process pool or Dask cluster chosen by the caller
        outcomes = options.map(partial(solve_rep, options=quiet, params=params, deadline=deadline), problems)
        options.report("schedule", total, total, f"{total} reps")
        return outcomes
    if workers == 1 or effort < POOL_FROM_EFFORT:
        outcomes = []
        for done, problem in enumerate(problems, start=1):
            outcomes.append(solve_rep(problem, quiet, params, deadline))
            options.report("schedule", done, total, _line(outcomes[-1]))
        return outcomes
    found: dict[str, RepOutcome] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Future[RepOutcome], str] = {
            pool.submit(solve_rep, problem, quiet, params, deadline): problem.rep_id for problem in problems
        }
        for future in as_completed(futures):
            outcome = future.result()
            found[outcome.rep_id] = outcome
            options.report("schedule", len(found), total, _line(outcome))
    return [found[p.rep_id] for p in problems]


def _line(outcome: RepOutcome) -> str:
    dropped = sum(d.visits for d in outcome.drops)
    return (
        f"rep {outcome.rep_id}: {len(outcome.visits)} visits on {len(outcome.days)} days, {dropped} dropped"
    )
