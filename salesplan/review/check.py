"""Independent checks that a review's figures reconcile (read from its tables, not from the computation).

1. Per rep and per account: done + missed = planned, done + unplanned = actual, late ≤ done.
2. The visit table's rows: planned visits = rows with a planned date, actual visits = rows with an actual
   date, and each rep's counts add up to the visit table's.
3. Sales: the reps' actual sales add up to the accounts' of the reps' territories.
4. Receivables: per account the ageing buckets add up to the open amount, overdue = open − not due.
"""

from __future__ import annotations

import numpy as np

from .credit import bucket_names
from .result import ReviewResult


def check(result: ReviewResult, buckets: tuple[int, ...] = (30, 60, 90)) -> list[str]:
    """Every way the result fails to reconcile, in words (empty when it reconciles)."""
    bad: list[str] = []
    frames = result.frames
    for name, key in (("reps", "rep"), ("accounts", "account")):
        table = frames[name]
        for row in table.itertuples():
            if row.done + row.missed != row.planned:
                bad.append(
                    f"{name} {getattr(row, key)}: done {row.done} + missed {row.missed} ≠ planned {row.planned}"
                )
            if row.late > row.done:
                bad.append(f"{name} {getattr(row, key)}: late {row.late} > done {row.done}")
    visits = frames["visits"]
    reps = frames["reps"]
    if int(visits["planned_date"].notna().sum()) != int(reps["planned"].sum()):
        bad.append("planned visits in visits.csv differ from the reps' planned total")
    actual_rows = int(visits["actual_date"].notna().sum())
    if actual_rows != int(reps["done"].sum() + reps["unplanned"].sum()):
        bad.append(f"actual visits {actual_rows} ≠ done + unplanned of the reps")
    sales = frames["sales"]
    served = sales[sales["rep"].notna()]
    if not np.isclose(served["actual"].sum(), reps["actual_sales"].fillna(0).sum(), rtol=1e-9, atol=0.01):
        bad.append("the reps' actual sales do not add up to their accounts'")
    receivables = frames["receivables"]
    if len(receivables):
        names = [n for n in bucket_names(buckets) if n in receivables.columns]
        if len(names) == len(bucket_names(buckets)):
            total = receivables[names].sum(axis=1)
            if not np.allclose(total, receivables["open"], atol=0.01):
                bad.append("ageing buckets do not add up to the open receivables")
            if not np.allclose(
                receivables["overdue"], receivables["open"] - receivables["not_due"], atol=0.01
            ):
                bad.append("overdue ≠ open − not due")
    return bad
