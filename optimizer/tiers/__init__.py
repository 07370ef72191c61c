"""Tiers: which accounts matter most — the value pyramid and the growth/share classes.

:func:`.solve.solve_tiers` (the :class:`.solve.Tiers` stage) → :class:`.result.TierResult`.
"""

from .result import BCG_CLASSES, AccountClass, ClassResult, TierAssignment, TierResult
from .solve import Tiers, classify_accounts, default_visits_per_month, solve_tiers

__all__ = [
    "BCG_CLASSES",
    "AccountClass",
    "ClassResult",
    "TierAssignment",
    "TierResult",
    "Tiers",
    "classify_accounts",
    "default_visits_per_month",
    "solve_tiers",
]
