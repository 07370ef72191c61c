"""The whole quarter's plan: a declarative chain of stages over the scenario's compiled facts.

    PLAN = (Tiers(), Territories(), Calls(), Opportunities(), Schedule())

1. tiers (value pyramid) and growth/share classes;
2. territories (who serves each account), region by region, with workload from the tier policy;
3. calls: visits per month per account for the reps of the territory plan, on each rep's hours less what
   the joint visits-and-opportunities optimum gives to opportunities (both compete for the same hours);
4. opportunities: the portfolio within the hours each rep has left after the planned visits;
5. schedule: the planned visits day by day, with the chosen opportunities as each visit's purpose.

The call plan prices visits on estimated travel until the schedule has routed them: calls, opportunities
and schedule then run again with the travel measured on the routes (:mod:`~.optimizer.calls.calibrate`),
until the call plan's hours and the schedule's agree within 5 % for every rep (at most eight rounds, and
none after a round whose stages the time limit stopped; a rep whose routing problem did not change keeps
its routes, and a rep that agrees keeps its prices, so its call plan and routes stay). An account on
tours with nights away, or whose days are full, keeps in the next call plan to the visits its rep's
schedule holds (:func:`~.optimizer.calls.calibrate.most_visits`): priced at an
average per visit, a visit more looks cheap, yet needs a tour of its own or a day that is not free.
After each round the territories are
re-aligned on the call plan's values and hours (:mod:`~.optimizer.territories.realign`: reach first,
then single moves and swaps between reps of a region; an account never goes back to a rep it left in an
earlier round); the rounds go on until neither the hours nor the alignment change.

Each stage reads the decisions before it (:class:`~.optimizer.plan.Plan`) and returns a result of the
shape every stage shares (:class:`~.optimizer.plan.StageResult`); the chain stops at the first stage that
proves the scenario infeasible (:class:`PlanInfeasible`, with what would fix it) and re-checks every
decision with its independent checker. Independent pieces inside a stage (regions, reps) go to the one
executor of the run (``options.mapper``): a process pool or a Dask cluster gives the same plan as one
process. Commands that run one stage (``rank``, ``allocate``, ``territories``, ``schedule``) run a
shorter chain through :func:`run_stages`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from .optimizer.calls import Calls
from .optimizer.calls.calibrate import (
    DROP_TOLERANCE,
    MAX_ROUNDS,
    TOLERANCE,
    Agreement,
    agreement,
    days_held,
    measured_travel,
    most_visits,
    settled_travel,
    trimmed,
)
from .optimizer.calls.result import CallResult
from .optimizer.calls.sizing import SizingResult
from .optimizer.data import PlanData, compile_scenario
from .optimizer.opportunities import Opportunities, OpportunityResult
from .optimizer.outcome import Outcome, executed_hours, outcome
from .optimizer.plan import Plan, Stage
from .optimizer.result import Infeasibility, Kpi, SolveInfo, SolverOptions
from .optimizer.schedule import Schedule, ScheduleResult
from .optimizer.territories import Territories, TerritoryResult
from .optimizer.territories.realign import SCREENED_ROUNDS, move_reasons, realign_plan
from .optimizer.territories.solve import aligned
from .optimizer.tiers import TierResult, Tiers
from .scenarios.model import Scenario

PLAN: tuple[Stage, ...] = (Tiers(), Territories(), Calls(), Opportunities(), Schedule())

# Order of the figures in summary.json and the report: the headline figures first.
KPI_ORDER = (
    "expected_sales", "expected_profit", "total_value", "visits_per_month", "tier_a_coverage",
    "selling_hours_used", "opportunity_hours_used", "worst_hours_overrun", "hours_gap", "travel_hours",
    "nights", "hotel_cost", "workload_balance", "accounts_moved", "opportunities_chosen", "opportunity_value",
    "visits_scheduled", "dropped_visits", "planned_visits", "unreachable_accounts", "accounts_out_of_reach",
)  # fmt: skip
# Order of the tables (the CSV files of `salesplan plan`).
TABLES = (
    "accounts", "opportunities", "capacity", "allocation", "reps", "sizing",
    "territories", "territory_summary", "changes", "visits", "days", "dropped", "work", "workload",
    "unreachable",
)  # fmt: skip


class PlanInfeasible(Exception):
    """A stage proved that no plan satisfies the scenario's constraints; carries what would fix it."""

    def __init__(self, stage: str, explanations: tuple[Infeasibility, ...]):
        self.stage = stage
        self.explanations = explanations
        super().__init__(f"{stage}: " + "; ".join(str(e) for e in explanations))


class StageStatus(BaseModel):
    """How one solver did: status, objective, bound, gap, time."""

    model_config = ConfigDict(frozen=True)

    stage: str
    solver: str
    status: str
    sense: str
    objective: float | None
    bound: float | None
    gap: float | None
    runtime_seconds: float | None
    time_limit_hit: bool
    message: str

    @classmethod
    def of(cls, stage: str, info: SolveInfo) -> StageStatus:
        return cls(
            stage=stage,
            solver=info.solver,
            status=info.status.value,
            sense=info.sense,
            objective=_round(info.objective),
            bound=_round(info.bound),
            gap=None if info.gap is None else round(info.gap, 8),
            runtime_seconds=round(info.runtime_seconds, 3),
            time_limit_hit=info.time_limit_hit,
            message=info.message,
        )


class PlanSummary(BaseModel):
    """summary.json: the scenario, every KPI, and each solver's status, bound, gap and time."""

    model_config = ConfigDict(frozen=True)

    scenario: str
    source: str
    currency: str
    horizon: str
    seed: int
    time_limit_seconds: float
    regions: int
    reps: int
    accounts: int
    opportunities: int
    kpis: list[Kpi]
    stages: list[StageStatus]

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def without_timings(self) -> PlanSummary:
        """The same summary with run times removed, for byte-identical outputs across runs."""
        return self.model_copy(
            update={"stages": [s.model_copy(update={"runtime_seconds": None}) for s in self.stages]}
        )


# The names summary.json has always used for the stages (the commands that run them alone).
STAGE_LABELS = {
    "territories": "territories",
    "calls": "allocate",
    "opportunities": "rank",
    "schedule": "schedule",
}


@dataclass
class PlanResult:
    """Every stage's result, the summary, and the tables as pandas DataFrames (``frames``).

    ``stage_seconds``: wall seconds per stage summed over every round (summary.stages gives the kept
    round's solver times), with ``realign`` and ``certify`` apart; ``peak_memory_mib``: the largest
    resident set of this process (``main``) and of each worker of the executor (salesplan.plan).
    """

    scenario: Scenario
    data: PlanData
    plan: Plan
    summary: PlanSummary
    runtime_seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    peak_memory_mib: dict[str, float] = field(default_factory=dict)

    @property
    def tiers(self) -> TierResult:
        assert self.plan.tiers is not None
        return self.plan.tiers

    @property
    def territories(self) -> TerritoryResult:
        assert self.plan.territories is not None
        return self.plan.territories

    @property
    def calls(self) -> CallResult:
        assert self.plan.calls is not None
        return self.plan.calls

    @property
    def sizing(self) -> SizingResult | None:
        return self.calls.sizing

    @property
    def opportunities(self) -> OpportunityResult:
        assert self.plan.opportunities is not None
        return self.plan.opportunities

    @property
    def schedule(self) -> ScheduleResult:
        assert self.plan.schedule is not None
        return self.plan.schedule

    @cached_property
    def outcome(self) -> Outcome:
        """The figures on the ground (optimizer/outcome.py)."""
        return outcome(self.plan)

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables of every stage (the CSV files of `salesplan plan`), later stages' first where two
        give the same table, and workload.csv (hours per rep, planned and scheduled)."""
        frames = frames_of(self.plan)
        frames["workload"] = self.outcome.frame()
        frames["unreachable"] = self.outcome.unreachable_frame(self.data)
        return {name: frames[name] for name in (*TABLES, *frames) if name in frames}


def frames_of(plan: Plan) -> dict[str, pd.DataFrame]:
    """The tables of every stage that ran, in :data:`TABLES` order (a later stage's table wins)."""
    found: dict[str, pd.DataFrame] = {}
    for _, result in plan.results():
        found.update(result.frames(plan.data))
    return {name: found[name] for name in (*TABLES, *found) if name in found}


def run_stages(
    stages: Sequence[Stage],
    plan: Plan,
    options: SolverOptions,
    progress: Callable[[str], None] | None = None,
    seconds: dict[str, float] | None = None,
) -> Plan:
    """Run ``stages`` in order on ``plan``; raise :class:`PlanInfeasible` at the first stage that proves
    the scenario infeasible, and a RuntimeError when a decision fails its independent check (never
    expected: a bug, not a scenario problem). ``seconds``: each stage's wall time is added to it."""
    say = progress or (lambda _text: None)
    for stage in stages:
        say(stage.title)
        started = time.perf_counter()
        result = stage.run(plan, options)
        if seconds is not None:
            seconds[stage.name] = seconds.get(stage.name, 0.0) + time.perf_counter() - started
        if result.infeasibilities:  # a stage explains infeasibility only when it has no plan
            raise PlanInfeasible(STAGE_LABELS.get(stage.name, stage.name), tuple(result.infeasibilities))
        violations = result.check(plan.data)
        if violations:
            raise RuntimeError(f"the {stage.name} stage broke its own rules: " + "; ".join(violations[:5]))
        plan = plan.with_result(stage.name, result)
    return plan


def plan(
    scenario: Scenario,
    options: SolverOptions | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    strict: bool = False,
    realign: bool = True,
) -> PlanResult:
    """Plan the quarter (see module docstring). Raises :class:`PlanInfeasible` when a stage proves that
    the scenario has no feasible plan; the exception says which constraint, where, and what would fix it.

    ``options`` default to the scenario's policy (time limit per stage, gap, seed); ``strict``: a tier
    minimum that cannot be met is infeasible (instead of the plan with the smallest shortfall);
    ``realign``: re-align territories on the call plan's values between rounds
    (:mod:`~.optimizer.territories.realign`; off: the districting alignment stays).
    """
    calls = Calls(strict=strict, sizing=False)  # the sizing curve once, for the final call plan
    schedule = Schedule(reuse=True, certify=False)  # the day-route bounds for the round kept only
    stages = (*PLAN[:2], calls, PLAN[3], schedule)
    started = time.perf_counter()
    policy = scenario.policy.solver
    options = options or SolverOptions(policy.time_limit_seconds, policy.relative_gap, policy.seed)
    data = compile_scenario(scenario)
    say = progress or (lambda _text: None)
    seconds: dict[str, float] = {}  # wall time per stage over every round (PlanResult.stage_seconds)

    def timed(name: str, started: float) -> None:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

    done = run_stages(stages[:2], Plan(data), options, progress, seconds)
    left: set[tuple[str, str]] = set()  # (account, rep) it left in a realignment: it does not go back
    best: tuple[tuple[bool, bool, float, float, int], Plan] | None = None  # the round kept if none agrees
    for round_ in range(1, MAX_ROUNDS + 1):
        done = run_stages(stages[2:], done, options, progress, seconds)
        assert done.calls is not None and done.schedule is not None and done.territories is not None
        agreed = agreement(data, done.calls, done.schedule)
        # a round that agrees wins (the latest); else no overrun first, then the fewest visits dropped for
        # hours (any share within the tolerance counts as none), then the smallest gap in hours
        rank = (
            not agreed.ok,
            agreed.worst_overrun > 0,
            0.0 if agreed.ok else max(agreed.dropped_share, DROP_TOLERANCE),
            0.0 if agreed.ok else agreed.worst_gap,
            -round_,
        )
        if best is None or rank < best[0]:
            best = (rank, done)
        say(
            f"round {round_}: planned and scheduled hours differ by up to {agreed.worst_gap:.1%} "
            f"({agreed.rep}); worst overrun {agreed.worst_overrun:.1%}; "
            f"{agreed.dropped_share:.1%} of the visits dropped for hours"
            + (f"; {agreed.unvisited} chosen opportunities without their visit" if agreed.unvisited else "")
        )
        travel = measured_travel(data, done.schedule, done.rep_of())
        # a stage the wall clock stopped gives figures the next round could not compare with: no more rounds
        clock = any(
            r.info.time_limit_hit for r in (done.calls, done.opportunities, done.schedule) if r is not None
        )
        realigned = None
        if realign and round_ < MAX_ROUNDS and not clock:
            started_realign = time.perf_counter()
            # priced as the round's call plan was, so that Σ V_r is its objective (realign.py)
            realigned = realign_plan(
                done, done.travel or travel, frozenset(left), round_ <= SCREENED_ROUNDS, options
            )
            timed("realign", started_realign)
        changes = realigned is not None and bool(realigned.moves)
        if realigned is not None and (realigned.moves or realigned.stuck):
            if changes:
                say(realigned.summary())
            done = replace(
                done,
                territories=aligned(
                    data, done.territories, realigned.rep_of, done.visits_per_month(), executed_hours(done),
                    move_reasons(realigned, done.served(), data.currency),
                    realigned.summary() if changes else "",
                ),
            )  # fmt: skip
        if agreed.ok and not changes:
            break
        if round_ == MAX_ROUNDS or clock:
            assert best is not None
            if clock:
                say(
                    f"the time limit stopped round {round_}'s stages: no more rounds (raise --time-limit "
                    "for planned and scheduled hours that agree)"
                )
            if best[1] is not done:
                why = "the time limit" if clock else f"no round agreed within {MAX_ROUNDS}"
                say(
                    f"{why}: keeping round {-best[0][-1]}, which drops the fewest visits for hours "
                    "(then: whose hours differ least)"
                )
                done, realigned = best[1], None
            break
        if changes:
            assert realigned is not None
            moves = {a: realigned.rep_of[a] for m in realigned.moves for a in (m.account, m.partner) if a}
            travel = {**travel, **{a: realigned.travel[a] for a in moves}}
            left |= {(m.account, m.from_rep) for m in realigned.moves}
            left |= {(m.partner, m.to_rep) for m in realigned.moves if m.partner}
        moved = realigned.moves if realigned is not None else ()
        done = next_round(
            done, agreed, travel, agreed.settled - {r for m in moved for r in (m.from_rep, m.to_rep)}
        )
    started_sizing = time.perf_counter()
    done = replace(done, calls=calls.sized(done, options))
    timed("sizing", started_sizing)
    started_certify = time.perf_counter()
    assert done.schedule is not None
    done = replace(done, schedule=schedule.certified(done.schedule, options))
    timed("certify", started_certify)
    schedule.kept.clear()
    if done.territories is not None:  # balance and workload measured on what the plan executes
        last = realigned if realigned is not None and not realigned.moves else None
        if realign and last is None and done.calls is not None and done.calls.planned is not None:
            started_realign = time.perf_counter()
            last = realign_plan(done, done.travel or {}, frozenset(left), False, options)  # measure only
            timed("realign", started_realign)
        done = replace(
            done,
            territories=aligned(
                data, done.territories, done.served(), done.visits_per_month(), executed_hours(done),
                barred=tuple(sorted(left)), value=last,
            ),
        )  # fmt: skip
    runtime = time.perf_counter() - started
    summary = summarise(done, options, outcome(done))
    return PlanResult(scenario, data, done, summary, runtime, {k: round(v, 3) for k, v in seconds.items()})


def next_round(done: Plan, agreed: Agreement, travel: Mapping[str, float], settled: frozenset[str]) -> Plan:
    """``done`` cleared for the next round of calls, opportunities and schedule: priced at ``travel``
    (τ measured on its routes), with the calibration trim and the caps of its schedule — except that a
    ``settled`` rep keeps its prices and caps, hence its call plan and routes (calibrate.py)."""
    assert done.schedule is not None
    data = done.data
    trim = trimmed(data, dict(done.trim or {}), agreed) if agreed.worst_gap <= TOLERANCE else done.trim
    return replace(
        done,
        calls=None,
        opportunities=None,
        schedule=None,
        travel=settled_travel(travel, done.travel, done.served(), settled),
        trim=trim,
        days=days_held(data, dict(done.days or {}), agreed, settled),
        most=most_visits(done.most or {}, done.schedule, settled),
    )


def summarise(plan: Plan, options: SolverOptions, ground: Outcome | None = None) -> PlanSummary:
    """summary.json of a plan: the figures on the ground (``ground``, when the plan is complete), the
    stages' other key figures, and the solver reports. Where a stage and the ground give the same figure,
    the ground's wins (a stage's current value stays where the ground has none)."""
    data = plan.data
    horizon = data.horizon
    staged = {k.key: k for _, result in plan.results() for k in result.kpis(data)}
    kpis = []
    for k in ground.kpis(data.currency) if ground is not None else []:
        before = staged.pop(k.key, None)
        if k.current is None and before is not None and before.current is not None:
            k = Kpi(k.key, k.name, k.unit, before.current, k.planned, k.higher_is_better)
        kpis.append(k)
    kpis += staged.values()
    order = {key: i for i, key in enumerate(KPI_ORDER)}
    kpis.sort(key=lambda k: order.get(k.key, len(order)))
    return PlanSummary(
        scenario=data.name,
        source=data.source,
        currency=data.currency,
        horizon=f"{horizon.start} – {horizon.end} ({horizon.weeks} weeks)",
        seed=options.seed,
        time_limit_seconds=options.time_limit_seconds,
        regions=len(data.regions),
        reps=len(data.reps),
        accounts=len(data.accounts),
        opportunities=len(data.opportunities),
        kpis=kpis,
        stages=[
            StageStatus.of(STAGE_LABELS[name], result.info)
            for name, result in plan.results()
            if name in STAGE_LABELS
        ],
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def with_mapper(options: SolverOptions, mapper: Any) -> SolverOptions:
    """Options whose independent pieces go through ``mapper`` (see salesplan.parallel)."""
    from dataclasses import replace

    return replace(options, mapper=mapper)
