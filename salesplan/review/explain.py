"""Early warnings in words: the one place a :class:`ReviewWarning` becomes a sentence."""

from __future__ import annotations

import pandas as pd

from .result import WARNING_KINDS, ReviewWarning


def _amount(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value:.0%}"
    if unit in ("days", "visits"):
        return f"{value:,.0f} {unit}"
    if unit == "multiple":
        return "no sales at all" if value == float("inf") else f"{value:.1f}×"
    return f"{value:,.0f} {unit}"


def describe(warning: ReviewWarning) -> str:
    """E.g. 'D0107 receivables overdue: 62% of open receivables overdue, threshold 20%
    (policy.receivables.max_overdue_share); R05 acts.'"""
    subject = warning.account or warning.rep
    what = WARNING_KINDS[warning.kind]
    detail = f" ({warning.detail})" if warning.detail else ""
    return (
        f"{subject} {what}{detail}: {_amount(warning.figure, warning.unit)} against "
        f"{_amount(warning.threshold, warning.unit)} ({warning.policy}); {warning.rep or 'the planner'} acts."
    )


def warnings_frame(warnings: tuple[ReviewWarning, ...], names: dict[str, str]) -> pd.DataFrame:
    """The warnings table: kind, title, account, name, owner, figure, threshold, unit, policy, detail, message."""
    rows = [
        {
            "kind": w.kind,
            "title": WARNING_KINDS[w.kind],
            "account": w.account,
            "name": names.get(w.account, "") if w.account else "",
            "owner": w.rep,
            "owner_name": names.get(w.rep, ""),
            "figure": round(w.figure, 4) if w.figure != float("inf") else "inf",
            "threshold": round(w.threshold, 4),
            "unit": w.unit,
            "policy": w.policy,
            "detail": w.detail,
            "message": describe(w),
        }
        for w in warnings
    ]
    columns = [
        "kind",
        "title",
        "account",
        "name",
        "owner",
        "owner_name",
        "figure",
        "threshold",
        "unit",
        "policy",
        "detail",
        "message",
    ]
    return pd.DataFrame(rows, columns=columns)
