"""Review a quarter: ``review(data) -> ReviewResult`` (the one door), with the early warnings.

Warnings, each with its figure, its threshold and the policy key that sets it (``policy.*`` of
actuals.yaml, or the scenario's tier minimum), owned by the plan's rep of the account:

=====================  =====================================================================================
rep_visits_behind      done / planned < 1 − visits.rep_behind_share            (visits.py)
unplanned_visits       unplanned / planned > visits.unplanned_share
rep_sales_behind       rep's actual / pace < 1 − sales.rep_behind_share         (sales.py)
sales_behind           account's actual / pace < 1 − sales.account_behind_share
selling_cost           hours per sale > sales.cost_factor × the plan's
churn_gap              days since the last order > churn.gap_factor × the usual gap
churn_falling          second-half order rate < (1 − churn.falling_share) × the first half's
tier_visits_behind     top-tier account's visits < min(⌊tier minimum × months elapsed⌋, planned to date)
receivables_overdue    overdue share > receivables.max_overdue_share, or days past due > max_days_overdue
over_credit_limit      open receivables > credit limit                           (credit.py)
cross_region           one per cross-region shipment of a dealer                 (regions.py)
=====================  =====================================================================================

The top-tier minimum is what the plan could deliver of it: an account the plan itself scheduled below
its tier minimum (a plan KPI already reports those) is judged against its planned visits.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from .credit import credit_ratings, receivables_by_account
from .data import ReviewData
from .explain import warnings_frame
from .problem import ReviewProblem
from .regions import cross_region_shipments
from .result import ReviewResult, ReviewWarning
from .sales import churn_signals, sales_by_account, sales_by_rep
from .visits import match_visits, visit_counts


def review(data: ReviewData) -> ReviewResult:
    """Plan against actual, warnings, credit and cross-region selling for the window of ``data``."""
    clock = time.perf_counter()
    problem = ReviewProblem.from_data(data)
    rules = problem.rules
    matches = match_visits(problem)
    by_rep = visit_counts(matches, "rep")
    by_account = visit_counts(matches, "account")
    accounts = sales_by_account(problem, by_account)
    rep_sales = sales_by_rep(accounts, problem)
    churn = churn_signals(problem)
    receivables = receivables_by_account(problem)
    crossings = cross_region_shipments(problem)
    credit = credit_ratings(problem, receivables, crossings)
    opportunities = _opportunities(data)
    owner = dict(zip(data.accounts["account"], data.accounts["rep"].fillna(""), strict=True))
    warnings: list[ReviewWarning] = []

    # reps: visits done and unplanned against the plan, sales against pace
    for row in by_rep.itertuples():
        if row.planned and row.done / row.planned < 1 - rules.rep_visits_behind_share:
            warnings.append(
                ReviewWarning(
                    "rep_visits_behind",
                    "",
                    row.rep,
                    row.done / row.planned,
                    1 - rules.rep_visits_behind_share,
                    "share",
                    "policy.visits.rep_behind_share",
                )
            )
        if row.unplanned and row.unplanned > rules.unplanned_share * row.planned:
            warnings.append(
                ReviewWarning(
                    "unplanned_visits",
                    "",
                    row.rep,
                    row.unplanned / max(row.planned, 1),
                    rules.unplanned_share,
                    "share",
                    "policy.visits.unplanned_share",
                )
            )
    for row in rep_sales[rep_sales["behind"]].itertuples():
        warnings.append(
            ReviewWarning(
                "rep_sales_behind",
                "",
                row.rep,
                row.ratio,
                1 - rules.rep_sales_behind_share,
                "share",
                "policy.sales.rep_behind_share",
            )
        )
    # accounts: sales pace, selling cost
    for row in accounts[accounts["behind"]].itertuples():
        warnings.append(
            ReviewWarning(
                "sales_behind",
                row.account,
                owner.get(row.account, ""),
                row.ratio,
                1 - rules.account_sales_behind_share,
                "share",
                "policy.sales.account_behind_share",
            )
        )
    for row in accounts[accounts["cost_out_of_line"]].itertuples():
        warnings.append(
            ReviewWarning(
                "selling_cost",
                row.account,
                owner.get(row.account, ""),
                row.cost_multiple,
                rules.cost_factor,
                "multiple",
                "policy.sales.cost_factor",
            )
        )
    # churn signals
    for row in churn[churn["gap_signal"].astype(bool)].itertuples():
        warnings.append(
            ReviewWarning(
                "churn_gap",
                row.account,
                owner.get(row.account, ""),
                float(row.days_since_last),
                rules.gap_factor * row.usual_gap,
                "days",
                "policy.churn.gap_factor",
            )
        )
    for row in churn[churn["falling"].astype(bool)].itertuples():
        change = row.second_rate / row.first_rate - 1 if row.first_rate > 0 else 0.0
        warnings.append(
            ReviewWarning(
                "churn_falling",
                row.account,
                owner.get(row.account, ""),
                change,
                -rules.falling_share,
                "share",
                "policy.churn.falling_share",
            )
        )
    # top-tier accounts behind their visit minimum
    tiers = data.accounts[data.accounts["tier"] == rules.top_tier].set_index("account")
    if len(tiers):
        required = np.floor(tiers["min_visits"].fillna(0).to_numpy(float) * problem.months_elapsed + 1e-9)
        planned_to_date = by_account.set_index("account")["planned"].reindex(tiers.index).fillna(0).to_numpy()
        expected = np.minimum(required, planned_to_date)
        done = by_account.set_index("account")["actual"].reindex(tiers.index).fillna(0).to_numpy()
        for account, got, need in zip(tiers.index, done, expected, strict=True):
            if got < need:
                warnings.append(
                    ReviewWarning(
                        "tier_visits_behind",
                        account,
                        owner.get(account, ""),
                        float(got),
                        float(need),
                        "visits",
                        f"scenario policy.tiers.visits.{rules.top_tier}.min",
                    )
                )
    # money: receivables, credit limit
    for row in receivables[receivables["overdue_warning"]].itertuples():
        too_old = row.oldest_days_past_due > rules.max_days_overdue
        share_high = row.overdue_share > rules.max_overdue_share
        if share_high or not too_old:
            warnings.append(
                ReviewWarning(
                    "receivables_overdue",
                    row.account,
                    owner.get(row.account, ""),
                    row.overdue_share,
                    rules.max_overdue_share,
                    "share",
                    "policy.receivables.max_overdue_share",
                )
            )
        else:
            warnings.append(
                ReviewWarning(
                    "receivables_overdue",
                    row.account,
                    owner.get(row.account, ""),
                    float(row.oldest_days_past_due),
                    float(rules.max_days_overdue),
                    "days",
                    "policy.receivables.max_days_overdue",
                )
            )
    for rated in credit[credit["over_limit"]].to_dict("records"):
        warnings.append(
            ReviewWarning(
                "over_credit_limit",
                rated["account"],
                owner.get(rated["account"], ""),
                float(rated["open"]),
                float(rated["limit"]),
                data.currency,
                f"policy.credit.limit_months.{rated['class']}",
            )
        )
    for shipment in crossings.to_dict("records"):
        detail = f"{pd.Timestamp(shipment['date']).date()} to {shipment['ship_to_region']}"
        quantity = shipment["quantity"]
        has_quantity = quantity is not None and not (isinstance(quantity, float) and math.isnan(quantity))
        warnings.append(
            ReviewWarning(
                "cross_region",
                shipment["account"],
                owner.get(shipment["account"], ""),
                float(quantity if has_quantity else shipment["amount"]),
                0.0,
                "units" if has_quantity else data.currency,
                "regions are exclusive (DOMAIN: cross-region selling)",
                detail,
            )
        )

    names = dict(zip(data.accounts["account"], data.accounts["name"], strict=True)) | dict(
        zip(data.reps["rep"], data.reps["name"], strict=True)
    )
    reps = _reps_table(data, by_rep, rep_sales, opportunities)
    frames = {
        "reps": reps,
        "accounts": _accounts_table(data, by_account, accounts),
        "visits": matches,
        "sales": accounts,
        "churn": churn,
        "receivables": receivables,
        "credit": credit,
        "cross_region": crossings,
        "opportunities": opportunities,
        "warnings": warnings_frame(tuple(warnings), names),
    }
    return ReviewResult(
        name=data.name,
        as_of=str(data.as_of),
        start=str(data.start),
        end=str(data.end),
        currency=data.currency,
        frames=frames,
        warnings=tuple(warnings),
        runtime_seconds=time.perf_counter() - clock,
        sources=data.sources,
    )


def _opportunities(data: ReviewData) -> pd.DataFrame:
    """The plan's opportunities with their status: opportunity, account, rep, selected, expected_value,
    status (won, lost, open, or 'no news' when the status table does not name it), amount."""
    plan = data.opportunities[["opportunity", "account", "rep", "expected_value", "selected"]].copy()
    status = data.status.drop_duplicates("opportunity", keep="last").set_index("opportunity")
    plan["status"] = plan["opportunity"].map(status["status"]).fillna("no news")
    plan["amount"] = plan["opportunity"].map(status["amount"]).astype(float).fillna(0.0)
    return plan


def _reps_table(
    data: ReviewData, visits: pd.DataFrame, sales: pd.DataFrame, opportunities: pd.DataFrame
) -> pd.DataFrame:
    reps = data.reps[["rep", "name"]].copy()
    visit_columns = ["planned", "done", "late", "missed", "unplanned", "planned_minutes", "minutes"]
    reps = reps.merge(visits[["rep", *visit_columns]], on="rep", how="left")
    reps[visit_columns] = reps[visit_columns].fillna(0)
    reps = reps.rename(columns={"minutes": "minutes_on_site"})
    reps["done_share"] = np.where(reps["planned"] > 0, reps["done"] / reps["planned"].clip(lower=1), np.nan)
    reps = reps.merge(
        sales[["rep", "pace", "actual", "ratio"]].rename(
            columns={"actual": "actual_sales", "ratio": "sales_ratio"}
        ),
        on="rep",
        how="left",
    )
    pursued = opportunities[opportunities["selected"].astype(bool)]
    for status in ("won", "lost", "open"):
        reps[status] = (
            reps["rep"].map(pursued[pursued["status"] == status].groupby("rep").size()).fillna(0).astype(int)
        )
    reps["pursued"] = reps["rep"].map(pursued.groupby("rep").size()).fillna(0).astype(int)
    reps["won_amount"] = (
        reps["rep"]
        .map(opportunities[opportunities["status"] == "won"].groupby("rep")["amount"].sum())
        .fillna(0.0)
    )
    reps["pursued_expected_value"] = (
        reps["rep"].map(pursued.groupby("rep")["expected_value"].sum()).fillna(0.0)
    )
    for column in ("planned", "done", "late", "missed", "unplanned"):
        reps[column] = reps[column].astype(int)
    return reps


def _accounts_table(data: ReviewData, visits: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    out = data.accounts[["account", "name", "region", "rep", "tier"]].copy()
    counts = ["planned", "done", "late", "missed", "unplanned"]
    out = out.merge(visits[["account", *counts, "minutes"]], on="account", how="left")
    out[counts] = out[counts].fillna(0).astype(int)
    out = out.rename(columns={"minutes": "minutes_on_site"})
    out["minutes_on_site"] = out["minutes_on_site"].fillna(0.0)
    return out.merge(sales[["account", "pace", "actual", "ratio", "cost_multiple"]], on="account", how="left")
