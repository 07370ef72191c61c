"""Account tiers: the customer value pyramid.

Pareto method: rank accounts by value v_i (current sales, potential, or profit = sales × margin),
descending, ties broken by id. With S_i the cumulative share of total value of the accounts ranked
strictly before i, account i gets the first tier t (in the policy's order) with S_i < cut_t — so the
accounts that together make up the first cut_A of value are A, including the one that crosses the line.

Score method: s_i = Σ_c w_c · score_ic / Σ_c w_c over the criteria cooperation, capability, credit and
relationship (each 0–100); account i gets the first tier t with s_i ≥ score_cut_t.

Given method: the accounts table's tier column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..scenarios.model import Scenario
from ..scenarios.policy import TierPolicy
from ..scenarios.tables import Account


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
    method: str
    basis: str
    assignments: tuple[TierAssignment, ...]

    def tier_of(self) -> dict[str, str]:
        return {a.account_id: a.tier for a in self.assignments}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.assignments:
            counts[a.tier] = counts.get(a.tier, 0) + 1
        return counts


def account_value(account: Account, basis: str, default_margin: float) -> float:
    """The value an account is ranked by, currency/year."""
    if basis == "potential":
        return account.sales_potential
    if basis == "profit":
        margin = default_margin if account.margin is None else account.margin
        return account.current_sales * margin
    return account.current_sales


def pareto_tiers(ids: Sequence[str], values: Sequence[float], cuts: dict[str, float]) -> list[TierAssignment]:
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
        reason = (
            f"rank {rank} of {len(ids)} by value; the accounts up to it make {share_after:.1%} of value "
            f"(tier {tier} holds the accounts that make the first {cut:.0%})"
        )
        result[i] = TierAssignment(ids[i], tier, float(value[i]), rank, share_after, None, reason)
        before += value[i]
    return [result[i] for i in range(len(ids))]


def score_tiers(
    accounts: Sequence[Account], weights: dict[str, float], cuts: dict[str, float]
) -> list[TierAssignment]:
    """Tiers by weighted criteria score (see module docstring)."""
    total_weight = sum(weights.values())
    result = []
    for account in accounts:
        parts = {c: (getattr(account, c) or 0.0) for c in weights}
        score = sum(weights[c] * parts[c] for c in weights) / total_weight
        tier, cut = next(((t, c) for t, c in cuts.items() if score >= c), list(cuts.items())[-1])
        detail = ", ".join(f"{c} {parts[c]:.0f}×{weights[c] / total_weight:.2f}" for c in weights)
        reason = f"score {score:.1f} ≥ {cut:.0f} → {tier} ({detail})"
        result.append(TierAssignment(account.id, tier, score, 0, 0.0, score, reason))
    ranks = sorted(range(len(result)), key=lambda i: (-result[i].value, result[i].account_id))
    for rank, i in enumerate(ranks, start=1):
        a = result[i]
        result[i] = TierAssignment(a.account_id, a.tier, a.value, rank, 0.0, a.score, a.reason)
    return result


def assign_tiers(scenario: Scenario, policy: TierPolicy | None = None) -> TierResult:
    """Tier every account of a scenario by its policy (or the ``policy`` given)."""
    policy = policy or scenario.policy.tiers
    accounts = scenario.accounts
    if policy.method == "score":
        assignments = score_tiers(accounts, dict(policy.score_weights), dict(policy.score_cuts))
    elif policy.method == "given":
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
        margin = scenario.policy.economics.default_margin
        values = [account_value(a, policy.basis, margin) for a in accounts]
        assignments = pareto_tiers([a.id for a in accounts], values, dict(policy.cuts))
    return TierResult(policy.method, policy.basis, tuple(assignments))
