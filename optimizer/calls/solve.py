"""Call planning, the library entry: scenario (+ upstream results) → :class:`CallResult`.

    max  Σ_a v_a(x_a)                       expected profit, currency/month (problem.py)
    s.t. Σ_{a: rep(a)=r} t_a·x_a ≤ C_r      every rep's selling minutes          (1)
         L_a ≤ x_a ≤ U_a, x_a integer       tier minimum and maximum, locks      (2)

solved exactly per rep by mckp.py; the bound is the sum of the reps' proven bounds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..data import PlanData
from ..result import SolveInfo, SolverOptions, SolveStatus
from ..tiers.solve import TierResult
from .explain import reasons
from .infeasible import infeasibilities
from .mckp import MckpInstance, solve_mckp
from .problem import CallProblem, build_problem
from .reserve import reserved_minutes, with_reserved_minutes
from .result import AccountPlan, CallResult, PlanTotals, RegionPrice, RepPlan
from .sizing import sizing_curve

if TYPE_CHECKING:
    from ..plan import Plan

SOLVER = "call-plan MCKP (LP bound, reduction, DP)"


def plan_calls(
    data: PlanData,
    options: SolverOptions,
    rep_of: Mapping[str, str | None] | None = None,
    tiers: TierResult | None = None,
    locked: Mapping[str, int] | None = None,
    *,
    strict: bool = False,
) -> CallResult:
    """Visits per month per account that maximise expected profit within every rep's hours.

    ``rep_of`` (account → rep, e.g. the territory plan) defaults to ``default_rep_of``; ``tiers`` to
    ``solve_tiers``; ``locked`` maps accounts to visit levels that must not change; ``strict``: no plan
    when a tier minimum cannot be met (see :func:`solve_calls`).
    """
    problem = build_problem(data, rep_of, tiers, locked)
    return solve_calls(problem, options, currency=data.currency, strict=strict)


def _totals(problem: CallProblem, visits: np.ndarray, profit: np.ndarray, sales: np.ndarray) -> PlanTotals:
    hours = visits * problem.unit / 60.0
    served = problem.rep_of >= 0
    load = np.bincount(problem.rep_of[served], weights=hours[served], minlength=len(problem.rep_ids))
    return PlanTotals(
        visits_per_month=float(visits.sum()),
        hours_per_month=float(hours.sum()),
        expected_sales=float(sales.sum()),
        profit=float(profit.sum()),
        accounts_below_minimum=int((visits < problem.tier_min - 1e-9).sum()),
        reps_over_hours=int((load > problem.hours_available + 1e-9).sum()),
    )


def solve_calls(
    problem: CallProblem, options: SolverOptions, currency: str = "CNY", *, strict: bool = False
) -> CallResult:
    """Solve a built problem (see :func:`plan_calls`).

    When some rep's tier minimums need more hours than the rep has, the plan is the best one with the
    smallest shortfall: lexicographically, first the fewest minutes of minimum visits missed, then the
    highest profit (the same exact MCKP, the minimums of those reps relaxed to 0 and every missing minute
    of a minimum visit priced above any profit difference); the result lists the shortfall per rep and
    account (``shortfall``). With ``strict`` (and for accounts no rep serves) there is no plan instead,
    only the explanations."""
    started = time.perf_counter()
    current = problem.current_visits
    current_sales = problem.sales_at(current)
    current_profit = problem.profit_at(current)
    before = _totals(problem, current, current_profit, current_sales)
    problems = infeasibilities(problem)
    unserved = [p for p in problems if p.kind == "tier_minimum_unserved"]
    if problems and (strict or unserved):
        info = SolveInfo(
            SOLVER,
            SolveStatus.INFEASIBLE,
            "max",
            None,
            None,
            time.perf_counter() - started,
            message=f"{len(problems)} rep(s) or account(s) cannot meet their minimum visits",
        )
        return CallResult(info, (), (), (), before, None, None, tuple(problems), currency)
    instance = problem.instance()
    penalty = np.zeros_like(problem.profit)
    if problems:
        instance, penalty = _shortfall_instance(problem, instance)
    solution = solve_mckp(instance, options)
    levels = solution.levels
    rows = np.arange(levels.shape[0])
    profit = problem.profit[rows, levels]
    sales = problem.sales[rows, levels]
    outside = float(profit[problem.rep_of < 0].sum())  # unserved accounts stay at their minimum (0)
    penalised = float(penalty[rows, levels].sum())  # ≤ 0: the price of the minimum minutes missed
    objective = solution.objective - penalised + outside
    bound = solution.upper_bound + outside if not problems else (objective if solution.exact.all() else None)
    lp_bound = float(np.nansum(solution.lp_bound)) + outside if not problems else None
    used = instance.used_minutes(levels)
    slack = instance.capacity - used
    multiplier, extra = solution.multiplier.copy(), solution.extra_hour_value.copy()
    texts, up = reasons(problem, levels, multiplier, slack, currency)
    rep_names = problem.rep_ids
    if problems:
        short_reps = np.flatnonzero(instance.capacity < problem.instance().minimum_minutes())
        multiplier[short_reps] = extra[short_reps] = np.nan  # its hours buy minimums, not profit
        for a in np.flatnonzero(np.isin(problem.rep_of, short_reps)):
            missing = int(problem.lower[a] - levels[a])
            rep = rep_names[problem.rep_of[a]]
            texts[a] = (
                f"tier-{problem.tiers[a]} minimum of {problem.lower[a]} visits/month not met: {missing} short, "
                f"because {rep}'s hours cannot hold every tier minimum (the plan misses the fewest minimum hours)"
                if missing > 0
                else f"kept at {levels[a]} visits/month: {rep}'s hours cannot hold every tier minimum"
            )
    accounts = tuple(
        AccountPlan(
            account_id=problem.account_ids[a],
            rep_id=rep_names[problem.rep_of[a]] if problem.rep_of[a] >= 0 else "",
            region=problem.account_regions[a],
            tier=problem.tiers[a],
            visits_per_month=int(levels[a]),
            min_visits=int(problem.lower[a]),
            max_visits=int(problem.upper[a]),
            current_visits_per_month=float(current[a]),
            expected_sales=float(sales[a]),
            current_expected_sales=float(current_sales[a]),
            profit=float(profit[a]),
            current_profit=float(current_profit[a]),
            hours_per_month=float(levels[a] * problem.unit[a] / 60.0),
            marginal_profit_per_hour=float(up[a]),
            reason=texts[a],
        )
        for a in rows
    )
    served = problem.rep_of >= 0
    count = np.bincount(problem.rep_of[served], minlength=len(rep_names))
    rep_profit = np.bincount(problem.rep_of[served], weights=profit[served], minlength=len(rep_names))
    current_hours = current * problem.unit / 60.0
    rep_current = np.bincount(problem.rep_of[served], weights=current_hours[served], minlength=len(rep_names))
    reps = tuple(
        RepPlan(
            rep_id=rep_names[r],
            region=problem.rep_regions[r],
            accounts=int(count[r]),
            hours_available=float(problem.hours_available[r]),
            hours_used=float(used[r] / 60.0),
            current_hours=float(rep_current[r]),
            shadow_price=float(multiplier[r]),
            extra_hour_value=float(extra[r]),
            profit=float(rep_profit[r]),
            proven_optimal=bool(solution.exact[r]),
        )
        for r in range(len(rep_names))
    )
    regions = []
    for region in dict.fromkeys(problem.rep_regions):
        mine = [rep for rep in reps if rep.region == region]
        best = max(mine, key=lambda rep: rep.shadow_price if math.isfinite(rep.shadow_price) else -1.0)
        regions.append(
            RegionPrice(
                region=region,
                reps=len(mine),
                hours_available=sum(rep.hours_available for rep in mine),
                hours_used=sum(rep.hours_used for rep in mine),
                shadow_price=best.shadow_price,
                best_rep=best.rep_id,
                mean_shadow_price=float(np.nanmean([rep.shadow_price for rep in mine]))
                if any(math.isfinite(rep.shadow_price) for rep in mine)
                else math.nan,
            )
        )
    gap_ok = (
        SolveInfo(SOLVER, SolveStatus.OPTIMAL, "max", objective, bound, 0.0).gap if bound is not None else 1.0
    )
    gap_ok = gap_ok or 0.0
    status = SolveStatus.OPTIMAL if gap_ok <= options.relative_gap else SolveStatus.FEASIBLE
    exact = int(solution.exact.sum())
    info = SolveInfo(
        SOLVER,
        status,
        "max",
        objective,
        bound,
        time.perf_counter() - started,
        time_limit_hit=solution.time_limit_hit,
        message=(
            f"{exact} of {len(rep_names)} reps solved exactly by DP; "
            + (f"LP bound {lp_bound:,.2f}; " if lp_bound is not None else "")
            + f"{int(solution.free_items.sum())} of {int(served.sum())} accounts left free after the reduction"
            + (
                f"; tier minimums short by {sum(p.shortfall for p in problems):,.1f} h/month (smallest "
                "shortfall first, then the highest profit)"
                if problems
                else ""
            )
        ),
    )
    planned = _totals(problem, levels.astype(float), profit, sales)
    same = _same_hours(problem, options, rep_current)
    return CallResult(
        info,
        accounts,
        reps,
        tuple(regions),
        before,
        planned,
        lp_bound,
        (),
        currency,
        same,
        None,
        tuple(problems),
    )


def _shortfall_instance(problem: CallProblem, instance: MckpInstance) -> tuple[MckpInstance, np.ndarray]:
    """The MCKP whose optimum misses the fewest minimum-visit minutes, then earns the most (see
    :func:`solve_calls`): reps over their hours get lower levels 0 and a price of M per missing minute,
    M = 1 + Σ_a (max v_a − min v_a) above any profit difference; returns it and the penalty table."""
    need = instance.minimum_minutes()
    over = need > instance.capacity
    relaxed = np.zeros(len(problem.account_ids), dtype=bool)
    members = problem.rep_of >= 0
    relaxed[members] = over[problem.rep_of[members]] & ~problem.locked[members]
    levels = np.arange(problem.profit.shape[1])
    inside = (levels[None, :] >= 0) & (levels[None, :] <= problem.upper[:, None])
    values = np.where(inside, problem.profit, np.nan)
    spread = float(np.nansum(np.nanmax(values, axis=1) - np.nanmin(values, axis=1)))
    price = 1.0 + spread
    missing = np.maximum(0, problem.lower[:, None] - levels[None, :]) * problem.unit[:, None]
    penalty = np.where(relaxed[:, None], -price * missing, 0.0)
    lower = np.where(relaxed, 0, instance.lower)
    return replace(instance, lower=lower, value=instance.value + penalty), penalty


def _same_hours(problem: CallProblem, options: SolverOptions, current_hours: np.ndarray) -> PlanTotals:
    """The optimum when each rep keeps the hours of the current plan (reallocation alone, no extra
    hours); a rep whose minimums need more gets just those."""
    instance = problem.instance()
    capacity = np.minimum(instance.capacity, np.floor(current_hours * 60.0 + 1e-6).astype(np.int64))
    capacity = np.maximum(capacity, instance.minimum_minutes())
    quiet = replace(options, progress=None)
    solution = solve_mckp(replace(instance, capacity=capacity), quiet, stage="allocation (same hours)")
    rows = np.arange(solution.levels.shape[0])
    levels = solution.levels
    return _totals(problem, levels.astype(float), problem.profit[rows, levels], problem.sales[rows, levels])


# Fixed shares of the stage's wall-clock safety net: the opportunities' reservation, the call plan (and
# its same-hours twin), the sizing curve. Each solve is exact within its DP cell budget (deterministic);
# the clock only guards against a machine far slower than expected.
SHARES = {"reserve": 0.3, "plan": 0.4, "sizing": 0.3}


class Calls:
    """The calls stage: visits per month per account, on the territory plan's reps, with the hours that
    the joint visits-and-opportunities optimum keeps for opportunities set aside (:mod:`.reserve`)."""

    name = "calls"
    title = "call allocation (visits and opportunities share the hours)"

    def __init__(self, strict: bool = False, sizing: bool = True) -> None:
        self.strict = strict  # no plan (exit 3) when a tier minimum cannot be met, instead of the shortfall
        self.sizing = sizing  # also the profit-against-headcount curve (sizing.csv); see :meth:`sized`

    def problem(self, plan: Plan) -> CallProblem:
        """The call-planning model of the plan so far, on each rep's hours less the calibration trim —
        never below the minutes its tier minimums need (policy first: the trim is a correction of the
        price per visit, and minutes it held back below the minimums went to optional opportunities
        while a tier-A account missed its minimum; electronics-distributor, E11) — and less the minutes
        its days cannot hold (``plan.days``), minimums or not: visits beyond them cannot happen."""
        problem = build_problem(plan.data, plan.rep_of(), plan.tiers, travel=plan.travel, most=plan.most)
        if plan.trim:
            held = np.array([plan.trim.get(r, 0.0) for r in problem.rep_ids])
            need = np.minimum(problem.instance().minimum_minutes(), problem.capacity_minutes) / 60.0
            hours = np.maximum(problem.hours_available - held / 60.0, 0.0)
            problem = replace(problem, hours_available=np.maximum(hours, need))
        if plan.days:
            days = np.array([plan.days.get(r, 0.0) for r in problem.rep_ids]) / 60.0
            problem = replace(problem, hours_available=np.maximum(problem.hours_available - days, 0.0))
        return problem

    def run(self, plan: Plan, options: SolverOptions) -> CallResult:
        data = plan.data
        rep_of = plan.rep_of()
        problem = self.problem(plan)
        reserved = reserved_minutes(data, problem, rep_of, options.share(SHARES["reserve"]))
        result = solve_calls(
            with_reserved_minutes(problem, reserved),
            options.share(SHARES["plan"]),
            data.currency,
            strict=self.strict,
        )
        if result.planned is None or not self.sizing:
            return result
        return replace(result, sizing=sizing_curve(problem, options.share(SHARES["sizing"])))

    def sized(self, plan: Plan, options: SolverOptions) -> CallResult:
        """The plan's call result with its sizing curve (for a result planned with ``sizing`` off)."""
        assert plan.calls is not None
        if plan.calls.planned is None or plan.calls.sizing is not None:
            return plan.calls
        return replace(plan.calls, sizing=sizing_curve(self.problem(plan), options.share(SHARES["sizing"])))
