"""Visit schedule, the library entry: scenario (+ upstream results) → :class:`ScheduleResult`.

Who serves each account comes from the territory plan (``rep_of``, default
:func:`..workload.default_rep_of`), how often from the call plan (``visits_per_month``, default the
tier minimum or the current visits when larger, within the tier maximum). Reps are independent: each
is one periodic routing problem (:mod:`.problem`) solved by :func:`.solve.solve_rep`, one after another
or in a pool of processes when the scenario is big — the same result either way. The objective and
the proven bound are the sums over the reps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import pickle
import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from ..data import Account, PlanData
from ..result import SolveInfo, SolverOptions, SolveStatus
from ..tiers.solve import TierResult, default_visits_per_month, solve_tiers
from ..workload import default_rep_of
from .problem import Drop, RepProblem, build_rep_problem
from .result import RepSchedule, ScheduleResult
from .routing import warm_up
from .solve import DEFAULT_PARAMS, SOLVER, RepOutcome, ScheduleParams, certified, solve_rep
from .work import work_of_reps

if TYPE_CHECKING:
    from ..plan import Plan


def build_problems(
    data: PlanData,
    rep_of: Mapping[str, str | None],
    visits_per_month: Mapping[str, float],
    minimum_per_month: Mapping[str, float],
    budgets: Mapping[str, float] | None = None,
    visit_by: Mapping[str, dt.date] | None = None,
) -> tuple[list[RepProblem], list[Drop], dict[str, int]]:
    """Every rep's problem, the visits of accounts no rep serves, and the planned visits per account;
    ``visit_by``: account → the date its first visit should fall by (:func:`.problem.build_rep_problem`)."""
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
                    "unserved",
                )
            )
    problems = [
        build_rep_problem(
            data,
            rep,
            by_rep[rep.id],
            visits_per_month,
            minimum_per_month,
            (budgets or {}).get(rep.id, math.inf),
            visit_by=visit_by,
        )
        for rep in data.reps
        if any(planned[a.id] > 0 for a in by_rep[rep.id])
    ]
    return problems, unserved, planned


Kept = tuple[ScheduleResult, list[RepProblem], list[RepOutcome]]  # a result not yet certified, its inputs


def run_schedule(
    data: PlanData,
    options: SolverOptions,
    rep_of: Mapping[str, str | None] | None = None,
    visits_per_month: Mapping[str, float] | None = None,
    tiers: TierResult | None = None,
    params: ScheduleParams = DEFAULT_PARAMS,
    opportunities: Mapping[str, tuple[str, ...]] | None = None,
    work: Mapping[str, tuple[str, ...]] | None = None,
    budgets: Mapping[str, float] | None = None,
    cache: dict[bytes, RepOutcome] | None = None,
    certify: bool = True,
    kept: dict[int, Kept] | None = None,
) -> ScheduleResult:
    """Every rep's visits day by day over the horizon (see module docstring), and the effort of the
    opportunities in ``work`` (account → chosen opportunity ids) in their free time (:mod:`.work`);
    ``budgets`` (rep → minutes of visits and travel over the horizon) caps each rep's field work: the
    selling hours less the opportunities' work. ``cache`` (problem fingerprint → outcome) keeps each rep's
    outcome for the next call with the same problem: the engine is deterministic for a problem, seed and
    work budget, so a rep whose problem did not change is not routed again (the pipeline's rounds).
    ``certify``: each rep's bound is the day-route bound where it is higher (:func:`.solve.certified`);
    without it, ``kept`` (when given) holds the problems and outcomes under the result's id, for
    :func:`certify_schedule` to certify the result later.

    Reps go through ``options.map`` (the caller's executor); ``options.time_limit_seconds`` is the whole
    stage's safety net, split among the reps by their work budgets (a rep's routing stops early when its
    share is spent, and the result says so).
    """
    started = time.perf_counter()
    tier_of = (tiers or solve_tiers(data)).tier_of()
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
    problems, unserved, planned = build_problems(
        data, rep_of, visits_per_month, minimum, budgets, visit_due(data, work or {})
    )
    outcomes = _solve_cached(problems, options, params, cache)
    if certify:
        outcomes = _certify_all(problems, outcomes, options)
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
        f"{len(problems)} reps; objective = travel minutes + penalties of dropped visits"
        + (bound_note([o.info for o in outcomes]) if certify else ""),
    )  # fmt: skip
    if opportunities is None:
        linked: dict[str, list[str]] = {}
        for o in data.opportunities:
            if not o.exclude:
                linked.setdefault(o.account, []).append(o.id)
        opportunities = {a: tuple(ids) for a, ids in linked.items()}
    blocks, short = work_of_reps(data, days, visits, work or {}, rep_of)
    toured = {
        account: (p.rep_id, limit)
        for p, o in zip(problems, outcomes, strict=True)
        if any(d.end_place for d in o.days)  # the rep's schedule with tours was kept
        for account, limit in p.tour_limits
    }
    result = ScheduleResult(
        info,
        visits,
        days,
        dropped,
        reps,
        planned,
        dict(rep_of),
        dict(visits_per_month),
        tier_of,
        dict(opportunities),
        blocks,
        short,
        toured,
    )
    if not certify and kept is not None:
        kept[id(result)] = (result, problems, outcomes)
    return result


def certify_schedule(
    result: ScheduleResult,
    options: SolverOptions,
    kept: dict[int, Kept],
) -> ScheduleResult:
    """``result`` (of :func:`run_schedule` without ``certify``, its problems in ``kept``) with each rep's
    day-route bound where it is higher, and the stage's bound and gap summed again; the visits are
    the same."""
    if id(result) not in kept or kept[id(result)][0] is not result:
        return result
    _, problems, outcomes = kept[id(result)]
    bounds = {o.rep_id: o.info for o in _certify_all(problems, outcomes, options)}
    reps = tuple(dataclasses.replace(r, info=bounds.get(r.rep_id, r.info)) for r in result.reps)
    message = result.info.message + bound_note([r.info for r in reps])
    info = result.info.bounded(sum(r.info.bound or 0.0 for r in reps), options.relative_gap, message)
    return dataclasses.replace(result, reps=reps, info=info)


def bound_note(reps: Sequence[SolveInfo]) -> str:
    """What proves the reps' bounds, for the stage's message: how many reps the day routes bound, how many
    keep the nearest-arc bound (loose where a rep makes many short visits a day, unless it proves the rep
    optimal),
    and the worst rep's gap — so that a large stage gap can be read (``python -m benchmarks schedule`` sets
    the routes beside an independent peer's)."""
    gaps = [info.gap for info in reps if info.gap is not None]
    if not gaps:
        return ""
    arcs = [info for info in reps if info.message.rpartition("bound: ")[2] != "day routes"]
    routed = len(reps) - len(arcs)
    closed = sum(info.status is SolveStatus.OPTIMAL for info in arcs)  # gap within the relative gap
    worst = f"; worst rep {max(gaps):.1%} above its bound"
    if not arcs:
        return f"; bound: day routes on every rep{worst}"
    if closed == len(arcs):
        return (
            f"; bound: day routes on {routed} of {len(reps)} reps, nearest arcs (optimal) on the rest{worst}"
        )
    return (
        f"; bound: day routes on {routed} of {len(reps)} reps, nearest arcs on the rest ({closed} of them "
        f"proven optimal; loose where a rep makes many short visits a day){worst}"
    )


def _certify_all(
    problems: list[RepProblem], outcomes: list[RepOutcome], options: SolverOptions
) -> list[RepOutcome]:
    """:func:`.solve.certified` for every rep, through the caller's executor like the solves."""
    jobs = list(zip(problems, outcomes, strict=True))
    if options.mapper is not None and jobs:
        return options.map(partial(_certify_job, options=options.for_pieces()), jobs)
    return [certified(problem, outcome, options) for problem, outcome in jobs]


def _certify_job(job: tuple[RepProblem, RepOutcome], options: SolverOptions) -> RepOutcome:
    return certified(job[0], job[1], options)


def visit_due(data: PlanData, work: Mapping[str, Sequence[str]]) -> dict[str, dt.date]:
    """Account → the earliest due date among its chosen opportunities whose work needs a visit: the
    opportunity counts only when the account's first visit falls by then (:func:`.result.happens`)."""
    out: dict[str, dt.date] = {}
    for account, ids in work.items():
        for i in ids:
            o = data.opportunity_by_id[i]
            due = data.horizon.due(o.due_date)
            if o.needs_visit and due < data.horizon.end:  # by the end, every visit is in time
                out[account] = min(due, out.get(account, due))
    return out


class Schedule:
    """The schedule stage: every rep's visits day by day, at the call plan's frequencies (the tier policy's
    defaults without one), with the chosen opportunities as each visit's purpose. A stage made with
    ``reuse`` keeps each rep's routes for its later runs on the same rep problem (see run_schedule)."""

    name = "schedule"
    title = "visit schedule"

    def __init__(self, reuse: bool = False, certify: bool = True) -> None:
        self.cache: dict[bytes, RepOutcome] | None = {} if reuse else None
        self.certify = certify
        self.kept: dict[int, Kept] = {}

    def certified(self, result: ScheduleResult, options: SolverOptions) -> ScheduleResult:
        """``result``, one of this stage's, with the day-route bounds (:func:`certify_schedule`)."""
        return certify_schedule(result, options, self.kept)

    def run(self, plan: Plan, options: SolverOptions) -> ScheduleResult:
        chosen = plan.chosen_opportunities()
        data = plan.data
        effort: dict[str, float] = {}
        rep_of = plan.rep_of()
        for account, ids in chosen.items():
            rep = rep_of.get(account) or ""
            effort[rep] = effort.get(rep, 0.0) + sum(
                60.0 * data.opportunity_by_id[i].effort_hours for i in ids
            )
        budgets = {
            r.id: 60.0 * r.available_hours_per_month * data.horizon.months
            - (effort.get(r.id, 0.0) if plan.opportunities is not None else 0.0)
            for r in data.reps
        }
        return run_schedule(
            plan.data, options, plan.rep_of(), plan.visits_per_month(), plan.tiers,
            opportunities=chosen, work=chosen if plan.opportunities is not None else None, budgets=budgets,
            cache=self.cache, certify=self.certify, kept=self.kept,
        )  # fmt: skip


def _fingerprint(problem: RepProblem, options: SolverOptions, params: ScheduleParams) -> bytes:
    return hashlib.sha256(pickle.dumps((problem, params, options.seed, options.effort), protocol=5)).digest()


def _solve_cached(
    problems: list[RepProblem],
    options: SolverOptions,
    params: ScheduleParams,
    cache: dict[bytes, RepOutcome] | None,
) -> list[RepOutcome]:
    """:func:`_solve_all` for the problems ``cache`` does not hold (see :func:`run_schedule`)."""
    if cache is None:
        return _solve_all(problems, options, params)
    keys = [_fingerprint(p, options, params) for p in problems]
    todo = [p for p, k in zip(problems, keys, strict=True) if k not in cache]
    solved = iter(_solve_all(todo, options, params))
    outcomes = []
    for key in keys:
        outcome = cache.get(key)
        if outcome is None:
            outcome = next(solved)
            if not outcome.info.time_limit_hit:  # a run the clock cut short is not the engine's answer
                cache[key] = outcome
        outcomes.append(outcome)
    return outcomes


def _solve_all(
    problems: list[RepProblem], options: SolverOptions, params: ScheduleParams
) -> list[RepOutcome]:
    """Every rep's schedule, through the caller's executor (``options.map``) or one after another.

    Each rep's engine runs on its own deterministic work budget (``params.effort`` of its visits and
    accounts, times ``options.effort``), so reps solved in parallel or in turn get the same plans; the
    stage's wall-clock safety net is one deadline for all of them.
    """
    total = len(problems)
    if not total:
        return []
    warm_up()  # compiling the routing kernels is not the schedule's search time
    pieces = options.for_pieces()
    jobs = [(problem, pieces) for problem in problems]
    if options.mapper is not None:  # a process pool or Dask cluster owned by the caller
        outcomes = options.map(partial(_solve_job, params=params), jobs)
        options.report("schedule", total, total, f"{total} reps")
        return outcomes
    outcomes = []
    for done, job in enumerate(jobs, start=1):
        outcomes.append(_solve_job(job, params))
        options.report("schedule", done, total, _line(outcomes[-1]))
    return outcomes


def _solve_job(job: tuple[RepProblem, SolverOptions], params: ScheduleParams) -> RepOutcome:
    problem, options = job
    return solve_rep(problem, options, params)


def _line(outcome: RepOutcome) -> str:
    dropped = sum(d.visits for d in outcome.drops)
    return (
        f"rep {outcome.rep_id}: {len(outcome.visits)} visits on {len(outcome.days)} days, {dropped} dropped"
    )
