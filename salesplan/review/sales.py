"""Sales against the plan's pace, selling cost per sale, and churn signals in the order history.

Per account i (the plan's rep r(i)):

    pace_i    = E_i × d / 365          E_i the plan's expected sales (currency/year), d days of the window
    actual_i  = Σ shipments of i in [S, T]                                          (currency)
    ratio_i   = actual_i / pace_i      behind when ratio_i < 1 − account_behind_share and pace_i ≥ min_pace
    per rep:  ratio_r = Σ_{r(i)=r} actual_i / Σ pace_i, behind when < 1 − rep_behind_share

Selling cost per sale, as a multiple of the plan's: cost_i = (h_i / actual_i) / (H_i / pace_i) with h_i the
hours on site of i's actual visits in the window and H_i the planned hours of its visits due by T; out of
line when cost_i > cost_factor (infinite when i bought nothing) and i had ≥ cost_min_visits visits.

Churn, from the shipments up to T of accounts with ≥ min_orders order days: the usual gap g_i is the median
of the days between consecutive order days; a **gap** signal when the days since the last order
T − last_i > gap_factor × g_i and ≥ min_gap_days; **orders falling** when the amount per day in the second
half of [first order day, T] is below (1 − falling_share) × that of the first half.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .problem import ReviewProblem


def sales_by_account(problem: ReviewProblem, counts: pd.DataFrame) -> pd.DataFrame:
    """account, rep, expected_sales, pace, actual, ratio, behind, hours, planned_hours, cost_multiple."""
    data = problem.data
    accounts = data.accounts[["account", "name", "rep", "expected_sales"]].copy()
    start = pd.Timestamp(data.start)
    window = problem.shipments[pd.to_datetime(problem.shipments["date"]) >= start]
    actual = window.groupby("account")["amount"].sum()
    accounts["pace"] = accounts["expected_sales"] * problem.pace_factor
    accounts["actual"] = accounts["account"].map(actual).fillna(0.0)
    accounts["ratio"] = np.where(
        accounts["pace"] > 0, accounts["actual"] / accounts["pace"].where(accounts["pace"] > 0, 1), np.nan
    )
    rules = problem.rules
    accounts["behind"] = (
        (accounts["ratio"] < 1 - rules.account_sales_behind_share)
        & (accounts["pace"] >= rules.min_pace)
        & (accounts["pace"] > 0)
    )
    per = counts.set_index("account")
    accounts["visits"] = accounts["account"].map(per["actual"]).fillna(0).astype(int)
    accounts["hours"] = accounts["account"].map(per["minutes"]).fillna(0.0) / 60.0
    accounts["planned_hours"] = accounts["account"].map(per["planned_minutes"]).fillna(0.0) / 60.0
    with np.errstate(divide="ignore", invalid="ignore"):
        plan_rate = accounts["planned_hours"] / accounts["pace"]
        actual_rate = np.where(accounts["actual"] > 0, accounts["hours"] / accounts["actual"], np.inf)
        accounts["cost_multiple"] = np.where(
            (plan_rate > 0) & (accounts["hours"] > 0), actual_rate / plan_rate, np.nan
        )
    accounts["cost_out_of_line"] = (accounts["cost_multiple"] > rules.cost_factor) & (
        accounts["visits"] >= rules.cost_min_visits
    )
    return accounts


def sales_by_rep(accounts: pd.DataFrame, problem: ReviewProblem) -> pd.DataFrame:
    """rep, pace, actual, ratio, behind (rep_behind_share)."""
    served = accounts[accounts["rep"].notna()]
    out = served.groupby("rep")[["pace", "actual"]].sum().reset_index()
    out["ratio"] = np.where(out["pace"] > 0, out["actual"] / out["pace"].where(out["pace"] > 0, 1), np.nan)
    out["behind"] = out["ratio"] < 1 - problem.rules.rep_sales_behind_share
    return out


def churn_signals(problem: ReviewProblem) -> pd.DataFrame:
    """account, orders, usual_gap, days_since_last, gap_signal, first_rate, second_rate, falling."""
    rules = problem.rules
    as_of = pd.Timestamp(problem.data.as_of)
    ship = problem.shipments[["account", "date", "amount"]].copy()
    ship["date"] = pd.to_datetime(ship["date"])
    days = ship.groupby(["account", "date"], sort=True)["amount"].sum().reset_index()
    if days.empty:
        return pd.DataFrame(
            columns=[
                "account",
                "orders",
                "usual_gap",
                "days_since_last",
                "gap_signal",
                "first_rate",
                "second_rate",
                "falling",
            ]
        )
    days["gap"] = days.groupby("account")["date"].diff().dt.days
    grouped = days.groupby("account")
    out = pd.DataFrame(
        {
            "orders": grouped.size(),
            "usual_gap": grouped["gap"].median(),
            "first": grouped["date"].min(),
            "last": grouped["date"].max(),
        }
    )
    out["days_since_last"] = (as_of - out["last"]).dt.days
    enough = out["orders"] >= rules.min_orders
    out["gap_signal"] = (
        enough
        & (out["days_since_last"] > rules.gap_factor * out["usual_gap"])
        & (out["days_since_last"] >= rules.min_gap_days)
    )
    span = ((as_of - out["first"]).dt.days + 1).astype(float)
    middle = out["first"] + pd.to_timedelta(np.floor(span / 2), unit="D")
    days = days.join(middle.rename("middle"), on="account")
    first_half = days[days["date"] < days["middle"]].groupby("account")["amount"].sum()
    second_half = days[days["date"] >= days["middle"]].groupby("account")["amount"].sum()
    half = np.floor(span / 2)
    out["first_rate"] = out.index.map(first_half).fillna(0.0) / half.clip(lower=1)
    out["second_rate"] = out.index.map(second_half).fillna(0.0) / (span - half).clip(lower=1)
    out["falling"] = enough & (out["second_rate"] < (1 - rules.falling_share) * out["first_rate"])
    columns = ["orders", "usual_gap", "days_since_last", "gap_signal", "first_rate", "second_rate", "falling"]
    return out[columns].reset_index()
