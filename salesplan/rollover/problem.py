"""The rollover problem: what next quarter starts from, gathered once from the scenario, the plan and the
review of its actuals (optional). The one module of the rollover that knows the scenario models.

``accounts`` columns: account, current_rep (the scenario's), plan_rep, forced (the plan had to move it:
its current rep left, works in another region, or it had none; or the plan says so in territories.csv's
forced column, e.g. its rep cannot reach it in a day trip), reason (the plan's), moved_dates
(tuple of dates), current_sales, plan_visits (visits/month), expected_sales (currency/year), and from the
review: actual_visits (done + unplanned in the window), actual_sales (currency, the window).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..review import ReviewResult
    from ..scenarios.model import Scenario
    from ..scenarios.plan_folder import PlanTables


@dataclass(frozen=True)
class RolloverProblem:
    start: dt.date  # the plan's first day
    weeks: int
    window_days: int  # days the actuals cover (the horizon's length without actuals)
    holidays: tuple[dt.date, ...]  # the scenario's calendar
    workdays: tuple[dt.date, ...]  # make-up working days (调休), where the scenario has them
    accounts: pd.DataFrame
    opportunities: tuple[tuple[str, str], ...]  # (opportunity, account) of the scenario
    status: pd.DataFrame  # opportunity, status (won, lost, open)
    over_limit: tuple[str, ...]  # accounts over their credit limit
    has_visit_log: bool
    has_shipments: bool
    max_moves_per_year: int | None

    @classmethod
    def from_data(
        cls, scenario: Scenario, plan: PlanTables, review: ReviewResult | None = None
    ) -> RolloverProblem:
        reps = scenario.rep_by_id
        territories = plan.frames["territories"].set_index("account")
        allocation = plan.frames["allocation"].set_index("account")
        rows = []
        for a in scenario.accounts:
            current = a.current_rep
            stays_possible = current is not None and current in reps and reps[current].region == a.region
            rows.append(
                {
                    "account": a.id,
                    "current_rep": current,
                    "plan_rep": territories["rep"].get(a.id),
                    "forced": not stays_possible or _forced_by_plan(territories, a.id),
                    "reason": territories["reason"].get(a.id) if "reason" in territories else "",
                    "moved_dates": tuple(a.moved_dates or ()),
                    "current_sales": a.current_sales,
                    "plan_visits": allocation["visits_per_month"].get(a.id),
                    "expected_sales": allocation["expected_sales"].get(a.id),
                }
            )
        accounts = pd.DataFrame(rows)
        status = pd.DataFrame(columns=["opportunity", "status"])
        over: tuple[str, ...] = ()
        window = 7 * scenario.horizon.weeks
        has_visits = has_shipments = False
        if review is not None:
            table = review.frames["accounts"].set_index("account")
            accounts["actual_visits"] = accounts["account"].map(table["done"] + table["unplanned"])
            accounts["actual_sales"] = accounts["account"].map(table["actual"])
            status = review.frames["opportunities"][["opportunity", "status"]]
            over = review.over_limit
            window = (dt.date.fromisoformat(review.as_of) - dt.date.fromisoformat(review.start)).days + 1
            has_visits = "visits" in review.sources
            has_shipments = "shipments" in review.sources
        return cls(
            start=scenario.horizon.start,
            weeks=scenario.horizon.weeks,
            window_days=window,
            holidays=tuple(scenario.horizon.holidays),
            workdays=tuple(getattr(scenario.horizon, "workdays", ()) or ()),
            accounts=accounts,
            opportunities=tuple((o.id, o.account) for o in scenario.opportunities),
            status=status,
            over_limit=over,
            has_visit_log=has_visits,
            has_shipments=has_shipments,
            max_moves_per_year=scenario.policy.reassignment.max_moves_per_account_per_year,
        )


def _forced_by_plan(territories: pd.DataFrame, account: str) -> bool:
    """The plan's own word that it had to move the account (plans before the forced column: no)."""
    if "forced" not in territories.columns or account not in territories.index:
        return False
    value = territories.at[account, "forced"]
    return bool(value) if isinstance(value, bool) else str(value).strip().lower() == "true"
