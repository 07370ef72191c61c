"""The facts the quarterly review reads, compiled once from the scenario, the plan folder and the actuals.

The one module of the review that knows the scenario models (as ``optimizer/data.py`` is for planning):
everything after it is plain frames and a frozen :class:`Rules`. Frames and their columns:

* ``accounts``: account, name, region, lat, lon, is_dealer, current_sales (currency/year, last 12
  months), rep (the plan's), tier, min_visits (visits/month), visits_per_month and expected_sales
  (currency/year) of the plan's call plan;
* ``reps``: rep, name, region;
* ``planned``: the plan's scheduled visits — rep, account, date, minutes;
* ``visits``, ``shipments``, ``receivables``, ``status``, ``profiles``: the actuals tables as loaded
  (empty frames with the right columns where a table was not given);
* ``opportunities``: the plan's opportunities — opportunity, account, rep, expected_value, selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..scenarios.actuals import Actuals
    from ..scenarios.actuals_model import ReviewPolicy
    from ..scenarios.model import Scenario
    from ..scenarios.plan_folder import PlanTables


@dataclass(frozen=True)
class Rules:
    """The review policy as plain values (keys of ``policy:`` in actuals.yaml, see ReviewPolicy)."""

    late_after_days: int
    match_window_days: int
    rep_visits_behind_share: float
    unplanned_share: float
    account_sales_behind_share: float
    rep_sales_behind_share: float
    min_pace: float
    cost_factor: float
    cost_min_visits: int
    gap_factor: float
    min_gap_days: int
    falling_share: float
    min_orders: int
    max_overdue_share: float
    max_days_overdue: int
    buckets: tuple[int, ...]
    class_cuts: tuple[tuple[str, float], ...]  # (class, minimum score), descending
    limit_months: dict[str, float]
    top_tier: str


@dataclass(frozen=True)
class ReviewData:
    name: str
    currency: str
    start: dt.date  # first day of the plan's horizon
    end: dt.date  # last day of the plan's horizon
    as_of: dt.date  # date of the actuals: figures run from start to as_of, inclusive
    rules: Rules
    accounts: pd.DataFrame
    reps: pd.DataFrame
    planned: pd.DataFrame
    visits: pd.DataFrame
    shipments: pd.DataFrame
    receivables: pd.DataFrame
    status: pd.DataFrame
    profiles: pd.DataFrame
    opportunities: pd.DataFrame
    sources: dict[str, str]

    @property
    def elapsed_days(self) -> int:
        """Calendar days from the horizon's start to the date of the actuals, both included."""
        return max(0, (self.as_of - self.start).days + 1)


def _empty(model: type) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in model.model_fields})  # type: ignore[attr-defined]


def compile_review(scenario: Scenario, plan: PlanTables, actuals: Actuals) -> ReviewData:
    """The review's facts: the plan's decisions and the scenario's accounts beside what happened."""
    from ..scenarios.actuals_model import ACTUALS_MODELS

    policy = actuals.settings.policy
    frames = plan.frames
    territories = frames["territories"][["account", "rep"]]
    allocation = frames["allocation"][["account", "tier", "min_visits", "visits_per_month", "expected_sales"]]
    accounts = pd.DataFrame(
        {
            "account": [a.id for a in scenario.accounts],
            "name": [a.name for a in scenario.accounts],
            "region": [a.region for a in scenario.accounts],
            "lat": [a.lat for a in scenario.accounts],
            "lon": [a.lon for a in scenario.accounts],
            "is_dealer": [a.is_dealer for a in scenario.accounts],
            "current_sales": [a.current_sales for a in scenario.accounts],
        }
    )
    accounts = accounts.merge(territories, on="account", how="left").merge(
        allocation, on="account", how="left"
    )
    accounts["expected_sales"] = accounts["expected_sales"].fillna(0.0)
    accounts["visits_per_month"] = accounts["visits_per_month"].fillna(0.0)
    reps = pd.DataFrame(
        {
            "rep": [r.id for r in scenario.reps],
            "name": [r.name for r in scenario.reps],
            "region": [r.region for r in scenario.reps],
        }
    )
    tables = {n: actuals.frames.get(n, _empty(m)) for n, m in ACTUALS_MODELS.items()}
    start, end = scenario.horizon.start, scenario.horizon.end
    as_of = actuals.settings.as_of or _last_date(tables, end)
    rules = rules_from(policy, next(iter(scenario.policy.tiers.visits), "A"))
    opportunities = frames.get("opportunities")
    if opportunities is None:
        opportunities = pd.DataFrame(columns=["opportunity", "account", "rep", "expected_value", "selected"])
    return ReviewData(
        name=scenario.name,
        currency=scenario.policy.economics.currency,
        start=start,
        end=end,
        as_of=as_of,
        rules=rules,
        accounts=accounts,
        reps=reps,
        planned=frames["visits"][["rep", "account", "date", "minutes"]],
        visits=tables["visits"],
        shipments=tables["shipments"],
        receivables=tables["receivables"],
        status=tables["opportunities"],
        profiles=tables["dealers"],
        opportunities=opportunities,
        sources=dict(actuals.sources),
    )


def rules_from(policy: ReviewPolicy, top_tier: str) -> Rules:
    """The review policy of actuals.yaml as plain values; ``top_tier`` is the scenario's first tier."""
    return Rules(
        late_after_days=policy.visits.late_after_days,
        match_window_days=policy.visits.match_window_days,
        rep_visits_behind_share=policy.visits.rep_behind_share,
        unplanned_share=policy.visits.unplanned_share,
        account_sales_behind_share=policy.sales.account_behind_share,
        rep_sales_behind_share=policy.sales.rep_behind_share,
        min_pace=policy.sales.min_pace,
        cost_factor=policy.sales.cost_factor,
        cost_min_visits=policy.sales.cost_min_visits,
        gap_factor=policy.churn.gap_factor,
        min_gap_days=policy.churn.min_gap_days,
        falling_share=policy.churn.falling_share,
        min_orders=policy.churn.min_orders,
        max_overdue_share=policy.receivables.max_overdue_share,
        max_days_overdue=policy.receivables.max_days_overdue,
        buckets=tuple(policy.receivables.buckets),
        class_cuts=tuple(policy.credit.class_cuts.items()),
        limit_months=dict(policy.credit.limit_months),
        top_tier=top_tier,
    )


def _last_date(tables: dict[str, pd.DataFrame], end: dt.date) -> dt.date:
    """The latest visit or shipment date, at most the horizon's end (the horizon's end without either)."""
    dates = [pd.to_datetime(tables[n]["date"]).max() for n in ("visits", "shipments") if len(tables[n])]
    dates = [d for d in dates if pd.notna(d)]
    if not dates:
        return end
    return min(max(dates).date(), end)
