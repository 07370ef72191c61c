"""Receivables ageing and the dealer credit rating with its credit limit.

Receivables at T, per invoice dated up to T: open = amount − paid, days past due = T − due date. Ageing
buckets over the open amount: not due (≤ 0 days), 1–b₁, b₁+1–b₂, …, > b_last (policy ``buckets``, days).
Per account: overdue = open amount past due, overdue share = overdue / open; overdue warning when the
share > ``max_overdue_share`` or any open amount is > ``max_days_overdue`` days past due.

Credit score (0–100) from the indicators of DOMAIN.md; an indicator the data does not give scores half
its points (and says "unknown"):

    residence     15  local and ≥ 3 years in business: 15; one of the two: 7.5; neither: 0
    growth        20  sales growth over 3 years > 35 %: 20; 20–35 %: 12; < 20 %: 4
    arrears       15  arrears to other suppliers none: 15; benign: 7.5; serious: 0
    our share     15  our products' share of its sales ≥ 50 %: 15; 30–49 %: 9; < 30 %: 3
    habits        10  no bad habits: 10; bad habits: 0
    cross-region  15  shipments across regions (窜货) in the window none: 15; one (minor): 7.5; more: 0
    payment       10  our overdue share 0: 10; ≤ max_overdue_share: 5; above: 0

Class: the first of ``class_cuts`` (descending minimum scores) the score reaches. Credit limit = the
class's ``limit_months`` × the account's yearly sales ÷ 12, its sales of the last 12 months or, when
higher (a new dealer), the plan's expected sales. Over the limit when its open
receivables exceed the limit: the next plan pushes no new opportunity at it (rollover excludes them).
Rated: every account with receivables or a dealer profile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .problem import ReviewProblem


def receivables_by_account(problem: ReviewProblem) -> pd.DataFrame:
    """account, invoices, open, not_due, one column per ageing bucket, overdue, overdue_share,
    oldest_days_past_due, overdue_warning."""
    rules = problem.rules
    table = problem.receivables
    as_of = pd.Timestamp(problem.data.as_of)
    open_amount = (table["amount"].astype(float) - table["paid"].astype(float).fillna(0.0)).clip(lower=0)
    past = (as_of - pd.to_datetime(table["due_date"])).dt.days
    frame = pd.DataFrame({"account": table["account"], "open": open_amount, "past": past})
    names = bucket_names(rules.buckets)
    edges = [-np.inf, 0, *rules.buckets, np.inf]
    frame["bucket"] = pd.cut(frame["past"], bins=edges, labels=names, right=True)
    wide = frame.pivot_table(
        index="account", columns="bucket", values="open", aggfunc="sum", fill_value=0.0, observed=False
    )
    wide = wide.reindex(columns=names, fill_value=0.0)
    out = pd.DataFrame(index=wide.index)
    out["invoices"] = frame.groupby("account").size()
    out["open"] = wide.sum(axis=1)
    for name in names:
        out[name] = wide[name]
    out["overdue"] = out["open"] - out[names[0]]
    out["overdue_share"] = np.where(
        out["open"] > 0, out["overdue"] / out["open"].where(out["open"] > 0, 1), 0.0
    )
    open_past = frame[(frame["open"] > 0.005) & (frame["past"] > 0)]
    out["oldest_days_past_due"] = (
        open_past.groupby("account")["past"].max().reindex(out.index).fillna(0).astype(int)
    )
    out["overdue_warning"] = (out["overdue"] > 0.005) & (
        (out["overdue_share"] > rules.max_overdue_share)
        | (out["oldest_days_past_due"] > rules.max_days_overdue)
    )
    return out.reset_index()


def bucket_names(buckets: tuple[int, ...]) -> list[str]:
    """'not_due', '1-30', '31-60', '61-90', 'over_90' for buckets (30, 60, 90)."""
    names, low = ["not_due"], 1
    for limit in buckets:
        names.append(f"{low}-{limit}")
        low = limit + 1
    return [*names, f"over_{buckets[-1]}"]


def _points(
    values: pd.Series, scale: list[tuple[object, float]], full: float
) -> tuple[np.ndarray, np.ndarray]:
    known = values.notna().to_numpy()
    points = np.full(len(values), full / 2)
    for condition, score in scale:
        mask = known & np.asarray(condition, dtype=bool)
        points = np.where(mask, score, points)
    return points, known


def credit_ratings(
    problem: ReviewProblem, receivables: pd.DataFrame, crossings: pd.DataFrame
) -> pd.DataFrame:
    """account, the indicators and their points, score, class, limit, open, over_limit."""
    rules, data = problem.rules, problem.data
    rated = sorted(set(receivables["account"]) | set(data.profiles["account"]))
    frame = pd.DataFrame({"account": rated})
    profile = data.profiles.drop_duplicates("account", keep="last").set_index("account")
    for column in (
        "local",
        "years_in_business",
        "sales_growth_3y",
        "arrears_elsewhere",
        "our_share",
        "bad_habits",
    ):
        frame[column] = frame["account"].map(profile[column]) if column in profile else None
    local = frame["local"].map(lambda v: None if v is None or v != v else bool(v))
    years = pd.to_numeric(frame["years_in_business"], errors="coerce")
    both = local.notna() & years.notna()
    residence = np.where(
        both, 7.5 * (local.fillna(False).astype(bool).astype(float) + (years >= 3).astype(float)), 7.5
    )
    growth_values = pd.to_numeric(frame["sales_growth_3y"], errors="coerce")
    growth, _ = _points(
        growth_values,
        [
            (growth_values > 0.35, 20.0),
            ((growth_values >= 0.20) & (growth_values <= 0.35), 12.0),
            (growth_values < 0.20, 4.0),
        ],
        20.0,
    )
    arrears_values = frame["arrears_elsewhere"]
    arrears, _ = _points(
        arrears_values,
        [
            (arrears_values == "none", 15.0),
            (arrears_values == "benign", 7.5),
            (arrears_values == "serious", 0.0),
        ],
        15.0,
    )
    share_values = pd.to_numeric(frame["our_share"], errors="coerce")
    share, _ = _points(
        share_values,
        [
            (share_values >= 0.5, 15.0),
            ((share_values >= 0.3) & (share_values < 0.5), 9.0),
            (share_values < 0.3, 3.0),
        ],
        15.0,
    )
    habit_values = frame["bad_habits"].map(lambda v: None if v is None or v != v else bool(v))
    habits, _ = _points(habit_values, [(habit_values == False, 10.0), (habit_values == True, 0.0)], 10.0)  # noqa: E712
    incidents = frame["account"].map(crossings.groupby("account").size()).fillna(0).astype(int)
    frame["cross_region_shipments"] = incidents
    cross = np.select([incidents == 0, incidents == 1], [15.0, 7.5], default=0.0)
    per = receivables.set_index("account")
    overdue_share = frame["account"].map(per["overdue_share"]).fillna(0.0)
    payment = np.select(
        [overdue_share <= 0, overdue_share <= rules.max_overdue_share], [10.0, 5.0], default=0.0
    )
    for name, values in (
        ("residence_points", residence),
        ("growth_points", growth),
        ("arrears_points", arrears),
        ("share_points", share),
        ("habits_points", habits),
        ("cross_region_points", cross),
        ("payment_points", payment),
    ):
        frame[name] = values
    frame["score"] = frame[[c for c in frame.columns if c.endswith("_points")]].sum(axis=1).round(1)
    cuts = rules.class_cuts
    frame["class"] = [next(c for c, low in cuts if s >= low - 1e-9) for s in frame["score"]]
    facts = data.accounts.set_index("account")
    basis = np.maximum(facts["current_sales"].astype(float), facts["expected_sales"].astype(float))
    sales = frame["account"].map(basis).fillna(0.0)
    frame["limit"] = (frame["class"].map(rules.limit_months).astype(float) * sales / 12.0).round(2)
    frame["open"] = frame["account"].map(per["open"]).fillna(0.0)
    frame["over_limit"] = frame["open"] > frame["limit"] + 0.005
    return frame
