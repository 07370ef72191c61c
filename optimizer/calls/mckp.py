"""Exact multiple-choice knapsack with integer levels, one knapsack per group, with a certificate.

Model (one group g = one rep and the accounts they serve; groups are independent):

    max  Σ_a v_a(x_a)                                              (currency/month)
    s.t. (1) Σ_a t_a · x_a ≤ C_g                                   rep's selling minutes
         (2) x_a ∈ {L_a, …, U_a}, integer                          visit levels (tier min/max, locks)

where v_a(k) is the value of level k (any shape: S-shaped response makes it non-concave), t_a the
whole minutes one visit takes (on site + travel), C_g the group's capacity in whole minutes.

Method (Dyer, Kayal & Walker 1984; Pisinger 1995 "A minimal algorithm for the multiple-choice knapsack
problem", EJOR 83; core reduction as in Martello & Toth 1990):
  1. LP bound. The LP relaxation of an MCKP is solved greedily over the upper concave hull of each
     item's (weight, value) points: hull segments by falling slope fill the capacity; the slope of the
     first segment that does not fit is the Lagrange multiplier λ (value per minute). Any λ ≥ 0 gives
     the bound L(λ) = λ·C + Σ_a max_k (v_a(k) − λ·t_a·k) ≥ optimum, computed from the raw points.
  2. Incumbent. Greedy over the same segments (an item stops at its first segment that does not fit),
     then one pass that spends the rest on the best affordable raise of each item.
  3. Reduction. With δ_ak = max_k' (v_ak' − λ t_a k') − (v_ak − λ t_a k), every plan with x_a = k is
     worth at most L(λ) − δ_ak; levels with L(λ) − δ_ak < incumbent cannot be optimal and are removed.
     The bound is taken at capacity C + 60 so that the reduced problem is exact for C and C + 60.
  4. DP over integer minutes on the items left free (f[c] = best value with weight ≤ c), exact for the
     reduced problem and hence for the group. f[C + 60] − f[C] is the exact value of one more hour.
     When the DP table would exceed the cell budget (a deterministic work limit) or the wall-clock
     limit is hit, the group keeps the incumbent and the bound L(λ): the gap is reported, not hidden.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..result import SolverOptions
from . import _kernel

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EXTRA_MINUTES = 60
DEFAULT_CELL_BUDGET = 100_000_000


@dataclass(frozen=True)
class MckpInstance:
    """Items a = 0..n−1 in groups; item a picks a level in lower[a]..upper[a] (see module docstring).

    ``value[a, k]`` is the value of level k (columns beyond upper[a] are ignored); ``unit[a]`` the whole
    minutes of one level step (≥ 1); ``group[a]`` the group (−1: in no group, the item stays at its
    lower level and weighs nothing); ``capacity[g]`` the minutes of group g.
    """

    group: IntArray
    lower: IntArray
    upper: IntArray
    unit: IntArray
    value: FloatArray
    capacity: IntArray

    def __post_init__(self) -> None:
        n = self.group.shape[0]
        if not (self.lower.shape == self.upper.shape == self.unit.shape == (n,)):
            raise ValueError("group, lower, upper and unit must have one entry per item")
        if self.value.ndim != 2 or self.value.shape[0] != n or np.any(self.upper >= self.value.shape[1]):
            raise ValueError("value must have a column for every level up to upper")
        if np.any(self.lower < 0) or np.any(self.upper < self.lower) or np.any(self.unit < 1):
            raise ValueError("levels must satisfy 0 ≤ lower ≤ upper and unit ≥ 1")
        if np.any(self.group >= self.capacity.shape[0]):
            raise ValueError("group index beyond capacity")

    @property
    def groups(self) -> int:
        return int(self.capacity.shape[0])

    def minimum_minutes(self) -> IntArray:
        """Minutes each group needs for the lower levels alone."""
        served = self.group >= 0
        return np.bincount(
            self.group[served], weights=(self.lower * self.unit)[served], minlength=self.groups
        ).astype(np.int64)

    def total_value(self, levels: IntArray) -> float:
        return float(self.value[np.arange(levels.shape[0]), levels].sum())

    def used_minutes(self, levels: IntArray) -> IntArray:
        served = self.group >= 0
        return np.bincount(
            self.group[served], weights=(levels * self.unit)[served], minlength=self.groups
        ).astype(np.int64)


@dataclass(frozen=True)
class MckpSolution:
    """Levels of every item and, per group: value, proven bound, LP bound, λ and the next hour's value.

    ``feasible[g]`` is False when the lower levels alone exceed the capacity (then the group's items
    sit at their lower levels and its value and bound are nan). ``exact[g]``: the DP ran, bound = value.
    """

    levels: IntArray
    value: FloatArray
    bound: FloatArray
    lp_bound: FloatArray
    multiplier: FloatArray  # λ, value per minute
    extra_hour_value: FloatArray  # f(C + 60) − f(C), nan where the DP did not run
    exact: BoolArray
    feasible: BoolArray
    free_items: IntArray  # items left to the DP after the reduction
    time_limit_hit: bool

    @property
    def objective(self) -> float:
        return float(np.nansum(self.value))

    @property
    def upper_bound(self) -> float:
        return float(np.nansum(self.bound))


def _members(instance: MckpInstance) -> list[IntArray]:
    served = np.flatnonzero(instance.group >= 0)
    order = served[np.argsort(instance.group[served], kind="stable")]
    cuts = np.searchsorted(instance.group[order], np.arange(instance.groups + 1))
    return [order[cuts[g] : cuts[g + 1]] for g in range(instance.groups)]


def solve_group(
    q: FloatArray, top: IntArray, t: IntArray, capacity: int, cell_budget: int
) -> tuple[IntArray, float, float, float, float, float, bool, int]:
    """One group, relative levels (see _kernel). Returns (levels, value, bound, lp bound, λ, next-hour
    value, exact, free items)."""
    item, start, end, slope, _gain = _kernel.hull_segments(q, top, t)
    weight = (end - start) * t[item]
    order = np.argsort(-slope, kind="stable")
    lam = _kernel.lp_multiplier(order, weight, slope, capacity)
    lp, _ = _kernel.lagrangian(q, top, t, lam, capacity)
    level = _kernel.greedy(q, top, t, order, item, end, weight, capacity)
    rows = np.arange(q.shape[0])
    incumbent = float(q[rows, level].sum())
    wide = capacity + EXTRA_MINUTES
    lam_wide = _kernel.lp_multiplier(order, weight, slope, wide)
    bound_wide, best = _kernel.lagrangian(q, top, t, lam_wide, wide)
    steps = np.arange(q.shape[1])
    reduced = q - lam_wide * steps[None, :] * t[:, None]
    tol = 1e-9 * max(1.0, abs(incumbent))
    allowed = (bound_wide - (best[:, None] - reduced) >= incumbent - tol) & (steps[None, :] <= top[:, None])
    allowed[rows, level] = True
    counts = allowed.sum(axis=1)
    free = np.flatnonzero(counts > 1)
    fixed = np.flatnonzero(counts == 1)
    fixed_level = np.argmax(allowed[fixed], axis=1)
    room = capacity - int((fixed_level * t[fixed]).sum())
    cells = int(counts[free].sum()) * (room + EXTRA_MINUTES + 1)
    if room < 0 or cells > cell_budget:
        return level, incumbent, min(lp, bound_wide), lp, lam * 60.0, math.nan, False, int(free.size)
    free_level, best_value, wide_value = _kernel.reduced_dp(q, t, allowed, free, room, EXTRA_MINUTES)
    level = np.zeros(q.shape[0], np.int64)
    level[fixed] = fixed_level
    level[free] = free_level
    value = float(q[rows, level].sum())
    return level, value, value, lp, lam * 60.0, wide_value - best_value, True, int(free.size)


def solve_mckp(
    instance: MckpInstance,
    options: SolverOptions | None = None,
    *,
    cell_budget: int = DEFAULT_CELL_BUDGET,
    stage: str = "allocation",
) -> MckpSolution:
    """Solve every group exactly (see module docstring); λ is returned per hour (value/hour)."""
    options = options or SolverOptions()
    started = time.perf_counter()
    n, groups = instance.group.shape[0], instance.groups
    levels = instance.lower.copy()
    value = np.full(groups, math.nan)
    bound = np.full(groups, math.nan)
    lp_bound = np.full(groups, math.nan)
    multiplier = np.zeros(groups)
    extra = np.full(groups, math.nan)
    exact = np.zeros(groups, np.bool_)
    feasible = instance.minimum_minutes() <= instance.capacity
    free_items = np.zeros(groups, np.int64)
    hit = False
    width = int(instance.upper.max() - instance.lower.min()) + 1 if n else 1
    for g, members in enumerate(_members(instance)):
        if not feasible[g]:
            continue
        lower, upper = instance.lower[members], instance.upper[members]
        top = (upper - lower).astype(np.int64)
        t = instance.unit[members].astype(np.int64)
        q = np.full((members.size, width), -np.inf)
        base = instance.value[members, lower]
        for j in range(width):
            ok = top >= j
            q[ok, j] = instance.value[members[ok], lower[ok] + j] - base[ok]
        room = int(instance.capacity[g] - (lower * t).sum())
        budget = cell_budget
        if time.perf_counter() - started > options.time_limit_seconds:
            hit, budget = True, 0
        rel, v, b, lp, lam, ext, ok_exact, nfree = solve_group(q, top, t, room, budget)
        levels[members] = lower + rel
        offset = float(base.sum())
        value[g], bound[g], lp_bound[g] = v + offset, b + offset, lp + offset
        multiplier[g], extra[g], exact[g], free_items[g] = lam, ext, ok_exact, nfree
        if groups >= 50 and (g + 1) % max(1, groups // 10) == 0:
            options.report(stage, g + 1, groups, "reps solved")
    return MckpSolution(levels, value, bound, lp_bound, multiplier, extra, exact, feasible, free_items, hit)
