"""The decisions of a plan so far, and the shape every stage shares.

A stage (:class:`Stage`) reads the scenario's facts and the decisions of the stages before it
(:class:`Plan`) and returns its own decision as a result with the same attributes everywhere
(:class:`StageResult`): ``info`` (status, objective, bound, gap, time), ``infeasibilities`` (why there is
no plan, as data), ``check(data)`` (the decision re-verified against the rules, apart from the solver),
``summary()`` (lines for the terminal), ``frames(data)`` (its tables) and ``kpis(data)`` (its key
figures). A stage that finds no upstream decision uses today's: the current alignment (locked, current or
nearest rep), the tier policy's default visits, every opportunity that is not excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from .data import PlanData
from .result import Infeasibility, Kpi, SolveInfo, SolverOptions

if TYPE_CHECKING:
    import pandas as pd

    from .calls.problem import Most
    from .calls.result import CallResult
    from .opportunities.result import OpportunityResult
    from .schedule.result import ScheduleResult
    from .territories.result import TerritoryResult
    from .tiers.solve import TierResult


class StageResult(Protocol):
    """What every stage returns (see the module docstring)."""

    @property
    def info(self) -> SolveInfo: ...

    @property
    def infeasibilities(self) -> tuple[Infeasibility, ...]: ...

    def check(self, data: PlanData) -> tuple[str, ...]: ...

    def summary(self) -> str: ...

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]: ...

    def kpis(self, data: PlanData) -> list[Kpi]: ...


class Stage(Protocol):
    """One decision: ``run(plan, options)`` returns its result; ``name`` is its key in a :class:`Plan`."""

    name: str
    title: str

    def run(self, plan: Plan, options: SolverOptions) -> Any: ...


@dataclass(frozen=True)
class GivenCalls:
    """A call plan handed in from a file (``salesplan schedule --allocation``): who serves each account and
    how often it is visited."""

    rep_of: Mapping[str, str | None]
    visits_per_month: Mapping[str, float]


@dataclass(frozen=True)
class Plan:
    """The scenario's facts and the decisions taken so far (None: the stage has not run)."""

    data: PlanData
    tiers: TierResult | None = None
    territories: TerritoryResult | None = None
    calls: CallResult | None = None
    opportunities: OpportunityResult | None = None
    schedule: ScheduleResult | None = None
    given: GivenCalls | None = None
    travel: Mapping[str, float] | None = None  # account → travel minutes per visit, from routes
    trim: Mapping[str, float] | None = None  # rep → capacity minutes per month held back (calibrate.py)
    days: Mapping[str, float] | None = None  # rep → minutes per month its days cannot hold (calibrate.py)
    most: Mapping[str, Most] | None = None  # account → most visits its rep's schedule holds (calibrate.py)

    def with_result(self, name: str, result: Any) -> Plan:
        return replace(self, **{name: result})

    def results(self) -> list[tuple[str, StageResult]]:
        """The stages' results in chain order."""
        names = ("tiers", "territories", "calls", "opportunities", "schedule")
        return [(n, getattr(self, n)) for n in names if getattr(self, n) is not None]

    def tier_of(self) -> dict[str, str]:
        from .tiers.solve import solve_tiers

        return (self.tiers or solve_tiers(self.data)).tier_of()

    def rep_of(self) -> dict[str, str | None]:
        """Account → rep: the territory plan's, else a given call plan's, else the current alignment."""
        if self.territories is not None:
            return dict(self.territories.rep_of())
        if self.given is not None:
            return dict(self.given.rep_of)
        from .workload import default_rep_of

        return dict(default_rep_of(self.data))

    def served(self) -> dict[str, str]:
        """Account → rep of the accounts a rep serves (:meth:`rep_of` without the unassigned)."""
        return {a: r for a, r in self.rep_of().items() if r}

    def visits_per_month(self) -> dict[str, float]:
        """Account → visits per month: the call plan's, else a given one, else the tier policy's default."""
        if self.calls is not None and self.calls.planned is not None:
            return {a.account_id: float(a.visits_per_month) for a in self.calls.accounts}
        if self.given is not None:
            return dict(self.given.visits_per_month)
        from .tiers.solve import default_visits_per_month

        return default_visits_per_month(self.data, self.tier_of())

    def visit_hours(self) -> dict[str, float] | None:
        """Rep → visit hours per month of the call plan (None without one)."""
        if self.calls is None or self.calls.planned is None:
            return None
        return {r.rep_id: r.hours_used for r in self.calls.reps}

    def chosen_opportunities(self) -> dict[str, tuple[str, ...]]:
        """Account → the opportunities to work on: the portfolio's, else every one not excluded."""
        out: dict[str, list[str]] = {}
        if self.opportunities is not None:
            for o, chosen in zip(
                self.data.opportunities, self.opportunities.portfolio.selected.tolist(), strict=True
            ):
                if chosen:
                    out.setdefault(o.account, []).append(o.id)
        else:
            for o in self.data.opportunities:
                if not o.exclude:
                    out.setdefault(o.account, []).append(o.id)
        return {a: tuple(ids) for a, ids in out.items()}
