"""Opportunity ranking and the `rank` stage: tiers, classes, ranked opportunities and the portfolio.

Expected value of opportunity j: EV_j = size_j × p_j × m_j, where m_j is its margin share (the
opportunity's, else its account's, else the policy default), and m_j = 1 for a 'prune' opportunity
(its size is already the profit recovered). EV is expected gross profit in currency; value per effort
hour is EV_j / e_j. Rank 1 is the highest EV (ties: higher value per hour, then input order).

Size × likelihood matrix: an opportunity is large when size_j ≥ S and likely when p_j ≥ P, where S and P
come from policy.opportunities (size_threshold, probability_threshold) or default to the medians of the
scenario's opportunities. The four actions: act now (large, likely), plan (large, less likely),
opportunistic (small, likely), shelve (small, unlikely) — each opportunity is in exactly one.

Capacity for the portfolio (hours this quarter): each rep's selling hours over the horizon, scaled by the
share of working days the rep is available (start/end dates, absences), minus the visit load (per month ×
months), times policy.opportunities.hours_share, never below 0. Without a call plan the visit load is the
tier-minimum visits × (visit minutes + estimated travel per visit, see :mod:`.workload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..data import PlanData
from ..result import SolveInfo, SolverOptions
from ..tiers.solve import ClassResult, TierResult, assign_tiers, classify_accounts
from ..workload import default_rep_of, visit_travel_minutes
from .portfolio import PortfolioProblem, PortfolioResult, solve_portfolio

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

QUADRANTS: tuple[str, ...] = ("act now", "plan", "opportunistic", "shelve")


@dataclass(frozen=True)
class Thresholds:
    """Where the matrix splits: size (currency) and probability; ``*_is_median`` when defaulted."""

    size: float
    probability: float
    size_is_median: bool
    probability_is_median: bool

    def describe(self, currency: str = "") -> str:
        size = f"{self.size:,.0f}{' ' + currency if currency else ''}"
        return (
            f"large = size ≥ {size}{' (median)' if self.size_is_median else ' (policy)'}; "
            f"likely = probability ≥ {self.probability:.2f}"
            f"{' (median)' if self.probability_is_median else ' (policy)'}"
        )


@dataclass(frozen=True, eq=False)
class Ranking:
    """Arrays over opportunities, in input order."""

    expected_value: FloatArray
    value_per_hour: FloatArray
    rank: IntArray  # 1 = highest expected value
    quadrant: npt.NDArray[np.int8]  # index into QUADRANTS
    thresholds: Thresholds

    def quadrant_names(self) -> list[str]:
        return [QUADRANTS[q] for q in self.quadrant.tolist()]

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.quadrant, minlength=len(QUADRANTS))
        return {name: int(c) for name, c in zip(QUADRANTS, counts, strict=True)}


def rank_opportunities(
    size: npt.ArrayLike,
    probability: npt.ArrayLike,
    effort_hours: npt.ArrayLike,
    margin: npt.ArrayLike | None = None,
    *,
    size_threshold: float | None = None,
    probability_threshold: float | None = None,
) -> Ranking:
    """Expected value, value per hour, rank and matrix quadrant of every opportunity (vectorised)."""
    size = np.asarray(size, dtype=float)
    probability = np.asarray(probability, dtype=float)
    effort = np.asarray(effort_hours, dtype=float)
    value = size * probability * (1.0 if margin is None else np.asarray(margin, dtype=float))
    per_hour = value / effort
    n = len(size)
    order = np.lexsort((np.arange(n), -per_hour, -value))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(1, n + 1)

    def cut(given: float | None, values: FloatArray) -> float:
        return float(given) if given is not None else float(np.median(values)) if n else 0.0

    thresholds = Thresholds(
        cut(size_threshold, size),
        cut(probability_threshold, probability),
        size_threshold is None,
        probability_threshold is None,
    )
    small = size < thresholds.size
    unlikely = probability < thresholds.probability
    quadrant = (2 * small + unlikely).astype(np.int8)
    return Ranking(value, per_hour, rank, quadrant, thresholds)


@dataclass(frozen=True)
class RepHours:
    """A rep's hours this quarter: selling hours, visit load, and what is left for opportunities."""

    rep: str
    region: str
    selling_hours: float  # over the horizon, after absences
    available_share: float  # share of the horizon's working days the rep works
    visit_hours: float  # visit load over the horizon (visits and their travel)
    opportunity_hours: float  # hours_share × max(0, selling − visits)


@dataclass(frozen=True, eq=False)
class RankResult:
    """Everything `salesplan rank` decides; rows in scenario order."""

    tiers: TierResult
    classes: ClassResult
    ranking: Ranking
    portfolio: PortfolioResult
    hours: tuple[RepHours, ...]
    rep_of: Mapping[str, str]  # account → the rep who serves it (the capacity it draws on)
    owner: tuple[str, ...]  # rep serving each opportunity's account ('' when none)
    margin: FloatArray  # margin share used for each opportunity's expected value
    capacity_by: Literal["rep", "region"]

    @property
    def info(self) -> SolveInfo:
        return self.portfolio.info


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
        rep = rep_of.get(account.id)
        band = data.rules.band(tier_of.get(account.id, ""))
        if rep in load and band is not None:
            minutes = account.visit_minutes + travel[account.id]
            load[rep] += band.min * minutes / 60.0
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


def run_rank(
    data: PlanData,
    options: SolverOptions,
    rep_of: Mapping[str, str] | None = None,
    visit_hours: Mapping[str, float] | None = None,
    *,
    capacity_by: Literal["rep", "region"] = "rep",
    hour_values: bool = True,
    tiers: TierResult | None = None,
    classes: ClassResult | None = None,
) -> RankResult:
    """The `rank` stage: tiers, growth/share classes, ranked opportunities and the portfolio.

    ``rep_of`` (account → rep, e.g. a territory plan) defaults to :func:`.workload.default_rep_of`;
    ``visit_hours`` (rep → visit hours per month, e.g. a call plan) to the tier-minimum estimate.
    ``capacity_by='region'`` pools the hours of a region's reps. ``tiers`` defaults to ``assign_tiers``
    and ``classes`` to ``classify_accounts``.
    """
    tiers = tiers or assign_tiers(data)
    classes = classes or classify_accounts(data.accounts)
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
    )
    portfolio = solve_portfolio(problem, options, hour_values=hour_values)
    return RankResult(tiers, classes, ranking, portfolio, hours, rep_of, owner, margin, capacity_by)
