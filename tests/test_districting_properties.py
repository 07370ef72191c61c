"""Territory design: properties every plan must have, determinism, reassignment, geometry helpers.

Instances are random and inline (30–60 units); the local search runs (the exact model is switched off),
and every claim of the result is re-verified here with plain code, apart from the engine's checker.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesplan.optimizer.result import SolverOptions, SolveStatus
from salesplan.optimizer.territories.districting import (
    TerritoryProblem,
    TerritorySettings,
    check_plan,
    delaunay_edges,
    project_equirectangular,
    solve_territories,
)
from salesplan.optimizer.travel import great_circle_km

SEARCH = TerritorySettings(restarts=3, exact_max_units=0, imax=150)


def connected(units: np.ndarray, edges: np.ndarray) -> bool:
    units_set = set(units.tolist())
    reach, stack = {int(units[0])}, [int(units[0])]
    while stack:
        u = stack.pop()
        for a, b in edges.tolist():
            for s, t in ((a, b), (b, a)):
                if s == u and t in units_set and t not in reach:
                    reach.add(t)
                    stack.append(t)
    return len(reach) == len(units_set)


def moved_share(problem: TerritoryProblem, plan: np.ndarray) -> float:
    had = problem.previous >= 0
    basis = problem.move_weight if problem.moved_basis == "value" else np.ones(problem.n)
    return float(basis[had & (plan != problem.previous)].sum() / basis[had].sum()) if had.any() else 0.0


def meets_rules(problem: TerritoryProblem, plan: np.ndarray, tolerance: tuple[float | None, ...]) -> None:
    """Assert every rule with the given tolerances, computed from scratch."""
    assert plan.shape == (problem.n,) and plan.min() >= 0 and plan.max() < problem.p
    assert len(np.unique(plan)) == problem.p  # every territory has a unit, every unit one territory
    locked = problem.locks >= 0
    assert np.all(plan[locked] == problem.locks[locked])
    totals = np.array([problem.activity[plan == k].sum(axis=0) for k in range(problem.p)])
    mu = problem.activity.sum(axis=0) / problem.p
    for e, t in enumerate(tolerance):
        if t is not None:
            assert np.all(np.abs(totals[:, e] - mu[e]) <= t * mu[e] * (1 + 1e-9) + 1e-9)
    if problem.max_moved_share is not None:
        assert moved_share(problem, plan) <= problem.max_moved_share + 1e-9
    if problem.contiguous:
        assert all(connected(np.flatnonzero(plan == k), problem.edges) for k in range(problem.p))


@st.composite
def problems(draw: st.DrawFn) -> TerritoryProblem:
    """A random region; every choice comes from one drawn seed, so all kinds appear evenly."""
    seed = draw(st.integers(0, 100_000))
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 61))
    p = int(rng.integers(2, 6))
    xy = rng.uniform(0, 200, (n, 2))
    activity = np.column_stack([rng.uniform(1, 10, n), rng.lognormal(2, 0.7, n)])
    tolerance = float(rng.choice([0.01, 0.05, 0.15, 0.4]))
    order = np.argsort(xy[:, 0] + 0.3 * xy[:, 1])  # previous plan: stripes, deliberately unbalanced
    previous = np.empty(n, dtype=np.int64)
    previous[order] = np.minimum(p - 1, (np.arange(n) * p * 1.3 / n).astype(int))
    previous[rng.random(n) < 0.1] = -1  # new accounts without a previous rep
    return TerritoryProblem(
        xy=xy,
        activity=activity,
        tolerance=(tolerance, None if seed % 3 == 0 else tolerance),
        p=p,
        objective=("home", "median", "diameter")[seed % 3 if seed % 7 else 2],
        homes=rng.uniform(0, 200, (p, 2)),
        contiguous=bool(rng.random() < 0.7),
        locks=np.where(rng.random(n) < 0.05, previous, -1),
        previous=previous,
        move_weight=rng.uniform(1, 5, n),
        disruption_weight=float(rng.choice([0.0, 5.0])),
        max_moved_share=(None, 0.3, 0.6)[int(rng.integers(0, 3))],
    )


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_plan_meets_every_rule_or_the_failure_is_explained(problem: TerritoryProblem) -> None:
    result = solve_territories(problem, SolverOptions(time_limit_seconds=30, seed=1), SEARCH)
    if result.feasible:
        assert result.assignment is not None
        meets_rules(problem, result.assignment, problem.tolerance)
        chk = check_plan(problem, result.assignment)
        assert result.info.objective == chk.objective
        assert result.info.bound is not None and result.info.bound <= result.info.objective + 1e-9
        assert set(result.moved.tolist()) == set(
            np.flatnonzero((problem.previous >= 0) & (result.assignment != problem.previous)).tolist()
        )
    else:
        assert result.assignment is None and result.infeasibilities
        if result.smallest_tolerance is not None and result.closest_plan is not None:
            assert all(
                s is None or t is None or s >= t
                for s, t in zip(result.smallest_tolerance, problem.tolerance, strict=True)
            )
            meets_rules(problem, result.closest_plan, result.smallest_tolerance)


def _region(seed: int = 4, n: int = 120, p: int = 5, contiguous: bool = True) -> TerritoryProblem:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 300, (n, 2))
    order = np.argsort(xy[:, 0])
    previous = np.empty(n, dtype=np.int64)
    previous[order] = np.minimum(p - 1, (np.arange(n) * p * 1.4 / n).astype(int))  # last reps overloaded
    return TerritoryProblem(
        xy=xy,
        activity=rng.uniform(2, 8, (n, 2)),
        tolerance=(0.1, 0.1),
        p=p,
        objective="home",
        homes=rng.uniform(0, 300, (p, 2)),
        contiguous=contiguous,
        previous=previous,
        move_weight=rng.uniform(1, 3, n),
        disruption_weight=20.0,
        max_moved_share=0.35,
    )


def test_reassignment_rebalances_within_the_cap() -> None:
    problem = _region()
    before = check_plan(problem, problem.previous)
    assert before.balance_violations > 0  # the previous alignment is out of balance
    result = solve_territories(problem, SolverOptions(time_limit_seconds=600, seed=2), SEARCH)
    assert result.feasible and result.assignment is not None
    meets_rules(problem, result.assignment, problem.tolerance)
    assert 0 < result.moved_share <= 0.35 + 1e-9
    assert np.array_equal(result.moved, check_plan(problem, result.assignment).moved)


def test_same_seed_same_plan_any_worker_count() -> None:
    problem = _region(seed=9, n=90, p=4)
    one = solve_territories(problem, SolverOptions(time_limit_seconds=600, seed=5, workers=1), SEARCH)
    again = solve_territories(problem, SolverOptions(time_limit_seconds=600, seed=5, workers=1), SEARCH)
    with ProcessPoolExecutor(2) as pool:  # restarts side by side in other processes
        options = SolverOptions(time_limit_seconds=600, seed=5, workers=2, mapper=pool.map)
        two = solve_territories(problem, options, SEARCH)
    assert one.assignment is not None
    assert np.array_equal(one.assignment, again.assignment)
    assert np.array_equal(one.assignment, two.assignment)
    assert one.info.objective == two.info.objective


def test_lp_start_same_plan_any_worker_count_and_never_the_clock() -> None:
    """Without contiguity the search starts from the LP-and-fix plan: still one plan whatever runs the
    restarts, and a generous safety net is never reported as hit (node budget, not the clock)."""
    problem = _region(seed=3, n=150, p=5, contiguous=False)
    search = TerritorySettings(restarts=4, exact_max_units=0, imax=150)
    one = solve_territories(problem, SolverOptions(time_limit_seconds=600, seed=5), search)
    with ProcessPoolExecutor(2) as pool:
        options = SolverOptions(time_limit_seconds=600, seed=5, workers=2, mapper=pool.map)
        two = solve_territories(problem, options, search)
    assert one.assignment is not None and two.assignment is not None
    assert np.array_equal(one.assignment, two.assignment)
    assert not one.info.time_limit_hit and not two.info.time_limit_hit
    assert one.info.message.startswith("LP and fix") or one.info.message.startswith("LP rounded")
    meets_rules(problem, one.assignment, problem.tolerance)


def test_effort_scales_the_restarts_and_large_regions_get_fewer() -> None:
    base = TerritorySettings(restarts=16, exact_nodes=2_000, full_units=1_500, fewest=2)
    assert base.scaled(1.0, 800).restarts == 16
    assert base.scaled(0.5, 800).restarts == 8
    assert base.scaled(0.5, 800).exact_nodes == 1_000
    assert base.scaled(1.0, 3_000).restarts == 4  # 16 · (1500 / 3000)²
    assert base.scaled(1.0, 100_000).restarts == 2  # never below ``fewest``
    assert base.scaled(0.01, 800).restarts == 1 and base.scaled(0.0001, 800).exact_nodes == 1
    problem = _region(seed=2, n=80, p=4)  # contiguous: the multistart alone
    result = solve_territories(
        problem,
        SolverOptions(time_limit_seconds=600, effort=0.25),
        TerritorySettings(restarts=8, exact_max_units=0),
    )
    assert result.restarts == 2


def test_time_limit_is_reported() -> None:
    problem = _region(seed=1, n=200, p=6)
    result = solve_territories(problem, SolverOptions(time_limit_seconds=0.0), TerritorySettings(restarts=50))
    assert result.info.time_limit_hit
    assert result.info.status in (SolveStatus.FEASIBLE, SolveStatus.UNKNOWN)


def test_projection_matches_great_circle_within_a_region() -> None:
    rng = np.random.default_rng(0)
    lat = 31.2 + rng.uniform(-0.5, 0.5, 40)
    lon = 121.5 + rng.uniform(-0.5, 0.5, 40)
    xy = project_equirectangular(lat, lon)
    planar = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    sphere = great_circle_km(lat[:, None], lon[:, None], lat[None], lon[None])
    mask = sphere > 1.0
    assert np.max(np.abs(planar[mask] / sphere[mask] - 1)) < 0.01


def test_delaunay_edges_join_duplicates_and_collinear_points() -> None:
    pts = np.array([[0.0, 0], [1, 1], [1, 1], [2, 0], [3, 5]])
    edges = delaunay_edges(pts)
    assert connected(np.arange(5), edges) and [1, 2] in edges.tolist()
    line = np.column_stack([np.arange(6.0), 2 * np.arange(6.0)])
    assert connected(np.arange(6), delaunay_edges(line))
