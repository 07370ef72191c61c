"""The whole quarter's plan: tiers → territories → call allocation → opportunity portfolio → schedule.

Each stage is the library entry of its own solver; this module only passes each stage's decision to the
next one:

1. tiers (value pyramid) and growth/share classes, on the whole scenario;
2. territories (who serves each account), with workload from the tier policy;
3. call allocation (visits per month per account) for the reps of the territory plan, on each rep's
   hours less what the joint visits-and-opportunities optimum gives to opportunities (visits and
   opportunities compete for the same selling hours; planning visits first would leave none);
4. opportunity portfolio within the hours each rep has left after the planned visits;
5. visit schedule of the planned visits, with the chosen opportunities as each visit's purpose.

Independent pieces inside a stage (regions, reps) go through ``options.mapper``: a process pool or a Dask
cluster gives the same plan as one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from .optimizer.calls import build_problem, sizing_curve, solve_allocation
from .optimizer.calls.problem import AllocationProblem
from .optimizer.calls.reserve import opportunity_minutes, with_reserved_minutes
from .optimizer.calls.result import AllocationResult
from .optimizer.calls.sizing import SizingResult
from .optimizer.data import PlanData, compile_scenario
from .optimizer.opportunities.ranking import RankResult, rank_scenario_opportunities, run_rank
from .optimizer.result import Infeasibility, SolveInfo, SolverOptions
from .optimizer.schedule import run_schedule
from .optimizer.schedule.result import ScheduleResult
from .optimizer.territories.result import AlignmentResult
from .optimizer.territories.solve import run_territories
from .optimizer.tiers.solve import TierResult, assign_tiers, classify_accounts
from .scenarios.model import Scenario

Stage = Literal["territories", "allocate", "rank", "schedule"]


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


class Kpi(BaseModel):
    """One key figure of the plan beside the current plan's (None where the current plan has none)."""

    model_config = ConfigDict(frozen=True)

    key: str
    name: str
    unit: str
    current: float | None
    planned: float | None
    higher_is_better: bool | None

    @property
    def change(self) -> float | None:
        if self.current is None or self.planned is None:
            return None
        return self.planned - self.current


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


@dataclass
class PlanResult:
    """Every stage's result, the summary, and the tables as pandas DataFrames (``frames``)."""

    scenario: Scenario
    tiers: TierResult
    territories: AlignmentResult
    allocation: AllocationResult
    sizing: SizingResult
    rank: RankResult
    schedule: ScheduleResult
    summary: PlanSummary
    runtime_seconds: float
    opportunity_ids_by_account: dict[str, list[str]] = field(default_factory=dict)

    @cached_property
    def frames(self) -> dict[str, pd.DataFrame]:
        """accounts, opportunities, capacity, allocation, reps, sizing, territories, territory_summary,
        changes, visits, days, dropped — the CSV files of `salesplan plan`."""
        from .cli.writers import allocation as allocation_writer
        from .cli.writers import rank as rank_writer
        from .cli.writers import schedule as schedule_writer
        from .cli.writers import territories as territory_writer

        s = self.scenario
        opportunities = schedule_writer.opportunities_of(s, self.opportunity_ids_by_account)
        return {
            "accounts": rank_writer.accounts_frame(s, self.rank),
            "opportunities": rank_writer.opportunities_frame(s, self.rank),
            "capacity": rank_writer.capacity_frame(self.rank),
            "allocation": allocation_writer.accounts_frame(self.allocation, s),
            "reps": allocation_writer.reps_frame(self.allocation, s),
            "sizing": allocation_writer.sizing_frame(self.sizing),
            "territories": territory_writer.territories_frame(self.territories, s),
            "territory_summary": territory_writer.summary_frame(self.territories, s),
            "changes": territory_writer.changes_frame(self.territories),
            "visits": schedule_writer.visits_frame(self.schedule, s, opportunities),
            "days": schedule_writer.days_frame(self.schedule),
            "dropped": schedule_writer.dropped_frame(self.schedule, s),
        }


def plan(
    scenario: Scenario,
    options: SolverOptions | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> PlanResult:
    """Plan the quarter (see module docstring). Raises :class:`PlanInfeasible` when a stage proves that
    the scenario has no feasible plan; the exception says which constraint, where, and what would fix it.

    ``options`` default to the scenario's policy (time limit per stage, gap, seed).
    """
    started = time.perf_counter()
    policy = scenario.policy.solver
    options = options or SolverOptions(policy.time_limit_seconds, policy.relative_gap, policy.seed)
    say = progress or (lambda _text: None)

    data = compile_scenario(scenario)
    say("tiers and account classes")
    tiers = assign_tiers(data)
    classes = classify_accounts(data.accounts)

    say("territories")
    territories = run_territories(data, options, tiers=tiers)
    if not territories.feasible:
        raise PlanInfeasible("territories", territories.infeasibilities)
    rep_of = territories.rep_of()

    say("call allocation (visits and opportunities share the hours)")
    problem = build_problem(data, rep_of, tiers)
    reserved = _opportunity_minutes(data, problem, rep_of, options)
    allocation = solve_allocation(
        with_reserved_minutes(problem, reserved), options, currency=scenario.policy.economics.currency
    )
    if allocation.planned is None:
        raise PlanInfeasible("allocate", allocation.infeasibilities)
    sizing = sizing_curve(problem, options)
    visits = {a.account_id: float(a.visits_per_month) for a in allocation.accounts}
    visit_hours = {r.rep_id: r.hours_used for r in allocation.reps}

    say("opportunity portfolio")
    rank = run_rank(data, options, rep_of=rep_of, visit_hours=visit_hours, tiers=tiers, classes=classes)
    if rank.portfolio.explanations:
        raise PlanInfeasible("rank", rank.portfolio.explanations)
    chosen: dict[str, list[str]] = {}
    for opportunity, selected in zip(scenario.opportunities, rank.portfolio.selected.tolist(), strict=True):
        if selected:
            chosen.setdefault(opportunity.account, []).append(opportunity.id)

    say("visit schedule")
    schedule = run_schedule(data, options, rep_of=rep_of, visits_per_month=visits, tiers=tiers)

    runtime = time.perf_counter() - started
    summary = _summary(scenario, options, tiers, territories, allocation, rank, schedule)
    return PlanResult(
        scenario, tiers, territories, allocation, sizing, rank, schedule, summary, runtime, chosen
    )


def _opportunity_minutes(
    data: PlanData,
    problem: AllocationProblem,
    rep_of: dict[str, str],
    options: SolverOptions,
) -> np.ndarray:
    """Minutes per month per rep that the joint visits-and-opportunities optimum gives to opportunities
    (see :mod:`salesplan.optimizer.calls.reserve`)."""
    if not data.opportunities:
        return np.zeros(len(problem.rep_ids), np.int64)
    _, ranking = rank_scenario_opportunities(data)
    index = {rep: k for k, rep in enumerate(problem.rep_ids)}
    opportunities = data.opportunities
    return opportunity_minutes(
        problem,
        ranking.expected_value,
        np.array([o.effort_hours for o in opportunities], dtype=float),
        np.array([index.get(rep_of.get(o.account, ""), -1) for o in opportunities], dtype=np.int64),
        np.array([o.must_pursue for o in opportunities], dtype=bool),
        np.array([o.exclude for o in opportunities], dtype=bool),
        data.horizon.months,
        replace(options, progress=None),
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _summary(
    scenario: Scenario,
    options: SolverOptions,
    tiers: TierResult,
    territories: AlignmentResult,
    allocation: AllocationResult,
    rank: RankResult,
    schedule: ScheduleResult,
) -> PlanSummary:
    return PlanSummary(
        scenario=scenario.name,
        source=scenario.source,
        currency=scenario.policy.economics.currency,
        horizon=f"{scenario.horizon.start} – {scenario.horizon.end} ({scenario.horizon.weeks} weeks)",
        seed=options.seed,
        time_limit_seconds=options.time_limit_seconds,
        regions=len(scenario.region_ids),
        reps=len(scenario.reps),
        accounts=len(scenario.accounts),
        opportunities=len(scenario.opportunities),
        kpis=kpis(scenario, tiers, territories, allocation, rank, schedule),
        stages=[
            StageStatus.of("territories", territories.info),
            StageStatus.of("allocate", allocation.info),
            StageStatus.of("rank", rank.info),
            StageStatus.of("schedule", schedule.info),
        ],
    )


def kpis(
    scenario: Scenario,
    tiers: TierResult,
    territories: AlignmentResult,
    allocation: AllocationResult,
    rank: RankResult,
    schedule: ScheduleResult,
) -> list[Kpi]:
    """The figures a sales manager compares plans by."""
    assert allocation.planned is not None
    currency = scenario.policy.economics.currency
    months = scenario.horizon.months
    tier_of = tiers.tier_of()
    ranges = scenario.policy.tiers.visits
    top = next(iter(ranges), "A")
    top_accounts = [a for a in scenario.accounts if tier_of.get(a.id) == top]
    scheduled: dict[str, int] = {}
    for visit in schedule.visits:
        scheduled[visit.account_id] = scheduled.get(visit.account_id, 0) + 1
    minimum = ranges[top].min if top in ranges else 0.0

    def covered_now(account_id: str) -> bool:
        current = scenario.account_by_id[account_id].current_visits_per_month or 0.0
        return current >= minimum - 1e-9

    def covered_plan(account_id: str) -> bool:
        return scheduled.get(account_id, 0) >= round(minimum * months) - 1e-9

    def share(flags: list[bool]) -> float | None:
        return round(100.0 * sum(flags) / len(flags), 2) if flags else None

    # the reps' whole selling hours per month (the call plan's capacity is what opportunities leave)
    hours_available = sum(h.selling_hours for h in rank.hours) / months if months else 0.0
    effort = np.array([o.effort_hours for o in scenario.opportunities], dtype=float)
    opportunity_hours = float(effort[rank.portfolio.selected].sum()) if len(effort) else 0.0
    travel_hours = sum(d.travel_minutes for d in schedule.days) / 60.0
    moved = [a for a in territories.accounts if a.moved]
    before = [max((abs(x) for x in r.largest_deviation_before[:1]), default=0.0) for r in territories.regions]
    after = [max((abs(x) for x in r.largest_deviation_after[:1]), default=0.0) for r in territories.regions]
    selected = rank.portfolio.selected
    value = rank.ranking.expected_value
    dropped = sum(d.visits for d in schedule.dropped)
    planned_visits = sum(schedule.planned.values()) if schedule.planned else len(schedule.visits) + dropped

    def kpi(
        key: str, name: str, unit: str, current: float | None, planned: float | None, higher: bool | None
    ) -> Kpi:
        return Kpi(key=key, name=name, unit=unit, current=_round(current, 2), planned=_round(planned, 2),
                   higher_is_better=higher)  # fmt: skip

    return [
        kpi("expected_sales", "expected sales per year", currency, allocation.current.expected_sales,
            allocation.planned.expected_sales, True),
        kpi("expected_profit", "expected profit per month", currency, allocation.current.profit,
            allocation.planned.profit, True),
        kpi("visits_per_month", "visits per month", "visits", allocation.current.visits_per_month,
            allocation.planned.visits_per_month, None),
        kpi("tier_a_coverage", f"tier-{top} accounts at their minimum visits", "%",
            share([covered_now(a.id) for a in top_accounts]), share([covered_plan(a.id) for a in top_accounts]), True),
        kpi("selling_hours_used", "selling hours used", "%",
            100.0 * allocation.current.hours_per_month / hours_available if hours_available else None,
            100.0 * allocation.planned.hours_per_month / hours_available if hours_available else None, None),
        kpi("opportunity_hours_used", "selling hours given to pursued opportunities", "%", None,
            100.0 * opportunity_hours / months / hours_available if hours_available and months else None, None),
        kpi("travel_hours", "travel hours over the horizon", "hours", None, travel_hours, False),
        kpi("workload_balance", "largest workload deviation from the region target", "%",
            100.0 * max(before, default=0.0), 100.0 * max(after, default=0.0), False),
        kpi("accounts_moved", "accounts that change rep", "accounts", 0.0, float(len(moved)), False),
        kpi("opportunities_chosen", "opportunities pursued", "opportunities", None, float(selected.sum()), None),
        kpi("opportunity_value", "expected value of the pursued opportunities", currency, None,
            float(value[selected].sum()) if len(value) else 0.0, True),
        kpi("visits_scheduled", "visits scheduled over the horizon", "visits", None, float(len(schedule.visits)), None),
        kpi("dropped_visits", "planned visits that could not be scheduled", "visits", None, float(dropped), False),
        kpi("planned_visits", "visits planned over the horizon", "visits", None, float(planned_visits), None),
    ]  # fmt: skip


def with_mapper(options: SolverOptions, mapper: Any) -> SolverOptions:
    """Options whose independent pieces go through ``mapper`` (see salesplan.parallel)."""
    return replace(options, mapper=mapper)
