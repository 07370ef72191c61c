"""Tiers: which accounts matter most — the value pyramid and the growth/share classes."""

from .solve import ClassResult, TierResult, assign_tiers, classify_accounts

__all__ = ["ClassResult", "TierResult", "assign_tiers", "classify_accounts"]
