"""The review's result: plan against actual per rep and account, early warnings, credit, cross-region.

Every table is a DataFrame in :attr:`ReviewResult.frames` (the CSV files of ``salesplan review``);
:meth:`ReviewResult.summary` gives the key figures as a dict (review.json).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

WARNING_KINDS: dict[str, str] = {
    "rep_visits_behind": "rep behind the plan's visits",
    "unplanned_visits": "rep with many unplanned visits",
    "rep_sales_behind": "rep's sales behind plan pace",
    "sales_behind": "account's sales behind plan pace",
    "selling_cost": "selling cost per sale out of line",
    "churn_gap": "churn: gap since the last order longer than usual",
    "churn_falling": "churn: orders falling",
    "tier_visits_behind": "top-tier account behind its visit minimum",
    "receivables_overdue": "receivables overdue",
    "over_credit_limit": "over its credit limit",
    "cross_region": "cross-region shipment (窜货)",
}


@dataclass(frozen=True)
class ReviewWarning:
    """One early warning: what, where, the figure against its threshold (policy key), and who acts."""

    kind: str  # a key of WARNING_KINDS
    account: str  # "" for a rep's warning
    rep: str  # the owner: the plan's rep of the account (or the rep itself)
    figure: float
    threshold: float
    unit: str
    policy: str  # the key in actuals.yaml's policy (or the scenario's) that sets the threshold
    detail: str = ""  # e.g. the shipment's date and ship-to region

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.account or self.rep, self.detail)


@dataclass(frozen=True)
class ReviewResult:
    name: str
    as_of: str
    start: str
    end: str
    currency: str
    frames: dict[str, pd.DataFrame]
    warnings: tuple[ReviewWarning, ...]
    runtime_seconds: float = 0.0
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def over_limit(self) -> tuple[str, ...]:
        """Accounts over their credit limit: the next plan pushes no new opportunity at them."""
        credit = self.frames["credit"]
        return tuple(sorted(credit.loc[credit["over_limit"].astype(bool), "account"]))

    def counts_by_kind(self) -> dict[str, int]:
        counts = Counter(w.kind for w in self.warnings)
        return {kind: counts[kind] for kind in WARNING_KINDS if counts[kind]}

    def summary(self) -> dict[str, Any]:
        """Key figures (review.json)."""
        reps = self.frames["reps"]
        totals = {c: int(reps[c].sum()) for c in ("planned", "done", "late", "missed", "unplanned")}
        pace, actual = float(reps["pace"].sum()), float(reps["actual_sales"].sum())
        return {
            "scenario": self.name,
            "window": f"{self.start} – {self.as_of}",
            "horizon_end": self.end,
            "currency": self.currency,
            "visits": totals,
            "sales": {
                "pace": round(pace, 2),
                "actual": round(actual, 2),
                "ratio": round(actual / pace, 4) if pace > 0 else None,
            },
            "opportunities": {c: int(reps[c].sum()) for c in ("pursued", "won", "lost", "open")},
            "warnings": self.counts_by_kind(),
            "over_credit_limit": list(self.over_limit),
            "cross_region_shipments": len(self.frames["cross_region"]),
            "sources": self.sources,
        }
