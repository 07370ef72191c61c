"""One pool's opportunity knapsack, solved with CP-SAT; the worker of :mod:`.portfolio`.

A pool's model over its free items i (must-pursue ones are already taken, their minutes removed):

    maximise  Σ_i w_i · x_i
    subject to  Σ_i m_i · x_i ≤ M                       (the pool's free minutes)
                Σ_{i ∈ A_k} x_i ≤ l_k   for every k      (account k's remaining limit)
                x_i ∈ {0, 1}

with integer values w_i (cents), minutes m_i, free minutes M and limits l_k.

1. Bound: the Lagrangian relaxation of the minutes row, L(r) = r·M + Σ_k (sum of the l_k largest positive
   d_i = w_i − r·m_i in account k), minimised over r ≥ 0. The account rows alone are integral, so
   min_r L(r) equals the LP bound (Dantzig's bound when no limit binds; Martello & Toth 1990, §2.2).
2. Start: the better of greedy by value per minute and the relaxation's items repaired to fit.
3. Reduction (Ingargiola & Korsh 1973): an item whose forced change would drop L below the start's
   value keeps its relaxed value in every better plan and is fixed.
4. CP-SAT on the open items, hinted with the start: one worker, fixed seed, presolve off (its dominance
   detection grows with the square of a knapsack row: 1–5 s per 500-item pool with it, 0.1 s without).
   The reported bound is min(L, fixed value + CP-SAT's bound); plans outside the reduction are worth less
   than the start, so it bounds them too. When the start meets L, CP-SAT is not called.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from .. import status
from ..result import SolverOptions, SolveStatus

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Knapsack:
    """One pool's integer model over its free items (must-pursue ones are already taken)."""

    items: IntArray  # opportunity index of each free item
    weight: IntArray  # integer value of each item
    minutes: IntArray  # effort of each item, minutes
    capacity: int  # minutes left after the must-pursue items
    group: IntArray  # index of the item's account into limits; −1: its account is within its limit
    limits: IntArray  # optional opportunities each limited account may still take


@dataclass(frozen=True)
class Solved:
    chosen: BoolArray  # over the knapsack's items
    objective: int
    bound: int
    optimal: bool
    rate: float  # the LP value of one more minute: the relaxation's best multiplier r


def greedy(sack: Knapsack, capacity: int, start: BoolArray | None = None) -> BoolArray:
    """Add items best value per minute first, within capacity and account limits, to ``start``.

    From an overfull ``start`` (the relaxation's items), the items of lowest value per minute are dropped
    first until it fits.
    """
    chosen = np.zeros(len(sack.items), bool) if start is None else start.copy()
    rank = np.argsort(-sack.weight / sack.minutes, kind="stable").tolist()
    minutes = sack.minutes.tolist()
    left = capacity - int(sack.minutes[chosen].sum())
    for i in reversed(rank):
        if left >= 0:
            break
        if chosen[i]:
            chosen[i] = False
            left += minutes[i]
    groups, slots = sack.group.tolist(), sack.limits.copy()
    np.subtract.at(slots, sack.group[chosen & (sack.group >= 0)], 1)
    slots_left = slots.tolist()
    for i in rank:
        k = groups[i]
        if not chosen[i] and minutes[i] <= left and (k < 0 or slots_left[k] > 0):
            chosen[i] = True
            left -= minutes[i]
            if k >= 0:
                slots_left[k] -= 1
    return chosen


@dataclass(frozen=True)
class _Groups:
    """Account groups of a knapsack, the unlimited items in one extra group, sorted once."""

    group: IntArray  # each item's group
    limits: IntArray  # each group's limit
    base: IntArray  # rank of the j-th item of a group-sorted order within its group

    @classmethod
    def of(cls, sack: Knapsack) -> _Groups:
        n, count = len(sack.items), len(sack.limits)
        group = np.where(sack.group >= 0, sack.group, count)
        sizes = np.bincount(group, minlength=count + 1)
        starts = np.cumsum(sizes) - sizes
        base = np.arange(n) - np.repeat(starts, sizes)
        return cls(group, np.append(sack.limits, n).astype(np.int64), base)


def _relax(
    sack: Knapsack, groups: _Groups, capacity: int, rate: float
) -> tuple[float, BoolArray, FloatArray, IntArray]:
    """L(r) = r·M + Σ_k (the l_k best positive reduced values d_i = w_i − r·m_i of account group k)."""
    reduced = sack.weight - rate * sack.minutes
    rank = np.empty(len(reduced), np.int64)
    rank[np.lexsort((-reduced, groups.group))] = groups.base
    taken = (rank < groups.limits[groups.group]) & (reduced > 0)
    return rate * capacity + float(reduced[taken].sum()), taken, reduced, rank


def lagrangian(sack: Knapsack, capacity: int) -> tuple[float, BoolArray, FloatArray, float]:
    """The Lagrangian bound over the capacity row (equal to the LP bound, as the account rows alone
    are integral) and, at its best multiplier r, the items it takes and how much the bound would drop
    if each item were forced to the other value.

    L(r) is convex in r; the r where its slope M − Σ_{i taken} m_i changes sign is found by bisection.
    """
    if len(sack.items) == 0:
        return 0.0, np.zeros(0, bool), np.zeros(0), 0.0
    groups = _Groups.of(sack)
    low, high = 0.0, float((sack.weight / sack.minutes).max())
    rate = 0.0
    if sack.minutes[_relax(sack, groups, capacity, 0.0)[1]].sum() > capacity:
        for _ in range(50):
            middle = (low + high) / 2
            if sack.minutes[_relax(sack, groups, capacity, middle)[1]].sum() > capacity:
                low = middle
            else:
                high = middle
        rate = min((low, high), key=lambda r: _relax(sack, groups, capacity, r)[0])
    bound, taken, reduced, rank = _relax(sack, groups, capacity, rate)
    group, limits = groups.group, groups.limits
    # Per group: the best reduced value beyond its limit (what replaces a dropped item), and the worst
    # one taken (what an added item replaces when the group is full).
    after = np.zeros(len(limits))
    beyond = rank == limits[group]
    after[group[beyond]] = np.maximum(reduced[beyond], 0.0)
    worst = np.full(len(limits), np.inf)
    np.minimum.at(worst, group[taken], reduced[taken])
    full = np.bincount(group[taken], minlength=len(limits)) >= limits
    loss_out = reduced - after[group]
    loss_in = np.where(full[group], worst[group] - reduced, -reduced)
    return bound, taken, np.where(taken, loss_out, loss_in), rate


def solve_knapsack(
    sack: Knapsack,
    capacity: int,
    options: SolverOptions,
    seconds: float,
    exact: bool,
    hint: BoolArray | None,
    work: float = 1.0,
) -> Solved:
    """One pool's knapsack: greedy start, reduction, then CP-SAT on the items left open.

    Reduction (Ingargiola & Korsh 1973): an item whose forced change would cost the bound more than its
    lead over the best plan known (bound − loss < best) keeps its relaxed value in every better plan.
    """
    bound, relaxed, loss, rate = lagrangian(sack, capacity)
    upper = math.floor(bound + 1e-6)
    starts = [greedy(sack, capacity), greedy(sack, capacity, relaxed)]
    if hint is not None and sack.minutes[hint].sum() <= capacity:
        starts.append(hint)
    hint = max(starts, key=lambda chosen: int(sack.weight[chosen].sum()))
    best = int(sack.weight[hint].sum())
    if best >= upper or seconds <= 0:
        return Solved(hint, best, max(best, upper), best >= upper, rate)
    fixed = bound - loss < best - 1e-6
    open_ = np.flatnonzero(~fixed)
    taken = fixed & relaxed
    # Data: the open items, with the minutes and account slots the items fixed at 1 already use.
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in open_]
    # The chosen opportunities fit in the pool's free minutes.
    free_minutes = capacity - int(sack.minutes[taken].sum())
    model.add(cp_model.LinearExpr.weighted_sum(x, sack.minutes[open_].tolist()) <= free_minutes)
    # At most the account's limit of optional opportunities per account.
    slots = sack.limits - np.bincount(sack.group[taken & (sack.group >= 0)], minlength=len(sack.limits))
    members: dict[int, list[cp_model.IntVar]] = {}
    for var, k in zip(x, sack.group[open_].tolist(), strict=True):
        if k >= 0:
            members.setdefault(k, []).append(var)
    for k, group in members.items():
        if len(group) > slots[k]:
            model.add(cp_model.LinearExpr.sum(group) <= int(slots[k]))
    model.maximize(cp_model.LinearExpr.weighted_sum(x, sack.weight[open_].tolist()))
    for var, value in zip(x, hint[open_].tolist(), strict=True):
        model.add_hint(var, value)
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stays Python's: outputs are cleaned up
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = options.seed
    solver.parameters.cp_model_presolve = False
    constant = int(sack.weight[taken].sum())
    # The relative gap counts the fixed items' value too: widen the open part's limit accordingly.
    gap_limit = 0.0 if exact else options.relative_gap
    solver.parameters.relative_gap_limit = gap_limit * upper / max(upper - constant, 1)
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)  # the safety net
    solver.parameters.max_deterministic_time = work  # the budget: the same plan on any machine
    outcome = status.cpsat(solver.solve(model))
    if not outcome.status.has_solution:
        return Solved(hint, best, upper, False, rate)
    chosen = taken.copy()
    chosen[open_] = np.asarray(solver.response_proto.solution, dtype=np.int64)[: len(x)] == 1
    objective = int(sack.weight[chosen].sum())
    # Plans outside the reduction are worth less than `best` ≤ objective, so the bound covers them too.
    found = constant + math.floor(solver.best_objective_bound + 1e-6)
    return Solved(
        chosen, objective, max(min(upper, found), objective), outcome.status is SolveStatus.OPTIMAL, rate
    )


def solve_all(
    sacks: Sequence[Knapsack],
    options: SolverOptions,
    deadline: float,
    *,
    exact: bool,
    extra: Sequence[int] | None = None,
    hints: Sequence[BoolArray | None] | None = None,
    stage: str = "portfolio",
) -> list[Solved]:
    """Solve the knapsacks one after another, each on its own deterministic budget (:func:`work_of`);
    the wall clock (``deadline``, from ``time.perf_counter``) only stops a pool that would overrun it."""
    total = len(sacks)
    solved = []
    for k, sack in enumerate(sacks):
        left = max(0.0, deadline - time.perf_counter())
        capacity = sack.capacity + (extra[k] if extra else 0)
        solved.append(
            solve_knapsack(
                sack, capacity, options, left, exact, hints[k] if hints else None, work_of(sack, options)
            )
        )
        options.report(stage, k + 1, total)
    return solved


def work_of(sack: Knapsack, options: SolverOptions) -> float:
    """CP-SAT's deterministic time for one pool: 2 ms per free item, at least 0.1, times the effort."""
    return options.effort * max(0.1, 0.002 * len(sack.items))
