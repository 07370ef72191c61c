"""The exact multiple-choice knapsack (optimizer/calls/mckp.py) against brute force and a MIP."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplan.optimizer.calls.mckp import MckpInstance, solve_mckp
from salesplan.optimizer.calls.mip import solve_mip
from salesplan.optimizer.calls.response import ResponseCurve, fit_adbudg
from salesplan.optimizer.result import SolverOptions


def brute_force(instance: MckpInstance, capacity: np.ndarray | None = None) -> np.ndarray:
    """Best value per group by enumerating every level combination (−inf when none fits)."""
    capacity = instance.capacity if capacity is None else capacity
    best = np.full(instance.groups, -np.inf)
    for g in range(instance.groups):
        members = np.flatnonzero(instance.group == g)
        ranges = [range(instance.lower[a], instance.upper[a] + 1) for a in members]
        for combo in itertools.product(*ranges):
            weight = sum(k * instance.unit[a] for k, a in zip(combo, members, strict=True))
            if weight <= capacity[g]:
                value = sum(instance.value[a, k] for k, a in zip(combo, members, strict=True))
                best[g] = max(best[g], value)
    return best


def greedy_marginal(instance: MckpInstance) -> float:
    """Classic marginal analysis: add the visit with the best profit per minute while it fits and pays."""
    levels = instance.lower.copy()
    left = instance.capacity - instance.minimum_minutes()
    while True:
        best, pick = 0.0, -1
        for a in range(levels.shape[0]):
            if levels[a] < instance.upper[a] and instance.unit[a] <= left[instance.group[a]]:
                rate = (instance.value[a, levels[a] + 1] - instance.value[a, levels[a]]) / instance.unit[a]
                if rate > best:
                    best, pick = rate, a
        if pick < 0:
            return instance.total_value(levels)
        levels[pick] += 1
        left[instance.group[pick]] -= instance.unit[pick]


def random_instance(draw: st.DrawFn) -> MckpInstance:
    n = draw(st.integers(1, 5))
    groups = draw(st.integers(1, 2))
    top = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lower = rng.integers(0, 2, n)
    upper = np.minimum(lower + rng.integers(0, top + 1, n), top + 1)
    x = np.arange(top + 2)
    c = rng.uniform(0.3, 5.0, n)[:, None]  # concave and S-shaped curves alike
    d = rng.uniform(0.5, 30.0, n)[:, None]
    value = rng.uniform(50, 1000, n)[:, None] * x**c / (d + x**c) - rng.uniform(0, 30, n)[:, None] * x
    return MckpInstance(
        group=rng.integers(0, groups, n),
        lower=lower,
        upper=upper,
        unit=rng.integers(1, 80, n),
        value=value,
        capacity=rng.integers(0, 400, groups),
    )


@st.composite
def instances(draw: st.DrawFn) -> MckpInstance:
    return random_instance(draw)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_matches_brute_force_and_keeps_every_constraint(instance: MckpInstance) -> None:
    solution = solve_mckp(instance)
    optimum = brute_force(instance)
    used = instance.used_minutes(solution.levels)
    assert np.all(solution.levels >= instance.lower) and np.all(solution.levels <= instance.upper)
    for g in range(instance.groups):
        if not solution.feasible[g]:
            # infeasible exactly when the minimum levels alone do not fit
            assert optimum[g] == -np.inf
            assert instance.minimum_minutes()[g] > instance.capacity[g]
            continue
        assert used[g] <= instance.capacity[g]
        assert solution.exact[g]
        assert solution.value[g] == pytest.approx(optimum[g], abs=1e-7)
        assert solution.bound[g] >= optimum[g] - 1e-7
        assert solution.lp_bound[g] >= optimum[g] - 1e-7


@settings(max_examples=60, deadline=None)
@given(instances())
def test_value_of_one_more_hour_is_exact(instance: MckpInstance) -> None:
    solution = solve_mckp(instance)
    now = brute_force(instance)
    wider = brute_force(instance, instance.capacity + 60)
    for g in np.flatnonzero(solution.feasible):
        assert solution.extra_hour_value[g] == pytest.approx(wider[g] - now[g], abs=1e-7)
        assert solution.extra_hour_value[g] >= 0.0


@settings(max_examples=60, deadline=None)
@given(instances())
def test_without_dp_budget_the_gap_is_reported_not_hidden(instance: MckpInstance) -> None:
    solution = solve_mckp(instance, cell_budget=0)
    optimum = brute_force(instance)
    for g in np.flatnonzero(solution.feasible):
        assert solution.value[g] <= optimum[g] + 1e-7  # a feasible plan ...
        assert solution.bound[g] >= optimum[g] - 1e-7  # ... and a valid bound
    assert np.all(
        instance.used_minutes(solution.levels)[solution.feasible] <= instance.capacity[solution.feasible]
    )


def s_shaped_case() -> MckpInstance:
    """One rep, two visits of 60 min. Account 0 responds S-shaped (CALLPLAN judgments of a
    tech-complex customer), account 1 concavely; profit = 25 % margin × sales / 12."""
    s_curve = ResponseCurve(1_200_000.0, 2.0, *fit_adbudg(0.45, 0.55, 1.25, 1.4))
    concave = ResponseCurve(1_000_000.0, 2.0, *fit_adbudg(0.7, 0.88, 1.08, 1.2))
    x = np.arange(5)
    value = np.vstack([s_curve.sales(x), concave.sales(x)]) * 0.25 / 12.0
    return MckpInstance(
        group=np.array([0, 0]),
        lower=np.array([0, 0]),
        upper=np.array([4, 4]),
        unit=np.array([60, 60]),
        value=value,
        capacity=np.array([120]),
    )


def test_s_shaped_response_defeats_greedy_but_not_the_exact_method() -> None:
    instance = s_shaped_case()
    assert fit_adbudg(0.45, 0.55, 1.25, 1.4)[2] > 1.0  # the curve is S-shaped
    optimum = brute_force(instance)[0]
    greedy = greedy_marginal(instance)
    assert greedy < optimum - 5_000  # marginal analysis gives both visits to the concave account
    solution = solve_mckp(instance)
    assert solution.value[0] == pytest.approx(optimum)
    assert solution.levels.tolist() == [2, 0]  # both visits to the S-shaped account
    assert solution.exact[0] and solution.bound[0] == pytest.approx(optimum)


def test_agrees_with_highs_mip_on_a_mid_sized_instance() -> None:
    rng = np.random.default_rng(3)
    n, groups = 60, 4
    x = np.arange(9)
    c = rng.uniform(0.5, 3.5, n)[:, None]
    value = rng.uniform(1e3, 1e5, n)[:, None] * x**c / (rng.uniform(2, 40, n)[:, None] + x**c)
    instance = MckpInstance(
        group=np.repeat(np.arange(groups), n // groups),
        lower=rng.integers(0, 2, n),
        upper=np.full(n, 8),
        unit=rng.integers(30, 120, n),
        value=value - 2.0 * x * 60,
        capacity=np.full(groups, 1500),
    )
    exact = solve_mckp(instance)
    mip = solve_mip(instance, SolverOptions(time_limit_seconds=30, relative_gap=0.0))
    assert mip.levels is not None and mip.info.objective is not None
    assert exact.objective == pytest.approx(mip.info.objective, rel=1e-9)
    assert exact.upper_bound == pytest.approx(exact.objective)


def test_minimums_beyond_capacity_are_flagged() -> None:
    instance = MckpInstance(
        group=np.array([0, 0, 1]),
        lower=np.array([2, 1, 0]),
        upper=np.array([3, 2, 2]),
        unit=np.array([60, 90, 30]),
        value=np.zeros((3, 4)),
        capacity=np.array([200, 100]),
    )
    solution = solve_mckp(instance)
    assert solution.feasible.tolist() == [False, True]
    assert instance.minimum_minutes().tolist() == [210, 0]
    assert solution.levels[:2].tolist() == [2, 1]
