"""Account tiers: the customer value pyramid.

Pareto method: rank accounts by value v_i (current sales, potential, or profit = sales × margin),
descending, ties broken by id. With S_i the cumulative share of total value of the accounts ranked
strictly before i, account i gets the first tier t (in the policy's order) with S_i < cut_t — so the
accounts that together make up the first cut_A of value are A, including the one that crosses the line.

Score method: s_i = Σ_c w_c · score_ic / Σ_c w_c over the criteria cooperation, capability, credit and
relationship (each 0–100); account i gets the first tier t with s_i ≥ score_cut_t.

Given method: the accounts table's tier column.

Every account also gets its weighted criteria score s_i when it has any criterion (missing ones count 0),
whatever the method, so planners see it beside the tier.

Growth/share class in the spirit of the BCG matrix (Henderson 1970), with the account as the "market":
share of wallet w_i = current_sales_i / potential_i (how much of what it could buy it buys from us) and
market growth g_i = growth_rate_i. With thresholds W (share) and G (growth), by default the medians over
the accounts that have both: star (g ≥ G, w ≥ W), cash cow (g < G, w ≥ W), question mark (g ≥ G, w < W),
dog (g < G, w < W). Accounts without a potential or a growth rate get no class, and their reason says so.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..data import Account, PlanData
from ..result import SolverOptions, SolveStatus
from .result import (
    SOLVER,
    AccountClass,
    BcgClass,
    ClassResult,
    SolveInfo,
    TierAssignment,
    TierResult,
)

if TYPE_CHECKING:
    from ..plan import Plan


def account_value(account: Account, basis: str) -> float:
    """The value an account is ranked by, currency/year."""
    if basis == "potential":
        return account.potential
    if basis == "profit":
        return account.current_sales * account.margin
    return account.current_sales


def pareto_tiers(
    ids: Sequence[str], values: Sequence[float], cuts: dict[str, float], basis: str = "value"
) -> list[TierAssignment]:
    """Tiers by cumulative share of value (see module docstring); returned in the input order."""
    value = np.asarray(values, dtype=float)
    order = sorted(range(len(ids)), key=lambda i: (-value[i], ids[i]))
    total = float(value.sum())
    tiers = list(cuts.items())
    result: dict[int, TierAssignment] = {}
    before = 0.0
    for rank, i in enumerate(order, start=1):
        share_before = before / total if total > 0 else 1.0
        share_after = (before + value[i]) / total if total > 0 else 1.0
        tier, cut = next(((t, c) for t, c in tiers if share_before < c), tiers[-1])
        own = value[i] / total if total > 0 else 0.0
        reason = (
            f"{basis.replace('_', ' ')} {value[i]:,.0f} ({own:.2%} of the total), rank {rank} of {len(ids)}; "
            f"with the accounts above it {share_after:.1%} of value "
            f"(tier {tier} holds the accounts that make the first {cut:.0%})"
        )
        result[i] = TierAssignment(ids[i], tier, float(value[i]), rank, float(share_after), None, reason)
        before += value[i]
    return [result[i] for i in range(len(ids))]


def criteria_score(account: Account, weights: dict[str, float]) -> float | None:
    """Weighted criteria score 0–100 (missing criteria count 0); None when the account has no criterion."""
    total_weight = sum(weights.values())
    parts = {c: getattr(account, c) for c in weights}
    if total_weight <= 0 or all(v is None for v in parts.values()):
        return None
    return sum(weights[c] * (parts[c] or 0.0) for c in weights) / total_weight


def score_tiers(
    accounts: Sequence[Account], weights: dict[str, float], cuts: dict[str, float]
) -> list[TierAssignment]:
    """Tiers by weighted criteria score (see module docstring)."""
    total_weight = sum(weights.values())
    result = []
    for account in accounts:
        parts = {c: getattr(account, c) for c in weights}
        score = criteria_score(account, weights) or 0.0
        tier, cut = next(((t, c) for t, c in cuts.items() if score >= c), list(cuts.items())[-1])
        detail = ", ".join(
            f"{c} {'missing→0' if parts[c] is None else f'{parts[c]:.0f}'}×{weights[c] / total_weight:.2f}"
            for c in weights
        )
        reason = f"score {score:.1f} ≥ {cut:.0f} → {tier} ({detail})"
        result.append(TierAssignment(account.id, tier, score, 0, 0.0, score, reason))
    ranks = sorted(range(len(result)), key=lambda i: (-result[i].value, result[i].account_id))
    for rank, i in enumerate(ranks, start=1):
        a = result[i]
        result[i] = TierAssignment(a.account_id, a.tier, a.value, rank, 0.0, a.score, a.reason)
    return result


def solve_tiers(data: PlanData) -> TierResult:
    """Tier every account by the scenario's policy, and give it its growth/share class."""
    started = time.perf_counter()
    rules = data.rules
    accounts = data.accounts
    if rules.tier_method == "score":
        assignments = score_tiers(accounts, dict(rules.score_weights), dict(rules.score_cuts))
    elif rules.tier_method == "given":
        assignments = [
            TierAssignment(
                a.id,
                a.tier or "",
                a.current_sales,
                0,
                0.0,
                None,
                f"tier {a.tier} given in the accounts table",
            )
            for a in accounts
        ]
    else:
        values = [account_value(a, rules.tier_basis) for a in accounts]
        assignments = pareto_tiers([a.id for a in accounts], values, dict(rules.tier_cuts), rules.tier_basis)
    weights = dict(rules.score_weights)
    assignments = [
        t if t.score is not None else replace(t, score=criteria_score(a, weights))
        for t, a in zip(assignments, accounts, strict=True)
    ]
    info = SolveInfo(
        SOLVER,
        SolveStatus.OPTIMAL,
        "max",
        None,
        None,
        time.perf_counter() - started,
        message=f"{rules.tier_method} tiers, {len(assignments)} accounts",
    )
    return TierResult(
        info, rules.tier_method, rules.tier_basis, tuple(assignments), classify_accounts(accounts)
    )


def classify_accounts(
    accounts: Sequence[Account],
    share_threshold: float | None = None,
    growth_threshold: float | None = None,
) -> ClassResult:
    """Growth/share class of every account (see module docstring); thresholds default to medians."""
    share = [a.current_sales / a.potential if a.has_potential and a.potential > 0 else None for a in accounts]
    growth = [a.growth_rate for a in accounts]
    both = [i for i in range(len(accounts)) if share[i] is not None and growth[i] is not None]
    share_cut = share_threshold
    growth_cut = growth_threshold
    if both:
        share_cut = float(np.median([share[i] for i in both])) if share_cut is None else share_cut
        growth_cut = float(np.median([growth[i] for i in both])) if growth_cut is None else growth_cut
    result = []
    for account, w, g in zip(accounts, share, growth, strict=True):
        if w is None or g is None or share_cut is None or growth_cut is None:
            missing = "potential" if w is None else "growth_rate"
            result.append(AccountClass(account.id, "", w, g, f"no class: the account has no {missing}"))
            continue
        high_share, high_growth = w >= share_cut, g >= growth_cut
        klass: BcgClass = (
            ("star" if high_growth else "cash cow")
            if high_share
            else ("question mark" if high_growth else "dog")
        )
        reason = (
            f"share of wallet {w:.0%} {'≥' if high_share else '<'} {share_cut:.0%}, "
            f"market growth {g:+.1%} {'≥' if high_growth else '<'} {growth_cut:+.1%} → {klass}"
        )
        result.append(AccountClass(account.id, klass, w, g, reason))
    return ClassResult(
        share_cut, growth_cut, share_threshold is None, growth_threshold is None, tuple(result)
    )


def default_visits_per_month(data: PlanData, tier_of: Mapping[str, str]) -> dict[str, float]:
    """Visits per month of every account before a call plan exists: its current visits within its tier's
    [min, max] (the tier minimum when it has none); without a tier band, its current visits or 0."""
    result: dict[str, float] = {}
    for account in data.accounts:
        band = data.rules.band(tier_of.get(account.id, ""))
        current = account.current_visits_per_month or 0.0
        result[account.id] = current if band is None else min(band.max, max(band.min, current))
    return result


class Tiers:
    """The tiers stage: the value pyramid and growth/share classes of every account."""

    name = "tiers"
    title = "tiers and account classes"

    def run(self, plan: Plan, options: SolverOptions) -> TierResult:
        return solve_tiers(plan.data)
