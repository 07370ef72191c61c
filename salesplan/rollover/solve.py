"""Next quarter's starting point from this quarter's plan (and its actuals): ``rollover(problem)``.

Per account i, with S the plan's first day, d the days of the review window (the whole horizon without
actuals), H the horizon in days and m_i the plan's visits per month:

    current_rep'              = the plan's rep of i (its current rep where the plan gives none)
    current_visits_per_month' = actual visits of i in the window ÷ (d × 12 / 365) with a visit log, else m_i
    current_sales'            = current_sales × (1 − d/365) + actual sales of i in the window with shipments,
                                else current_sales × (1 − H/365) + E_i × H/365 (E_i the plan's expected sales):
                                a rolling 12 months, the oldest d days replaced by this quarter's
    moved_dates'              = moved_dates within 365 days before the new start, plus S when the plan moved i

A move is **forced** when the account could not stay (its current rep left — removed by a what-if — or
works in another region, or it had no rep); forced moves are allowed past
policy.reassignment.max_moves_per_account_per_year and keep the plan's reason.
Opportunities won or lost leave the list; the open ones of accounts over their credit limit get
``exclude`` (and lose ``must_pursue``). The horizon moves on by its own length; holidays (and make-up
working days) of the scenario's calendar that fall in the new horizon are kept, and a warning asks for
them when the calendar has none there.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .problem import RolloverProblem
from .result import Move, RolloverResult


def rollover(problem: RolloverProblem) -> RolloverResult:
    """The next quarter's accounts, opportunities, horizon and move history."""
    accounts = problem.accounts.copy()
    start = problem.start
    new_start = start + dt.timedelta(days=7 * problem.weeks)
    new_end = new_start + dt.timedelta(days=7 * problem.weeks - 1)
    window = problem.window_days
    horizon_days = 7 * problem.weeks
    accounts["next_rep"] = accounts["plan_rep"].where(
        accounts["plan_rep"].notna() & (accounts["plan_rep"] != ""), accounts["current_rep"]
    )
    if problem.has_visit_log:
        months = window * 12.0 / 365.0
        accounts["next_visits"] = (accounts["actual_visits"].fillna(0) / max(months, 1e-9)).round(2)
    else:
        accounts["next_visits"] = accounts["plan_visits"].fillna(0.0).round(2)
    old = accounts["current_sales"].astype(float)
    if problem.has_shipments:
        accounts["next_sales"] = (old * (1 - window / 365.0) + accounts["actual_sales"].fillna(0.0)).round(2)
    else:
        accounts["next_sales"] = (
            old * (1 - horizon_days / 365.0) + accounts["expected_sales"].fillna(0.0) * horizon_days / 365.0
        ).round(2)
    accounts["next_sales"] = accounts["next_sales"].clip(lower=0.0)
    moved = (
        accounts["current_rep"].fillna("").ne(accounts["next_rep"].fillna("")) & accounts["next_rep"].notna()
    )
    moved &= accounts["current_rep"].notna()
    moves: list[Move] = []
    history: list[str] = []
    for row, is_moved in zip(accounts.itertuples(), moved, strict=True):
        kept = [d for d in row.moved_dates if 0 < (new_start - d).days <= 365]
        if is_moved:
            kept.append(start)
            moves.append(
                Move(row.account, start, row.current_rep, row.next_rep, bool(row.forced), row.reason or "")
            )
        history.append(";".join(d.isoformat() for d in sorted(set(kept))))
    accounts["next_moved_dates"] = history
    status = problem.status
    finished = set(status.loc[status["status"].isin(["won", "lost"]), "opportunity"])
    over = set(problem.over_limit)
    excluded = tuple(sorted(o for o, a in problem.opportunities if a in over and o not in finished))
    holidays = tuple(d for d in problem.holidays if new_start <= d <= new_end)
    workdays = tuple(d for d in problem.workdays if new_start <= d <= new_end)
    warnings: list[str] = []
    if not holidays and not workdays:
        warnings.append(
            f"the scenario's calendar has no holidays or make-up working days in {new_start} – {new_end}: "
            "add them to horizon.holidays (and the make-up working days, 调休) of the next scenario"
        )
    columns = {
        "account": "account",
        "next_rep": "current_rep",
        "next_visits": "current_visits_per_month",
        "next_sales": "current_sales",
        "next_moved_dates": "moved_dates",
    }
    return RolloverResult(
        start=new_start,
        weeks=problem.weeks,
        holidays=holidays,
        workdays=workdays,
        accounts=accounts[list(columns)].rename(columns=columns).reset_index(drop=True),
        removed_opportunities=tuple(sorted(finished)),
        excluded_opportunities=excluded,
        moves=tuple(moves),
        warnings=tuple(warnings),
        moved_before=int(np.count_nonzero([bool(d) for d in problem.accounts["moved_dates"]])),
    )
