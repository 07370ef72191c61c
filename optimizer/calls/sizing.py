"""Sizing: how many reps per region, and where an extra rep no longer pays for itself.

For region g with n reps, the region's accounts share a pooled capacity n · h̄_g (h̄_g the mean selling
hours of its reps now), i.e. territories are assumed re-cut around the new headcount; visit and travel
minutes keep today's estimates. Each point is the allocation model (run.py) with one knapsack for the
region, solved exactly by mckp.py:

    P_g(n) = max Σ_a v_a(x_a)   s.t.  Σ_a t_a x_a ≤ ⌊60 · n · h̄_g⌋,  L_a ≤ x_a ≤ U_a      (currency/month)

and, for the plan found, M_g(n) = Σ_a m_a S_a r_a(x_a) / 12 the gross margin. A rep costs
c_g = mean over the region's reps of paid hours/month × cost per hour (salary, not only selling time).

    net_g(n)        = M_g(n) − n · c_g          the region's contribution after paying every rep
    marginal margin = M_g(n) − M_g(n − 1)       what the n-th rep adds
    the n-th rep pays for itself when its marginal margin ≥ c_g; the recommended headcount is the n
    with the highest net_g(n) over the range examined.

Range: from the fewest reps whose hours cover the tier minimums (at least 1) upward, until past today's
headcount a rep no longer pays for itself, or every account has reached its unconstrained best level,
or 60 points (the curve is computed one headcount at a time). Pooling is optimistic for a fixed split
of accounts: at today's headcount P_g is an upper bound of the plan's profit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..result import SolveInfo, SolverOptions, SolveStatus
from .mckp import MckpInstance, MckpSolution, solve_mckp
from .problem import CallProblem

MAX_POINTS = 60


@dataclass(frozen=True)
class SizingPoint:
    """One headcount of one region (money per month unless stated)."""

    region: str
    reps: int
    selling_hours: float  # n · h̄, hours/month
    hours_used: float
    expected_sales: float  # currency/year
    margin: float  # M(n)
    profit: float  # P(n): margin − cost of the visits' time (the allocation objective)
    bound: float  # proven upper bound of P(n)
    rep_cost: float  # n · c
    net_profit: float  # M(n) − n · c
    marginal_margin: float  # M(n) − M(n − 1), nan at the first point
    pays_for_itself: bool | None  # marginal margin ≥ c (None at the first point)
    current: bool  # today's headcount
    recommended: bool  # highest net profit in the range


@dataclass(frozen=True)
class SizingResult:
    info: SolveInfo
    points: tuple[SizingPoint, ...]
    rep_cost: dict[str, float]  # c_g per region, currency/month

    def recommended(self) -> dict[str, int]:
        return {p.region: p.reps for p in self.points if p.recommended}

    def current(self) -> dict[str, int]:
        return {p.region: p.reps for p in self.points if p.current}

    def frame(self) -> pd.DataFrame:
        """sizing.csv: one row per region and headcount."""

        def r(value: float) -> float:
            return round(value, 2) if math.isfinite(value) else math.nan

        return pd.DataFrame(
            [
                {
                    "region": p.region,
                    "reps": p.reps,
                    "selling_hours": r(p.selling_hours),
                    "hours_used": r(p.hours_used),
                    "expected_sales": r(p.expected_sales),
                    "margin": r(p.margin),
                    "profit": r(p.profit),
                    "bound": r(p.bound),
                    "rep_cost": r(p.rep_cost),
                    "net_profit": r(p.net_profit),
                    "marginal_margin": r(p.marginal_margin),
                    "pays_for_itself": "" if p.pays_for_itself is None else p.pays_for_itself,
                    "current": p.current,
                    "recommended": p.recommended,
                }
                for p in self.points
            ]
        )


def _start_and_stop(problem: CallProblem, members: np.ndarray, mean_minutes: float) -> tuple[int, int]:
    """Fewest reps whose hours cover the minimums, and the headcount at which nothing is left to gain."""
    values = problem.profit[members]
    levels = np.arange(values.shape[1])
    lower, upper = problem.lower[members, None], problem.upper[members, None]
    inside = (levels[None, :] >= lower) & (levels[None, :] <= upper)
    best = np.argmax(np.where(inside, values, -np.inf), axis=1)
    unit = problem.unit[members]
    first = max(1, math.ceil(float((problem.lower[members] * unit).sum()) / mean_minutes - 1e-9))
    saturated = max(first, math.ceil(float((best * unit).sum()) / mean_minutes - 1e-9))
    return first, saturated


def _point(
    problem: CallProblem, members: np.ndarray, capacity: int, options: SolverOptions
) -> tuple[MckpSolution, float, float, float]:
    instance = MckpInstance(
        np.zeros(members.size, np.int64),
        problem.lower[members],
        problem.upper[members],
        problem.unit[members],
        problem.profit[members],
        np.array([capacity], np.int64),
    )
    solution = solve_mckp(instance, options, stage="sizing")
    sales = problem.sales[members, solution.levels]
    margin = float((problem.margin[members] * sales).sum() / 12.0)
    minutes = float((solution.levels * problem.unit[members]).sum())
    return solution, float(sales.sum()), margin, minutes


def sizing_curve(problem: CallProblem, options: SolverOptions, max_points: int = MAX_POINTS) -> SizingResult:
    """Profit and net profit against the number of reps, per region with reps (see module docstring)."""
    started = time.perf_counter()
    points: list[SizingPoint] = []
    rep_cost: dict[str, float] = {}
    regions = np.array(problem.account_regions)
    rep_regions = np.array(problem.rep_regions)
    objective = bound = 0.0
    exact = True
    hit = False
    for region in dict.fromkeys(problem.rep_regions):
        reps = np.flatnonzero(rep_regions == region)
        members = np.flatnonzero((regions == region) & (problem.rep_of >= 0))
        mean_minutes = float(problem.hours_available[reps].mean() * 60.0)
        cost = float((problem.paid_hours[reps] * problem.rep_cost_per_hour[reps]).mean())
        rep_cost[region] = cost
        if mean_minutes <= 0 or members.size == 0:
            continue
        first, saturated = _start_and_stop(problem, members, mean_minutes)
        mine: list[SizingPoint] = []
        for n in range(first, first + max_points):
            capacity = math.floor(n * mean_minutes + 1e-6)
            solution, sales, margin, minutes = _point(problem, members, capacity, options)
            previous = mine[-1] if mine else None
            marginal = margin - previous.margin if previous else math.nan
            mine.append(
                SizingPoint(
                    region=region,
                    reps=n,
                    selling_hours=capacity / 60.0,
                    hours_used=minutes / 60.0,
                    expected_sales=sales,
                    margin=margin,
                    profit=solution.objective,
                    bound=solution.upper_bound,
                    rep_cost=n * cost,
                    net_profit=margin - n * cost,
                    marginal_margin=marginal,
                    pays_for_itself=None if previous is None else bool(marginal >= cost),
                    current=n == reps.size,
                    recommended=False,
                )
            )
            objective += solution.objective
            bound += solution.upper_bound
            exact = exact and bool(solution.exact.all())
            hit = hit or solution.time_limit_hit
            past_now = n >= reps.size + 1
            if n > saturated or (past_now and previous is not None and marginal < cost):
                break
            if time.perf_counter() - started > options.time_limit_seconds:
                hit = True
                break
        best = max(range(len(mine)), key=lambda i: (mine[i].net_profit, -mine[i].reps))
        mine[best] = replace(mine[best], recommended=True)
        points.extend(mine)
    status = SolveStatus.OPTIMAL if exact else SolveStatus.FEASIBLE
    info = SolveInfo(
        "sizing (pooled region MCKP)",
        status,
        "max",
        objective,
        bound,
        time.perf_counter() - started,
        time_limit_hit=hit,
        message=f"{len(points)} headcount points; objective and bound summed over them",
    )
    return SizingResult(info, tuple(points), rep_cost)
