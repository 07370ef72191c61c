"""The opportunities stage: which opportunities to pursue this quarter under the reps' hours.

Opportunities are ranked (:mod:`.ranking`) and chosen by the portfolio knapsack (:mod:`.portfolio`).
Capacity for the portfolio (hours this quarter): each rep's selling hours over the horizon, scaled by the
share of working days the rep is available (start/end dates, absences), minus the visit load (per month ×
months), times policy.opportunities.hours_share, never below 0. Without a call plan the visit load is the
tier-minimum visits × (visit minutes + estimated travel per visit, see :mod:`.workload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..data import PlanData
from ..result import SolverOptions
from ..tiers.solve import TierResult, solve_tiers
from ..workload import default_rep_of, visit_travel_minutes
from .portfolio import PortfolioProblem, solve_portfolio
from .ranking import FloatArray, Ranking, rank_opportunities
from .result import OpportunityResult, RepHours

if TYPE_CHECKING:
    from ..plan import Plan


def rep_hours(
    data: PlanData,
    rep_of: Mapping[str, str],
    tier_of: Mapping[str, str],
    visit_hours: Mapping[str, float] | None = None,
) -> tuple[RepHours, ...]:
    """Hours each rep can give to opportunities this quarter (see module docstring).

    ``visit_hours`` is rep id → visit load in hours per month (the call plan's); missing reps, or all
    reps when it is None, get the tier-minimum estimate.
    """
    months = data.horizon.months
    load: dict[str, float] = dict.fromkeys(data.rep_by_id, 0.0)
    travel = visit_travel_minutes(data, rep_of)
    for account in data.accounts:
        owner = rep_of.get(account.id)
        band = data.rules.band(tier_of.get(account.id, ""))
        if owner in load and band is not None:
            minutes = account.visit_minutes + travel[account.id]
            load[owner] += band.min * minutes / 60.0
    share = data.rules.opportunity_hours_share
    result = []
    for rep in data.reps:
        selling = rep.selling_hours_per_month * months * rep.presence
        per_month = load[rep.id] if visit_hours is None or rep.id not in visit_hours else visit_hours[rep.id]
        result.append(
            RepHours(
                rep.id,
                rep.region,
                selling,
                rep.presence,
                per_month * months,
                share * max(0.0, selling - per_month * months),
            )
        )
    return tuple(result)


def rank_scenario_opportunities(data: PlanData) -> tuple[FloatArray, Ranking]:
    """The margin share used for each opportunity's expected value (1 for pruning; the opportunity's
    margin, else its account's) and the ranking of the scenario's opportunities under its policy."""
    opportunities = data.opportunities
    margin = np.array([o.margin for o in opportunities], dtype=float)
    ranking = rank_opportunities(
        [o.size for o in opportunities],
        [o.probability for o in opportunities],
        [o.effort_hours for o in opportunities],
        margin,
        size_threshold=data.rules.size_threshold,
        probability_threshold=data.rules.probability_threshold,
    )
    return margin, ranking


def solve_opportunities(
    data: PlanData,
    options: SolverOptions,
    rep_of: Mapping[str, str] | None = None,
    visit_hours: Mapping[str, float] | None = None,
    *,
    capacity_by: Literal["rep", "region"] = "rep",
    hour_values: bool = True,
    tiers: TierResult | None = None,
    visits_per_month: Mapping[str, float] | None = None,
) -> OpportunityResult:
    """The `rank` stage: tiers, growth/share classes, ranked opportunities and the portfolio.

    ``rep_of`` (account → rep, e.g. a territory plan) defaults to :func:`.workload.default_rep_of`;
    ``visit_hours`` (rep → visit hours per month, e.g. a call plan) to the tier-minimum estimate.
    ``capacity_by='region'`` pools the hours of a region's reps. ``tiers`` defaults to ``solve_tiers``.
    """
    tiers = tiers or solve_tiers(data)
    rep_of = dict(default_rep_of(data) if rep_of is None else rep_of)
    hours = rep_hours(data, rep_of, tiers.tier_of(), visit_hours)

    opportunities = data.opportunities
    margin, ranking = rank_scenario_opportunities(data)

    owner = tuple(rep_of.get(o.account, "") for o in opportunities)
    if capacity_by == "region":
        names = tuple(dict.fromkeys(h.region for h in hours))
        pool_of = {h.rep: names.index(h.region) for h in hours}
        capacity = [sum(h.opportunity_hours for h in hours if h.region == r) for r in names]
        pool_names = tuple(f"region {r}" for r in names)
    else:
        pool_of = {h.rep: k for k, h in enumerate(hours)}
        capacity = [h.opportunity_hours for h in hours]
        pool_names = tuple(h.rep for h in hours)
    problem = PortfolioProblem(
        value=ranking.expected_value,
        effort_hours=np.array([o.effort_hours for o in opportunities], dtype=float),
        pool=np.array([pool_of.get(r, -1) for r in owner], dtype=np.int64),
        account=np.array([o.account_index for o in opportunities], dtype=np.int64),
        capacity_hours=np.array(capacity, dtype=float),
        must=np.array([o.must_pursue for o in opportunities], dtype=bool),
        exclude=np.array([o.exclude for o in opportunities], dtype=bool),
        pool_names=pool_names,
        account_names=tuple(a.id for a in data.accounts),
        max_per_account=data.rules.max_opportunities_per_account,
        no_visit=None
        if visits_per_month is None
        else np.array(
            [o.needs_visit and visits_per_month.get(o.account, 0.0) <= 0 for o in opportunities], dtype=bool
        ),
    )
    portfolio = solve_portfolio(problem, options, hour_values=hour_values)
    return OpportunityResult(tiers, ranking, portfolio, hours, rep_of, owner, margin, capacity_by)


class Opportunities:
    """The opportunities stage: the portfolio within the hours each rep has left after the call plan's
    visits (the tier minimums' estimate when there is no call plan)."""

    name = "opportunities"
    title = "opportunity portfolio"

    def __init__(self, capacity_by: Literal["rep", "region"] = "rep") -> None:
        self.capacity_by = capacity_by

    def run(self, plan: Plan, options: SolverOptions) -> OpportunityResult:
        rep_of = plan.served()
        visits = plan.visit_hours()
        if visits is not None and plan.days:
            # hours a rep's days cannot hold (calibrate.py, "Full days") are no room for opportunity work
            visits = {r: h + plan.days.get(r, 0.0) / 60.0 for r, h in visits.items()}
        return solve_opportunities(
            plan.data,
            options,
            rep_of,
            visits,
            capacity_by=self.capacity_by,
            tiers=plan.tiers,
            visits_per_month=plan.visits_per_month() if plan.calls is not None else None,
        )
