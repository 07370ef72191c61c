"""Selling hours to keep for opportunities: visits and opportunities compete for the same hours.

Planning visits first would give every hour whose visit earns more than it costs to visits, and leave
no hour for an up-sell worth far more per hour. The joint model decides both at once, per rep r, as one
multiple-choice knapsack (solved exactly by :func:`.mckp.solve_mckp`):

    max   Σ_a v_a(k_a) + Σ_j w_j · y_j                      profit, currency/month
    s.t.  Σ_a t_a · k_a + Σ_j u_j · y_j ≤ C_r               (1) the rep's selling minutes per month
          L_a ≤ k_a ≤ U_a                                    (2) tier minimum and maximum visits
          y_j ∈ {0, 1};  y_j = 1 if must-pursue, 0 if excluded   (3) the planner's flags

with v, t, L, U, C of the call-planning model (:mod:`.problem`), and for opportunity j of a rep's
account, over a horizon of M months: w_j = (EV_j − e_j · p_r) / M (expected value, margin included,
less the cost of its e_j effort hours) and u_j = ⌈60 · e_j / (M · s)⌉ minutes per month, s the policy's
hours share: the portfolio may give opportunities at most s of the hours the visits leave,
Σ_j 60 e_j y_j / M ≤ s (C_r − Σ_a t_a k_a), which is (1) with u_j so scaled (s = 1: the effort itself).

The opportunities' minutes are then reserved: the call plan runs on C_r minus them (it keeps the same
visit levels, which are optimal for the rest), and the portfolio stage chooses within the hours the visits
leave, with its per-account limit and hours share. The joint model sees the per-account limit K too: an
account's opportunities beyond its K of the highest expected value (must-pursue ones first) are left out,
for the portfolio would not take them — without this the hours of a second opportunity on an account that
may have one were kept from visits and then left idle (dealer network: 65 h a quarter of R04's, while its
visits paid 342 CNY/h). A rep whose tier minimums alone exceed the hours reserves nothing (the call plan
reports the shortfall).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from ..data import PlanData
from ..result import SolverOptions
from .mckp import MckpInstance, solve_mckp
from .problem import BoolArray, CallProblem, FloatArray, IntArray


def opportunity_minutes(
    problem: CallProblem,
    expected_value: FloatArray,
    effort_hours: FloatArray,
    rep_index: IntArray,
    must: BoolArray,
    exclude: BoolArray,
    months: float,
    options: SolverOptions | None = None,
    share: float = 1.0,
) -> IntArray:
    """Minutes per month per rep (index of ``problem.rep_ids``) that the jointly optimal plan keeps from
    visits for opportunities (their effort over the hours ``share``). ``rep_index[j]`` is the rep serving
    opportunity j's account (−1: none)."""
    groups = len(problem.rep_ids)
    n = len(expected_value)
    if n == 0:
        return np.zeros(groups, np.int64)
    months = max(months, 1e-9)
    if share <= 0:  # the portfolio may give opportunities no hours: keep none from visits
        return np.zeros(groups, np.int64)
    share = min(share, 1.0)
    unit = np.maximum(1, np.ceil(60.0 * np.asarray(effort_hours) / months / share - 1e-9)).astype(np.int64)
    cost = np.where(rep_index >= 0, problem.rep_cost_per_hour[np.maximum(rep_index, 0)], 0.0)
    worth = (np.asarray(expected_value) - np.asarray(effort_hours) * cost) / months
    lower = (must & ~exclude).astype(np.int64)
    upper = np.where(exclude, lower, 1).astype(np.int64)
    profit = problem.profit
    if profit.shape[1] < 2:  # every account capped at 0 visits: still room for the opportunity level
        profit = np.hstack([profit, np.zeros((profit.shape[0], 2 - profit.shape[1]))])
    value = np.zeros((n, profit.shape[1]))
    value[:, 1] = worth
    instance = MckpInstance(
        group=np.concatenate([problem.rep_of, rep_index]).astype(np.int64),
        lower=np.concatenate([problem.lower, lower]),
        upper=np.concatenate([problem.upper, upper]),
        unit=np.concatenate([problem.unit, unit]),
        value=np.vstack([profit, value]),
        capacity=problem.capacity_minutes,
    )
    solution = solve_mckp(instance, options, stage="visits and opportunities")
    chosen = solution.levels[len(problem.account_ids) :]
    served = rep_index >= 0
    minutes = np.bincount(rep_index[served], weights=(chosen * unit)[served], minlength=groups)
    minutes = np.where(solution.feasible, minutes, 0.0)
    return np.asarray(np.rint(minutes), dtype=np.int64)


def with_reserved_minutes(problem: CallProblem, minutes: IntArray) -> CallProblem:
    """The call-planning problem on each rep's hours less the reserved minutes per month."""
    left = np.maximum(problem.capacity_minutes - minutes, 0)
    return replace(problem, hours_available=left / 60.0)


def reserved_minutes(
    data: PlanData, problem: CallProblem, rep_of: Mapping[str, str | None], options: SolverOptions
) -> IntArray:
    """:func:`opportunity_minutes` for the scenario's opportunities, each on the rep of its account."""
    if not data.opportunities:
        return np.zeros(len(problem.rep_ids), np.int64)
    index = {rep: k for k, rep in enumerate(problem.rep_ids)}
    opportunities = data.opportunities
    must = np.array([o.must_pursue for o in opportunities], dtype=bool)
    exclude = np.array([o.exclude for o in opportunities], dtype=bool)
    limit = data.rules.max_opportunities_per_account
    if limit is not None:
        exclude |= beyond_limit(
            [o.account for o in opportunities], data.expected_value, must & ~exclude, exclude, limit
        )
    return opportunity_minutes(
        problem,
        data.expected_value,
        np.array([o.effort_hours for o in opportunities], dtype=float),
        np.array([index.get(rep_of.get(o.account) or "", -1) for o in opportunities], dtype=np.int64),
        must,
        exclude,
        data.horizon.months,
        replace(options, progress=None),
        data.rules.opportunity_hours_share,
    )


def beyond_limit(
    accounts: list[str], value: FloatArray, must: BoolArray, exclude: BoolArray, limit: int
) -> BoolArray:
    """The opportunities past each account's ``limit`` best: must-pursue first, then by expected value
    (ties by position); excluded ones take no place. Must-pursue ones are never past it."""
    out = np.zeros(len(accounts), dtype=bool)
    taken: dict[str, int] = {}
    for j in sorted(range(len(accounts)), key=lambda j: (not must[j], -value[j], j)):
        if exclude[j]:
            continue
        if not must[j] and taken.get(accounts[j], 0) >= limit:
            out[j] = True
        taken[accounts[j]] = taken.get(accounts[j], 0) + 1
    return out
