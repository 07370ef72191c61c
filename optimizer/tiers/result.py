"""What the tiers stage decides: each account's tier (value pyramid) and growth/share class, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..data import PlanData
from ..result import Infeasibility, Kpi, SolveInfo

SOLVER = "value pyramid"


@dataclass(frozen=True)
class TierAssignment:
    """An account's tier and why."""

    account_id: str
    tier: str
    value: float
    rank: int
    cumulative_share: float
    score: float | None
    reason: str


@dataclass(frozen=True)
class TierResult:
    """Every account's tier and class (in the scenario's account order)."""

    info: SolveInfo
    method: str
    basis: str
    assignments: tuple[TierAssignment, ...]
    classes: ClassResult
    infeasibilities: tuple[Infeasibility, ...] = ()

    def tier_of(self) -> dict[str, str]:
        return {a.account_id: a.tier for a in self.assignments}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.assignments:
            counts[a.tier] = counts.get(a.tier, 0) + 1
        return counts

    def check(self, data: PlanData) -> tuple[str, ...]:
        """Every account has exactly one tier of the policy (or of its own column, method 'given')."""
        bad = []
        if [a.account_id for a in self.assignments] != [a.id for a in data.accounts]:
            bad.append("the tiers do not list every account once, in order")
        known = set(data.rules.bands)
        for a in self.assignments:
            if self.method != "given" and a.tier not in known:
                bad.append(f"{a.account_id}: tier {a.tier!r} is not a tier of the policy")
        return tuple(bad)

    def summary(self) -> str:
        counts = ", ".join(f"{tier} {n}" for tier, n in self.counts().items())
        classes = ", ".join(f"{k} {n}" for k, n in self.classes.counts().items() if n)
        return f"tiers ({self.method}): {counts}" + (f"; classes: {classes}" if classes else "")

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]:
        return {}

    def kpis(self, data: PlanData) -> list[Kpi]:
        return []


BcgClass = Literal["star", "cash cow", "question mark", "dog", ""]
BCG_CLASSES: tuple[BcgClass, ...] = ("star", "cash cow", "question mark", "dog")


@dataclass(frozen=True)
class AccountClass:
    """An account's growth/share class and why ('' when its data do not allow one)."""

    account_id: str
    klass: BcgClass
    share_of_wallet: float | None
    growth: float | None
    reason: str


@dataclass(frozen=True)
class ClassResult:
    """Growth/share classes and the thresholds used (``*_is_median``: defaulted to the median)."""

    share_threshold: float | None
    growth_threshold: float | None
    share_is_median: bool
    growth_is_median: bool
    classes: tuple[AccountClass, ...]

    def class_of(self) -> dict[str, str]:
        return {c.account_id: c.klass for c in self.classes}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {k: 0 for k in BCG_CLASSES}
        for c in self.classes:
            if c.klass:
                counts[c.klass] += 1
        return counts
