"""Visits against the plan: done, late, missed and unplanned, per visit, account and rep.

Matching, per (rep, account): the planned visits due by T and the actual visits in [S, T] are paired
nearest first — visits on their planned day first, then every actual visit is offered the planned visit of the same rep and account nearest in
date, at most ``match_window_days`` away; a planned visit offered several keeps the nearest (then the
earliest); the rest try again among the visits left, until no pair is left to make. A paired planned
visit is **done**; it is **late** when the actual date is more than ``late_after_days`` after the planned
one (late visits are done visits); an unpaired planned visit is **missed**; an unpaired actual visit is
**unplanned**. So, per rep and per account, done + missed = planned and done + unplanned = actual.
Matching needs only rep, account and date, so plans with or without ``visit_id`` match alike, and a visit
moved a few days still counts as the one planned, while a missed visit does not make the next ones late.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .problem import ReviewProblem, pair_keys

STATUSES = ("done", "late", "missed", "unplanned")


def match_visits(problem: ReviewProblem) -> pd.DataFrame:
    """One row per planned or actual visit: rep, account, planned_date, actual_date, planned_minutes,
    minutes (on site), status (done, late, missed, unplanned)."""
    planned, actual = problem.planned, problem.visits
    kp, ka = pair_keys(planned, actual)
    left = pd.DataFrame(
        {
            "key": kp,
            "rep": planned["rep"].to_numpy(),
            "account": planned["account"].to_numpy(),
            "planned_date": planned["date"].to_numpy().astype("datetime64[ns]"),
            "planned_minutes": planned["minutes"].to_numpy(),
        }
    )
    right = pd.DataFrame(
        {
            "key": ka,
            "rep": actual["rep"].to_numpy(),
            "account": actual["account"].to_numpy(),
            "actual_date": pd.to_datetime(actual["date"]).to_numpy().astype("datetime64[ns]"),
            "minutes": actual["minutes"].astype(float).to_numpy(),
        }
    )
    partner = _pair_nearest(left, right, problem.rules.match_window_days)
    pairs = partner[partner >= 0]
    done = left.iloc[pairs.index].reset_index(drop=True)
    done["actual_date"] = right["actual_date"].to_numpy()[pairs.to_numpy()]
    done["minutes"] = right["minutes"].to_numpy()[pairs.to_numpy()]
    missed = left.iloc[np.flatnonzero(partner.to_numpy() < 0)].assign(actual_date=pd.NaT, minutes=0.0)
    taken = np.zeros(len(right), dtype=bool)
    taken[pairs.to_numpy()] = True
    unplanned = right[~taken].assign(planned_date=pd.NaT, planned_minutes=np.nan)
    merged = pd.concat([done, missed, unplanned], ignore_index=True)
    lateness = (merged["actual_date"] - merged["planned_date"]).dt.days.to_numpy()
    has_plan = merged["planned_date"].notna().to_numpy()
    has_actual = merged["actual_date"].notna().to_numpy()
    late = has_plan & has_actual & (np.nan_to_num(lateness, nan=0) > problem.rules.late_after_days)
    code = np.select([late, has_plan & has_actual, has_plan], [1, 0, 2], default=3)
    merged["status"] = pd.Categorical.from_codes(code, categories=STATUSES)
    merged["minutes"] = merged["minutes"].fillna(0.0)
    for column in ("rep", "account"):  # sorted categories: sorting the codes sorts the names
        merged[column] = pd.Categorical(merged[column].astype(str))
    order = np.lexsort(
        (
            merged["actual_date"].to_numpy(),
            merged["planned_date"].to_numpy(),
            merged["account"].cat.codes.to_numpy(),
            merged["rep"].cat.codes.to_numpy(),
        )
    )
    columns = ["rep", "account", "planned_date", "actual_date", "planned_minutes", "minutes", "status"]
    return merged[columns].iloc[order].reset_index(drop=True)


def _pair_nearest(left: pd.DataFrame, right: pd.DataFrame, window_days: int) -> pd.Series:
    """For each planned visit (row of ``left``), the row of ``right`` it is paired with, or −1."""
    partner = pd.Series(-1, index=left.index, dtype=np.int64)
    free_left = np.ones(len(left), dtype=bool)
    free_right = np.ones(len(right), dtype=bool)
    tolerance = pd.Timedelta(days=window_days)
    # most visits happen on their day: pair those first by a hash join (the n-th of a day with the n-th)
    same_left = left[["key", "planned_date"]].assign(
        n=left.groupby(["key", "planned_date"]).cumcount(), row=np.arange(len(left))
    )
    same_right = right[["key", "actual_date"]].assign(
        n=right.groupby(["key", "actual_date"]).cumcount(), row=np.arange(len(right))
    )
    exact = same_left.merge(
        same_right, left_on=["key", "planned_date", "n"], right_on=["key", "actual_date", "n"]
    )
    if len(exact):
        partner.iloc[exact["row_x"].to_numpy()] = exact["row_y"].to_numpy()
        free_left[exact["row_x"].to_numpy()] = False
        free_right[exact["row_y"].to_numpy()] = False
    while free_left.any() and free_right.any():
        offers = (
            right[free_right]
            .assign(actual_row=np.flatnonzero(free_right))
            .sort_values("actual_date", kind="stable")
        )
        wanted = (
            left[free_left]
            .assign(planned_row=np.flatnonzero(free_left))
            .sort_values("planned_date", kind="stable")
        )
        found = pd.merge_asof(
            offers[["key", "actual_date", "actual_row"]],
            wanted[["key", "planned_date", "planned_row"]],
            left_on="actual_date",
            right_on="planned_date",
            by="key",
            direction="nearest",
            tolerance=tolerance,
        )
        found = found.dropna(subset=["planned_row"])
        if found.empty:
            break
        found["distance"] = (found["actual_date"] - found["planned_date"]).abs()
        found = found.sort_values(["distance", "actual_date", "actual_row"], kind="stable").drop_duplicates(
            "planned_row"
        )
        rows, partners = found["planned_row"].astype(np.int64).to_numpy(), found["actual_row"].to_numpy()
        partner.iloc[rows] = partners
        free_left[rows] = False
        free_right[partners] = False
    return partner


def visit_counts(matches: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per ``by`` (rep or account): planned, done (late included), late, missed, unplanned, actual,
    planned_minutes and minutes on site (all actual visits)."""
    code = matches["status"].cat.codes.to_numpy()  # STATUSES: done, late, missed, unplanned
    groups, names = pd.factorize(matches[by].astype(str), sort=True)
    size = len(names)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(groups[mask], minlength=size).astype(int)

    out = pd.DataFrame(
        {
            by: np.asarray(names, dtype=object),
            "planned": count(code != 3),
            "done": count(code <= 1),
            "late": count(code == 1),
            "missed": count(code == 2),
            "unplanned": count(code == 3),
            "actual": count(code != 2),
            "planned_minutes": np.bincount(
                groups, np.nan_to_num(matches["planned_minutes"].to_numpy(float)), size
            ),
            "minutes": np.bincount(groups, matches["minutes"].to_numpy(float), size),
        }
    )
    out["done_share"] = np.where(out["planned"] > 0, out["done"] / out["planned"].clip(lower=1), np.nan)
    return out
