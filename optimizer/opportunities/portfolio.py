"""Opportunity portfolio under rep hours: which opportunities to pursue this quarter.

A 0/1 knapsack per capacity pool (a rep, or a region's reps together) with per-account limits, solved
exactly with OR-Tools CP-SAT:

    maximise    Σ_j v_j · x_j
    subject to  (1) Σ_{j ∈ J_g} e_j · x_j ≤ C_g       for every pool g
                (2) Σ_{j ∈ J_a} x_j ≤ max(L, M_a)      for every account a
                (3) x_j = 1                            for every must-pursue j
                (4) x_j = 0                            for every excluded j, every optional j that needs visits
                                                       to an account no visit is planned to, every j whose account no rep
                                                       serves, and every optional j with v_j ≤ 0
                x_j ∈ {0, 1}

where v_j is the expected value of opportunity j (currency), e_j its effort (hours), C_g the hours pool g
can give to opportunities this quarter, J_g the opportunities of the accounts pool g serves, J_a those of
account a, L = policy.opportunities.max_per_account and M_a the must-pursue count of account a (management's
must-pursue flag is never cut by the per-account limit; the limit caps the optional ones).

Integer data: effort is rounded up to whole minutes and capacity down, so a chosen set never needs more
hours than there are; values are rounded to the cent (a coarser unit only if sums would pass 10^15).

Decomposition: an account has one rep and a rep one pool, so no constraint links two pools and the model
splits into one knapsack per pool, each solved on its own by :mod:`.knapsack` (LP bound, greedy
start, reduction, then CP-SAT on what stays open). Objective and bound are the sums over
pools, so the overall gap is at most the largest pool gap. Each pool has a deterministic CP-SAT budget
(:func:`.knapsack.work_of`), so the same scenario gives the same portfolio on any machine.

Feasibility: the model is infeasible exactly when a pool's must-pursue hours exceed its capacity or a
must-pursue opportunity has no rep; this is decided before solving and returned as Infeasibility with the
missing hours (the CLI exits 3 and writes nothing).

Value of one more hour: every pool that left an eligible opportunity out is re-solved to proven optimum
with C_g and with C_g + 1 h (not an LP dual); the value lies in [lower, upper] of the two solves and is
exact (lower = upper) when both are proven. Pools that left nothing out gain exactly 0. Because
opportunities are indivisible, one hour often buys nothing; ``lp_hour_value`` adds the LP dual (the
relaxation's value of a marginal hour, as if opportunities could be split), a rate, not a promise.

Reference: S. Martello, P. Toth, Knapsack Problems (Wiley 1990), ch. 2 (Dantzig bound), ch. 6.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..result import Fix, Infeasibility, SolveInfo, SolverOptions, SolveStatus
from .knapsack import Knapsack, Solved, solve_all

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MINUTES = 60  # effort and capacity units per hour in the integer model
MAX_POOL_VALUE = 1e15  # largest total integer value of one pool (well inside CP-SAT's int64 sums)


@dataclass(frozen=True, eq=False)
class PortfolioProblem:
    """Arrays over opportunities j and pools g (see module docstring for the model).

    ``pool[j]`` is the index of the pool that owns j (−1: no rep serves its account); ``account[j]`` an
    account index into ``account_names``; ``max_per_account`` None means no limit.
    """

    value: FloatArray
    effort_hours: FloatArray
    pool: IntArray
    account: IntArray
    capacity_hours: FloatArray
    must: BoolArray
    exclude: BoolArray
    pool_names: tuple[str, ...]
    account_names: tuple[str, ...]
    max_per_account: int | None = None
    no_visit: BoolArray | None = None  # needs visits to an account the call plan does not visit

    def __post_init__(self) -> None:
        n = len(self.value)
        for name in ("effort_hours", "pool", "account", "must", "exclude"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries, value has {n}")
        if len(self.capacity_hours) != len(self.pool_names):
            raise ValueError("capacity_hours and pool_names differ in length")
        if n and (np.any(self.effort_hours <= 0) or np.any(self.value < 0)):
            raise ValueError("effort must be positive and value non-negative")
        if n and (self.pool.max(initial=-1) >= len(self.pool_names) or self.pool.min(initial=0) < -1):
            raise ValueError("pool index out of range")
        if np.any(self.must & self.exclude):
            raise ValueError("an opportunity is both must-pursue and excluded")


@dataclass(frozen=True)
class PoolPlan:
    """One pool's share of the plan: hours, value, and the value of one more hour (currency per hour)."""

    name: str
    capacity_hours: float
    used_hours: float
    must_hours: float
    candidates: int
    chosen: int
    value: float
    bound: float
    status: SolveStatus
    hour_value_low: float | None
    hour_value_high: float | None
    lp_hour_value: float  # the LP relaxation's value of a marginal hour (fractional opportunities)

    @property
    def left_hours(self) -> float:
        return self.capacity_hours - self.used_hours

    @property
    def hour_value_exact(self) -> bool:
        return self.hour_value_low is not None and self.hour_value_low == self.hour_value_high


@dataclass(frozen=True, eq=False)
class PortfolioResult:
    """The chosen opportunities, why each one is in or out, and each pool's hours."""

    info: SolveInfo
    selected: BoolArray
    reasons: tuple[str, ...]
    pools: tuple[PoolPlan, ...]
    explanations: tuple[Infeasibility, ...] = ()


def solve_portfolio(
    problem: PortfolioProblem, options: SolverOptions | None = None, *, hour_values: bool = True
) -> PortfolioResult:
    """Choose the opportunities to pursue (see module docstring); pure, deterministic for a seed."""
    options = options or SolverOptions()
    start = time.perf_counter()
    deadline = start + options.time_limit_seconds
    n, pools = len(problem.value), len(problem.pool_names)
    minutes = np.ceil(problem.effort_hours * MINUTES - 1e-9).astype(np.int64)
    capacity = np.floor(np.maximum(problem.capacity_hours, 0.0) * MINUTES + 1e-9).astype(np.int64)
    owned = problem.pool >= 0
    pool_value = np.bincount(problem.pool[owned], problem.value[owned], minlength=pools)
    scale = 100.0
    if pools and pool_value.max() * scale > MAX_POOL_VALUE:
        scale = 10.0 ** math.floor(math.log10(MAX_POOL_VALUE / pool_value.max()))
    weight = np.round(problem.value * scale).astype(np.int64)

    explanations = _must_shortfalls(problem, minutes, capacity)
    if explanations:
        info = SolveInfo("cp-sat", SolveStatus.INFEASIBLE, "max", None, None, time.perf_counter() - start)
        return PortfolioResult(info, np.zeros(n, bool), ("",) * n, (), tuple(explanations))

    knapsacks = _knapsacks(problem, weight, minutes, capacity)
    solved = solve_all(knapsacks, options, deadline, exact=False)
    selected = problem.must & owned
    for sack, result in zip(knapsacks, solved, strict=True):
        selected[sack.items[result.chosen]] = True

    lows: list[float | None] = [None] * pools
    highs: list[float | None] = [None] * pools
    if hour_values:
        _hour_values(knapsacks, solved, options, deadline, scale, lows, highs)

    def per_pool(mask: BoolArray, weights: npt.ArrayLike | None = None) -> FloatArray:
        mask = mask & owned
        counted = np.bincount(
            problem.pool[mask], None if weights is None else np.asarray(weights)[mask], pools
        )
        return np.asarray(counted, dtype=float)

    must = problem.must & owned
    must_value, must_minutes = per_pool(must, weight), per_pool(must, minutes)
    used, chosen, candidates = per_pool(selected, minutes), per_pool(selected), per_pool(~problem.exclude)
    plans = [
        PoolPlan(
            name=problem.pool_names[g],
            capacity_hours=float(capacity[g]) / MINUTES,
            used_hours=float(used[g]) / MINUTES,
            must_hours=float(must_minutes[g]) / MINUTES,
            candidates=int(candidates[g]),
            chosen=int(chosen[g]),
            value=float(result.objective + must_value[g]) / scale,
            bound=float(result.bound + must_value[g]) / scale,
            status=SolveStatus.OPTIMAL if result.optimal else SolveStatus.FEASIBLE,
            hour_value_low=lows[g],
            hour_value_high=highs[g],
            lp_hour_value=result.rate * MINUTES / scale,
        )
        for g, result in enumerate(solved)
    ]
    optimal = all(r.optimal for r in solved)
    info = SolveInfo(
        solver="cp-sat",
        status=SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE,
        sense="max",
        objective=float(sum(p.value for p in plans)),
        bound=float(sum(p.bound for p in plans)),
        runtime_seconds=time.perf_counter() - start,
        time_limit_hit=not optimal or time.perf_counter() >= deadline,
        message=f"{pools} independent pools, values to 1/{scale:g} currency",
    )
    reasons = explain(problem, selected, plans)
    return PortfolioResult(info, selected, reasons, tuple(plans))


def _must_shortfalls(problem: PortfolioProblem, minutes: IntArray, capacity: IntArray) -> list[Infeasibility]:
    """Pools whose must-pursue opportunities alone need more hours than they have, and orphans."""
    problems = []
    orphan = problem.must & (problem.pool < 0)
    for j in np.flatnonzero(orphan):
        account = problem.account_names[problem.account[j]]
        problems.append(
            Infeasibility.of(
                "must_pursue_no_rep",
                {"account": account},
                float(problem.effort_hours[j]),
                "hours this quarter",
                (
                    Fix("add", f"reps@account={account}", 1),
                    Fix("release", f"opportunities.must_pursue@account={account}"),
                ),
            )
        )
    must = problem.must & (problem.pool >= 0)
    need = np.bincount(problem.pool[must], minutes[must], len(problem.pool_names))
    for g in np.flatnonzero(need > capacity):
        short = float((need[g] - capacity[g]) / MINUTES)
        pool = problem.pool_names[g]
        problems.append(
            Infeasibility.of(
                "must_pursue_hours",
                {"rep": pool},
                short,
                "hours this quarter",
                (
                    Fix("release", f"opportunities.must_pursue@rep={pool}", round(short, 1)),
                    Fix("move", f"opportunities@rep={pool}", round(short, 1)),
                    Fix("remove", "load"),
                ),
                need=need[g] / MINUTES,
                free=capacity[g] / MINUTES,
            )
        )
    return problems


def _knapsacks(
    problem: PortfolioProblem, weight: IntArray, minutes: IntArray, capacity: IntArray
) -> list[Knapsack]:
    """Split the model into one knapsack per pool over its free items."""
    n = len(weight)
    must = problem.must & (problem.pool >= 0)
    must_count = np.bincount(problem.account[must], minlength=len(problem.account_names))
    limit = (
        np.full(len(problem.account_names), n + 1, np.int64)
        if problem.max_per_account is None
        else np.maximum(problem.max_per_account - must_count, 0)
    )
    free = (problem.pool >= 0) & ~problem.must & ~problem.exclude & (weight > 0)
    if problem.no_visit is not None:
        free &= ~problem.no_visit
    free &= limit[problem.account] > 0
    must_minutes = np.bincount(problem.pool[must], minutes[must], len(problem.pool_names))
    order = np.lexsort((np.arange(n), problem.account, problem.pool))
    order = order[free[order]]
    bounds = np.searchsorted(problem.pool[order], np.arange(len(problem.pool_names) + 1))
    sacks = []
    for g in range(len(problem.pool_names)):
        items = order[bounds[g] : bounds[g + 1]]
        accounts, index, counts = np.unique(problem.account[items], return_inverse=True, return_counts=True)
        over = counts > limit[accounts]
        group = np.full(len(accounts), -1, np.int64)
        group[over] = np.arange(int(over.sum()))
        sacks.append(
            Knapsack(
                items=items,
                weight=weight[items],
                minutes=minutes[items],
                capacity=int(capacity[g] - must_minutes[g]),
                group=group[index],
                limits=limit[accounts[over]].astype(np.int64),
            )
        )
    return sacks


def _hour_values(
    sacks: Sequence[Knapsack],
    solved: Sequence[Solved],
    options: SolverOptions,
    deadline: float,
    scale: float,
    lows: list[float | None],
    highs: list[float | None],
) -> None:
    """Value of one more hour per pool: proven re-solves at C and C + 1 h (see module docstring)."""
    binding = [g for g, r in enumerate(solved) if not r.chosen.all()]
    for g, r in enumerate(solved):
        if r.chosen.all():
            lows[g] = highs[g] = 0.0
    if not binding:
        return
    subset = [sacks[g] for g in binding]
    base = [solved[g] for g in binding]
    again = [g for g, r in zip(binding, base, strict=True) if r.objective != r.bound]
    if again:
        redo = solve_all(
            [sacks[g] for g in again],
            options,
            deadline,
            exact=True,
            hints=[solved[g].chosen for g in again],
            stage="value of one more hour",
        )
        fixed = dict(zip(again, redo, strict=True))
        base = [fixed.get(g, solved[g]) for g in binding]
    more = solve_all(
        subset,
        options,
        deadline,
        exact=True,
        extra=[MINUTES] * len(subset),
        hints=[b.chosen for b in base],
        stage="value of one more hour",
    )
    for g, at, plus in zip(binding, base, more, strict=True):
        lows[g] = max(0.0, (plus.objective - at.bound) / scale)
        highs[g] = max(0.0, (plus.bound - at.objective) / scale)


def explain(problem: PortfolioProblem, selected: BoolArray, plans: Sequence[PoolPlan]) -> tuple[str, ...]:
    """Why each opportunity is in or out, in a planner's words."""
    rate = problem.value / problem.effort_hours
    pools = len(problem.pool_names)
    chosen_free = selected & ~problem.must
    lowest = np.full(pools, np.inf)
    np.minimum.at(lowest, problem.pool[chosen_free], rate[chosen_free])
    counts = np.bincount(problem.account[selected], minlength=len(problem.account_names)).tolist()
    least = np.full(len(problem.account_names), np.inf)
    np.minimum.at(least, problem.account[selected], problem.value[selected])
    cheapest, lowest_rate = least.tolist(), lowest.tolist()
    limit = problem.max_per_account
    left = [max(p.left_hours, 0.0) for p in plans]
    need = (np.ceil(problem.effort_hours * MINUTES - 1e-9) / MINUTES).tolist()
    columns = zip(
        selected.tolist(),
        problem.must.tolist(),
        problem.exclude.tolist(),
        problem.pool.tolist(),
        problem.account.tolist(),
        problem.effort_hours.tolist(),
        problem.value.tolist(),
        rate.tolist(),
        need,
        strict=True,
    )
    reasons = []
    for chosen, must, exclude, g, a, e, v, r, hours in columns:
        owner = problem.pool_names[g] if g >= 0 else ""
        account = problem.account_names[a]
        if chosen:
            reasons.append(
                "chosen: must-pursue (management flag)"
                if must
                else f"chosen: expected {v:,.0f} for {e:g} h ({r:,.0f}/h) from {owner}'s hours"
            )
        elif exclude:
            reasons.append("excluded: flagged not to pursue this quarter")
        elif problem.no_visit is not None and problem.no_visit[len(reasons)]:
            reasons.append(
                f"no visit to account {account} is planned, and its work needs visits (needs_visit)"
            )
        elif g < 0:
            reasons.append(f"no rep serves account {account} (its region has no rep)")
        elif v <= 0:
            reasons.append("no expected value (size or probability is 0)")
        elif limit is not None and counts[a] >= limit:
            worth = "each worth more" if cheapest[a] >= v else "a better use of the hours"
            reasons.append(f"account {account} already has {counts[a]} chosen (limit {limit}), {worth}")
        elif hours > left[g] + 1e-9:
            text = f"no hours left: needs {e:g} h, {owner} has {left[g]:,.1f} h left"
            if math.isinf(lowest_rate[g]):  # the pool chose no optional one: its hours are simply gone
                reasons.append(text)
            elif r < lowest_rate[g]:
                reasons.append(f"{text}; {r:,.0f}/h is below the last one chosen ({lowest_rate[g]:,.0f}/h)")
            else:
                reasons.append(f"{text}; making room would give up more expected value than it adds")
        else:
            reasons.append("left out by the best plan found (within the solver's gap)")
    return tuple(reasons)
