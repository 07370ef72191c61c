"""Evenly spread visit-day patterns: the candidate days on which an account's visits may fall.

An account with k visits over a horizon of D calendar days has the ideal spacing s = D / k days and a
minimum gap g between two visits (policy.schedule.min_days_between_visits, else max(1, ⌊s / 2⌋)).
Candidate patterns come from two families of target days:

* same weekday, every m weeks (m = round(s / 7) ≥ 1, when k visits fit in the horizon at that spacing):
  targets o + 7m·j, j = 0..k−1, for offsets o in the first m weeks — weekly visits on one weekday,
  fortnightly ones every other week, monthly ones every four weeks;
* evenly spaced: targets o + s·j, for offsets o in [0, s) — any frequency, spread over the whole horizon.

and a third that spreads the visits evenly over the days the account may be visited: with A such days,
the visits fall on the days numbered round(o + j·A/k), o in [0, A/k) — every third working day, say —
kept when the result is regular (below).

Each target is moved to the nearest day the account may be visited (the rep works, the weekday is
allowed, the account is open), at most w = s/2 + 3.5 days away and at least g days after the previous
visit, ties to the earlier day; a pattern whose targets cannot all be placed is not a candidate. So a
weekly visit that falls into a holiday week moves to the Friday before or the Monday after.

The schedule is *regular* when every gap between consecutive visits is at least g and at most 2s + 7
days (the largest gap that moving targets by at most w can create).
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Spacing:
    """Spacing rules for k visits over D calendar days (see module docstring)."""

    visits: int
    ideal: float  # s = D / k, days
    min_gap: int  # g, days
    window: float  # w, days a visit may move from its target

    @property
    def max_gap(self) -> float:
        """Largest gap between consecutive visits that still counts as regular, days."""
        return 2.0 * self.ideal + 7.0

    def regular(self, offsets: Sequence[int]) -> bool:
        """Whether visits on these calendar-day offsets are regularly spaced."""
        gaps = [b - a for a, b in itertools.pairwise(offsets)]
        return all(self.min_gap <= gap <= self.max_gap + 1e-9 for gap in gaps)


def spacing(visits: int, horizon_days: int, min_days: int | None = None) -> Spacing:
    """The spacing rules of ``visits`` visits over ``horizon_days`` calendar days."""
    ideal = horizon_days / max(visits, 1)
    gap = max(1, math.floor(ideal / 2)) if min_days is None else max(1, min_days)
    return Spacing(visits, ideal, gap, ideal / 2 + 3.5)


def _targets(rule: Spacing, horizon_days: int, limit: int) -> list[list[float]]:
    """Target days of both families, offsets sampled evenly down to ``limit`` per family."""
    k = rule.visits
    targets: list[list[float]] = []
    step = 7 * max(1, round(rule.ideal / 7))
    if (k - 1) * step <= horizon_days - 1:
        count = min(step, horizon_days - (k - 1) * step)
        targets += [[float(o + step * j) for j in range(k)] for o in _sample(count, limit)]
    targets += [[o + rule.ideal * j for j in range(k)] for o in _sample(math.ceil(rule.ideal), limit)]
    return targets


def _sample(count: int, limit: int) -> list[int]:
    """``count`` offsets 0..count−1, or ``limit`` of them spread evenly."""
    if count <= limit:
        return list(range(count))
    return sorted({(i * count) // limit for i in range(limit)})


def _snap(targets: Sequence[float], days: Sequence[int], rule: Spacing) -> tuple[int, ...] | None:
    """Positions in ``days`` (sorted calendar offsets) nearest to the targets, or None (module doc)."""
    chosen: list[int] = []
    previous = -math.inf
    for j, target in enumerate(targets):
        left = rule.visits - j - 1  # visits still to place after this one
        lowest = previous + rule.min_gap
        start = bisect_left(days, max(lowest, target - rule.window))
        best: int | None = None
        best_distance = math.inf
        for pos in range(start, len(days)):
            day = days[pos]
            if day > target + rule.window:
                break
            if len(days) - pos - 1 < left:
                break
            distance = abs(day - target)
            if distance < best_distance - 1e-9:
                best, best_distance = pos, distance
        if best is None:
            return None
        chosen.append(best)
        previous = days[best]
    return tuple(chosen)


@lru_cache(maxsize=8192)
def even_patterns(
    visits: int,
    allowed: tuple[int, ...],
    offsets: tuple[int, ...],
    horizon_days: int,
    min_days: int | None = None,
    limit: int = 14,
) -> tuple[tuple[int, ...], ...]:
    """Candidate patterns of ``visits`` visits, each a tuple of indices into the rep's dates.

    ``allowed``: indices (ascending) of the rep's dates on which the account may be visited;
    ``offsets[d]``: calendar days from the horizon start to the rep's date d. ``limit`` caps the
    offsets tried per family. Empty when no pattern can be placed.
    """
    if visits <= 0 or visits > len(allowed):
        return ()
    rule = spacing(visits, horizon_days, min_days)
    days = [offsets[d] for d in allowed]
    found: dict[tuple[int, ...], None] = {}
    step = len(allowed) / visits
    for o in _sample(max(1, math.ceil(step)), limit):
        if o < step:
            placed = tuple(
                dict.fromkeys(min(len(allowed) - 1, math.floor(o + step * j + 0.5)) for j in range(visits))
            )
            if len(placed) == visits and rule.regular([days[p] for p in placed]):
                found.setdefault(tuple(allowed[p] for p in placed), None)
    for targets in _targets(rule, horizon_days, limit):
        snapped = _snap(targets, days, rule)
        if snapped is not None:
            found.setdefault(tuple(allowed[p] for p in snapped), None)
    return tuple(found)
