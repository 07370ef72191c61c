"""Opportunity ranking: expected value, value per hour, rank and the size × likelihood matrix.

Expected value of opportunity j: EV_j = size_j × p_j × m_j, where m_j is its margin share (the
opportunity's, else its account's, else the policy default), and m_j = 1 for a 'prune' opportunity
(its size is already the profit recovered). EV is expected gross profit in currency; value per effort
hour is EV_j / e_j. Rank 1 is the highest EV (ties: higher value per hour, then input order).

Size × likelihood matrix: an opportunity is large when size_j ≥ S and likely when p_j ≥ P, where S and P
come from policy.opportunities (size_threshold, probability_threshold) or default to the medians of the
scenario's opportunities. The four actions: act now (large, likely), plan (large, less likely),
opportunistic (small, likely), shelve (small, unlikely) — each opportunity is in exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

QUADRANTS: tuple[str, ...] = ("act now", "plan", "opportunistic", "shelve")


@dataclass(frozen=True)
class Thresholds:
    """Where the matrix splits: size (currency) and probability; ``*_is_median`` when defaulted."""

    size: float
    probability: float
    size_is_median: bool
    probability_is_median: bool

    def describe(self, currency: str = "") -> str:
        size = f"{self.size:,.0f}{' ' + currency if currency else ''}"
        return (
            f"large = size ≥ {size}{' (median)' if self.size_is_median else ' (policy)'}; "
            f"likely = probability ≥ {self.probability:.2f}"
            f"{' (median)' if self.probability_is_median else ' (policy)'}"
        )


@dataclass(frozen=True, eq=False)
class Ranking:
    """Arrays over opportunities, in input order."""

    expected_value: FloatArray
    value_per_hour: FloatArray
    rank: IntArray  # 1 = highest expected value
    quadrant: npt.NDArray[np.int8]  # index into QUADRANTS
    thresholds: Thresholds

    def quadrant_names(self) -> list[str]:
        return [QUADRANTS[q] for q in self.quadrant.tolist()]

    def counts(self) -> dict[str, int]:
        counts = np.bincount(self.quadrant, minlength=len(QUADRANTS))
        return {name: int(c) for name, c in zip(QUADRANTS, counts, strict=True)}


def rank_opportunities(
    size: npt.ArrayLike,
    probability: npt.ArrayLike,
    effort_hours: npt.ArrayLike,
    margin: npt.ArrayLike | None = None,
    *,
    size_threshold: float | None = None,
    probability_threshold: float | None = None,
) -> Ranking:
    """Expected value, value per hour, rank and matrix quadrant of every opportunity (vectorised)."""
    size = np.asarray(size, dtype=float)
    probability = np.asarray(probability, dtype=float)
    effort = np.asarray(effort_hours, dtype=float)
    value = size * probability * (1.0 if margin is None else np.asarray(margin, dtype=float))
    per_hour = value / effort
    n = len(size)
    order = np.lexsort((np.arange(n), -per_hour, -value))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(1, n + 1)

    def cut(given: float | None, values: FloatArray) -> float:
        return float(given) if given is not None else float(np.median(values)) if n else 0.0

    thresholds = Thresholds(
        cut(size_threshold, size),
        cut(probability_threshold, probability),
        size_threshold is None,
        probability_threshold is None,
    )
    small = size < thresholds.size
    unlikely = probability < thresholds.probability
    quadrant = (2 * small + unlikely).astype(np.int8)
    return Ranking(value, per_hour, rank, quadrant, thresholds)
