"""The review problem: the plan and the actuals restricted to the review window, keyed for matching.

Window: from the plan's first day S to the date of the actuals T (both included), d = T − S + 1 calendar
days. Planned visits after T are not yet due and are left out; actual visits and shipments outside
[S, T] are left out of plan-against-actual (shipments before S still give the order history of the churn
signals); invoices dated after T are left out.

Pace: an account's plan pace to T is its plan's expected sales (currency/year) × d / 365.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import ReviewData, Rules


@dataclass(frozen=True)
class ReviewProblem:
    """Plain frames of the window (see the module docstring) and the rules."""

    data: ReviewData
    planned: pd.DataFrame  # rep, account, date, minutes — planned visits due by T
    visits: pd.DataFrame  # actual visits in [S, T]
    shipments: pd.DataFrame  # shipments up to T (history included)
    receivables: pd.DataFrame  # invoices dated up to T
    pace_factor: float  # d / 365: plan pace = expected sales × pace_factor
    months_elapsed: float  # d × 12 / 365

    @property
    def rules(self) -> Rules:
        return self.data.rules

    @classmethod
    def from_data(cls, data: ReviewData) -> ReviewProblem:
        start = pd.Timestamp(data.start)
        as_of = pd.Timestamp(data.as_of)
        planned = data.planned
        planned = planned[(planned["date"] >= start) & (planned["date"] <= as_of)]
        visits = data.visits
        visits = visits[(pd.to_datetime(visits["date"]) >= start) & (pd.to_datetime(visits["date"]) <= as_of)]
        shipments = data.shipments
        shipments = shipments[pd.to_datetime(shipments["date"]) <= as_of]
        receivables = data.receivables
        receivables = receivables[pd.to_datetime(receivables["date"]) <= as_of]
        days = data.elapsed_days
        return cls(
            data=data,
            planned=planned.reset_index(drop=True),
            visits=visits.reset_index(drop=True),
            shipments=shipments.reset_index(drop=True),
            receivables=receivables.reset_index(drop=True),
            pace_factor=days / 365.0,
            months_elapsed=days * 12.0 / 365.0,
        )


def pair_keys(left: pd.DataFrame, right: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One int64 key per (rep, account) pair, shared by both frames (factorised once over both)."""
    reps, _ = pd.factorize(pd.concat([left["rep"], right["rep"]], ignore_index=True))
    accounts, _ = pd.factorize(pd.concat([left["account"], right["account"]], ignore_index=True))
    key = reps.astype(np.int64) * (int(accounts.max(initial=0)) + 1) + accounts
    return key[: len(left)], key[len(left) :]
