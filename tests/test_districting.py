"""Territory design: known optima by brute force, bounds that hold, the smallest tolerance, the checker.

All instances are tiny and inline (8–9 units, 2–3 territories): every assignment is enumerated, so the
optimum, the smallest feasible tolerance and the validity of every bound are known exactly.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from salesplan.optimizer.result import SolverOptions, SolveStatus
from salesplan.optimizer.territories.districting import (
    TerritoryProblem,
    TerritorySettings,
    check_plan,
    delaunay_edges,
    solve_territories,
)
from salesplan.optimizer.territories.districting.bounds import diameter_bound, home_bound, median_bound
from salesplan.optimizer.territories.districting.feasibility import plan_tolerance
from salesplan.optimizer.territories.districting.lagrangian import lagrangian_step
from salesplan.optimizer.territories.districting.solve import _lp_and_fix

HEURISTIC = TerritorySettings(restarts=12, exact_max_units=0)
# the wall clock is only a safety net: the work budget must decide, even on a loaded machine with a cold JIT
OPTIONS = SolverOptions(time_limit_seconds=600, seed=3)


def tiny(
    seed: int,
    n: int = 8,
    p: int = 3,
    objective: str = "median",
    contiguous: bool = True,
    tolerance: float = 0.25,
    **extra: object,
) -> TerritoryProblem:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n, 2))
    activity = np.column_stack([rng.integers(5, 15, n), rng.uniform(10, 40, n)]).astype(float)
    return TerritoryProblem(
        xy=xy,
        activity=activity,
        tolerance=(tolerance, tolerance),
        p=p,
        objective=objective,  # type: ignore[arg-type]
        homes=rng.uniform(0, 100, (p, 2)),
        edges=delaunay_edges(xy),
        contiguous=contiguous,
        **extra,
    )  # type: ignore[arg-type]


def _subsets(problem: TerritoryProblem) -> tuple[np.ndarray, np.ndarray]:
    """For every subset (bitmask) of units: connected over the edges? and its compactness value."""
    n = problem.n
    d = np.sqrt(((problem.xy[:, None] - problem.xy[None]) ** 2).sum(axis=2))
    connected = np.zeros(1 << n, dtype=bool)
    value = np.zeros(1 << n)
    for mask in range(1, 1 << n):
        units = [i for i in range(n) if mask >> i & 1]
        reach, stack = {units[0]}, [units[0]]
        while stack:
            u = stack.pop()
            for a, b in problem.edges:
                for s, t in ((a, b), (b, a)):
                    if s == u and mask >> t & 1 and t not in reach:
                        reach.add(t)
                        stack.append(t)
        connected[mask] = len(reach) == len(units)
        sub = d[np.ix_(units, units)]
        value[mask] = sub.max() if problem.objective == "diameter" else (problem.weight[units] @ sub).min()
    return connected, value


def brute(problem: TerritoryProblem, tolerance_only: bool = False) -> tuple[float, np.ndarray | None]:
    """Optimum and an optimal plan by enumerating all p^n assignments (inf, None when infeasible).

    With ``tolerance_only`` the value minimised is the smallest common tolerance the plan meets.
    """
    n, p = problem.n, problem.p
    plans = np.array(list(itertools.product(range(p), repeat=n)))
    member = plans[:, None, :] == np.arange(p)[None, :, None]  # (plans, p, n)
    masks = (member * (1 << np.arange(n))).sum(axis=2)
    ok = member.any(axis=2).all(axis=1)
    totals = member.astype(float) @ problem.activity  # (plans, p, m)
    mu = problem.targets
    dev = np.abs(totals - mu) / mu
    if not tolerance_only:
        ok &= np.all((dev <= problem.tolerance_array + 1e-12) | ~problem.balanced, axis=(1, 2))
    locked = problem.locks >= 0
    ok &= np.all(plans[:, locked] == problem.locks[locked], axis=1)
    had = problem.previous >= 0
    moved = (plans != problem.previous) & had
    ok &= moved.astype(float) @ problem.move_basis_weight <= problem.move_budget + 1e-9
    connected, value = _subsets(problem)
    if problem.contiguous:
        ok &= connected[masks].all(axis=1)
    if tolerance_only:
        score = dev[:, :, problem.balanced].max(axis=(1, 2))
    elif problem.objective == "home":
        assert problem.homes is not None
        cost = problem.weight[:, None] * np.sqrt(
            ((problem.xy[:, None] - problem.homes[None]) ** 2).sum(axis=2)
        )
        score = cost[np.arange(n), plans].sum(axis=1)
    elif problem.objective == "median":
        score = value[masks].sum(axis=1)
    else:
        score = value[masks].max(axis=1)
    if not tolerance_only:
        score = score + problem.disruption_weight * (moved.astype(float) @ problem.move_weight)
    if not ok.any():
        return np.inf, None
    best = int(np.flatnonzero(ok)[np.argmin(score[ok])])
    return float(score[best]), plans[best]


def brute_tolerance(problem: TerritoryProblem) -> float:
    """Smallest common tolerance over all plans meeting every other rule."""
    return brute(problem, tolerance_only=True)[0]


CASES = [
    (obj, cont, seed) for obj in ("home", "median", "diameter") for cont in (True, False) for seed in (1, 2)
]


@pytest.fixture(scope="module")
def optima() -> dict[tuple[str, bool, int], tuple[TerritoryProblem, float]]:
    out = {}
    for obj, cont, seed in CASES:
        problem = tiny(seed, objective=obj, contiguous=cont)
        out[(obj, cont, seed)] = (problem, brute(problem)[0])
    return out


@pytest.mark.parametrize(("objective", "contiguous", "seed"), CASES)
def test_exact_model_finds_the_brute_force_optimum(optima, objective, contiguous, seed) -> None:  # type: ignore[no-untyped-def]
    problem, best = optima[(objective, contiguous, seed)]
    result = solve_territories(problem, OPTIONS)
    assert result.info.status is SolveStatus.OPTIMAL
    assert result.info.objective == pytest.approx(best, rel=1e-7)
    assert result.info.bound is not None and result.info.bound <= best + 1e-6


@pytest.mark.parametrize(("objective", "contiguous", "seed"), CASES)
def test_search_reaches_the_optimum_and_its_bound_holds(optima, objective, contiguous, seed) -> None:  # type: ignore[no-untyped-def]
    problem, best = optima[(objective, contiguous, seed)]
    result = solve_territories(problem, OPTIONS, HEURISTIC)
    assert result.feasible and result.assignment is not None
    assert check_plan(problem, result.assignment).feasible
    assert result.info.objective == pytest.approx(best, rel=1e-7)  # tiny: the multistart finds it
    assert result.info.bound is not None and result.info.bound <= best + 1e-6


def test_relaxation_bounds_never_exceed_the_optimum(optima) -> None:  # type: ignore[no-untyped-def]
    for (objective, _, _), (problem, best) in optima.items():
        if objective == "home":
            value = home_bound(problem, 10).value
        elif objective == "median":
            value = median_bound(problem, best, 10).value
        else:
            value = diameter_bound(problem).value
        assert value is not None and value <= best + 1e-6


def test_disk_screen_skips_only_units_that_cannot_raise_the_lens_bound() -> None:
    """A unit the disk screen marks filled at diameter D has a set of diameter ≤ D around it holding every
    L_e (brute force over its subsets), so its D_i ≤ D and the lens search may skip it; on 60-unit
    instances the screen leaves the units of largest D_i, and the bound with the screen equals the
    largest D_i over all units (the maximum it stands for)."""
    from scipy.spatial import cKDTree

    from salesplan.optimizer.territories.districting.bounds import _disk_filled, _lens_diameter

    for seed in range(1, 5):
        problem = tiny(seed, n=10, p=3, objective="diameter", contiguous=False, tolerance=0.2)
        least = (1 - problem.tolerance_array) * problem.targets * (1 - 1e-12)
        d = np.sqrt(((problem.xy[:, None] - problem.xy[None]) ** 2).sum(axis=2))
        tree = cKDTree(problem.xy)
        for diameter in (20.0, 40.0, 60.0, 80.0):
            filled = _disk_filled(problem.xy, tree, problem.activity, least, diameter, np.arange(problem.n))
            for i in np.flatnonzero(filled):
                others = [j for j in range(problem.n) if j != i]
                smallest = min(
                    float(d[np.ix_(units, units)].max())
                    for size in range(problem.n)
                    for rest in itertools.combinations(others, size)
                    if (problem.activity[(units := [i, *rest])].sum(axis=0) >= least).all()
                )
                assert smallest <= diameter + 1e-9
    for seed in range(1, 4):
        problem = tiny(seed, n=60, p=6, objective="diameter", contiguous=False, tolerance=0.1)
        least = (1 - problem.tolerance_array) * problem.targets * (1 - 1e-12)
        weight = np.column_stack([problem.activity, (problem.activity / least).sum(axis=1)])
        need = np.append(least, 2 * (1 - 1e-12))
        every = max(
            _lens_diameter(
                problem.xy[np.r_[i, np.delete(np.arange(problem.n), i)]],
                weight[np.r_[i, np.delete(np.arange(problem.n), i)]],
                need,
                0.0,
                1e6,
                np.inf,
            )
            for i in range(problem.n)
        )
        bound = diameter_bound(problem, None, 60.0)
        assert bound.value is not None
        assert bound.value >= every - 1e-9


def median_lp(problem: TerritoryProblem) -> float:
    """LP relaxation of the balanced p-median (``lagrangian``'s model, x_jj standing for y_j), by HiGHS."""
    n, p = problem.n, problem.p
    d = np.sqrt(((problem.xy[:, None] - problem.xy[None]) ** 2).sum(axis=2))
    var = np.arange(n * n).reshape(n, n)  # x[i, j]: unit i served by centre j
    rows, cols, vals, rhs = [], [], [], []
    for i in range(n):  # (3) served by an open centre only
        for j in range(n):
            if i != j:
                rows += [len(rhs), len(rhs)]
                cols += [var[i, j], var[j, j]]
                vals += [1.0, -1.0]
                rhs.append(0.0)
    for e in np.flatnonzero(problem.balanced):  # (4), (5) balance of an open centre's territory
        t = problem.tolerance_array[e]
        for j in range(n):
            for sign, band in ((1.0, 1 + t), (-1.0, 1 - t)):
                share = sign * problem.activity[:, e]
                share = share - np.where(np.arange(n) == j, sign * band * problem.targets[e], 0.0)
                rows += [len(rhs)] * n
                cols += list(var[:, j])
                vals += list(share)
                rhs.append(0.0)
    a_ub = coo_matrix((vals, (rows, cols)), shape=(len(rhs), n * n))
    a_eq = np.zeros((n + 1, n * n))
    for i in range(n):  # (1) every unit served once
        a_eq[i, var[i]] = 1.0
    a_eq[n, np.diag(var)] = 1.0  # (2) p centres
    res = linprog(
        (problem.weight[:, None] * d).ravel(),
        A_ub=a_ub.tocsr(),
        b_ub=np.array(rhs),
        A_eq=a_eq,
        b_eq=np.append(np.ones(n), p),
        bounds=(0, 1),
        method="highs",
    )
    assert res.status == 0
    return float(res.fun)


def test_median_lagrangian_is_below_the_lp_at_any_multipliers_and_reaches_it() -> None:
    """Weak duality at random (λ, π ≥ 0): L ≤ LP ≤ optimum without contiguity; the ascent gets close to
    the LP (the Lagrangian dual equals it: the subproblem without rows (1), (4), (5) is integral)."""
    rng = np.random.default_rng(5)
    for seed in range(1, 7):
        problem = tiny(seed, n=9, p=3, contiguous=False, tolerance=0.15, weight=rng.uniform(0.5, 2.0, 9))
        best, _ = brute(problem)
        lp = median_lp(problem)
        assert lp <= best + 1e-6
        n, p = problem.n, problem.p
        d = np.sqrt(((problem.xy[:, None] - problem.xy[None]) ** 2).sum(axis=2))
        cwt = np.ascontiguousarray((problem.weight[:, None] * d).T)
        act = np.ascontiguousarray(problem.activity / problem.targets)
        tol = problem.tolerance_array
        for _ in range(20):
            lam = rng.uniform(0, 2, n) * d.mean()
            pp, pm = rng.exponential(d.mean(), (n, 2)), rng.exponential(d.mean(), (n, 2))
            g = np.empty(n), np.empty((n, 2)), np.empty((n, 2))
            value = lagrangian_step(cwt, act, 1 - tol, 1 + tol, lam, pp, pm, p, *g)
            # the module docstring's formula, with numpy (c[j, i]: the kernel reads the matrix transposed)
            c = cwt - lam[None, :] + (pp - pm) @ act.T
            rho = (pm @ (1 - tol) - pp @ (1 + tol)) + np.minimum(0.0, c).sum(axis=1)
            rho += np.diag(c) - np.minimum(0.0, np.diag(c))  # a centre serves itself at any cost
            assert value == pytest.approx(lam.sum() + np.sort(rho)[:p].sum(), rel=1e-9, abs=1e-9)
            assert value <= lp + 1e-6 * max(1.0, abs(lp))
        bound = median_bound(problem, best, 600).value
        assert bound is not None and bound <= lp + 1e-6 * lp
        assert bound >= 0.95 * lp  # 0.974–1.0 of it on these six


def test_lp_and_fix_keeps_the_lps_whole_units_and_never_beats_the_optimum() -> None:
    fixed_some = 0
    for seed in range(1, 9):
        problem = tiny(seed, n=9, p=3, objective="home", contiguous=False, tolerance=0.2)
        best, _ = brute(problem)
        relaxed = home_bound(problem, 10)
        assert relaxed.solution is not None
        outcome, plan = _lp_and_fix(problem, relaxed, TerritorySettings(), OPTIONS, 10)
        assert plan is not None
        whole = relaxed.solution.max(axis=1) >= 1 - 1e-6
        if outcome is None:  # no plan with those units fixed: the rounded LP, for the search to balance
            assert np.array_equal(plan, relaxed.solution.argmax(axis=1))
            continue
        fixed_some += 1
        assert np.array_equal(plan[whole], relaxed.solution.argmax(axis=1)[whole])
        assert check_plan(problem, plan).feasible
        assert outcome.objective is not None and outcome.objective >= best - 1e-6
        assert relaxed.value is not None and relaxed.value <= best + 1e-6
    assert fixed_some >= 4


def test_locks_previous_plan_and_cap_match_brute_force() -> None:
    base = tiny(7, n=8, p=2, objective="home", tolerance=0.3)
    previous = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    locks = np.array([1, -1, -1, -1, -1, -1, -1, 0])
    value = np.array([5.0, 1, 1, 2, 1, 3, 1, 1])
    for cap, lam in ((0.5, 2.0), (1.0, 0.0), (0.3, 10.0)):
        problem = TerritoryProblem(
            xy=base.xy,
            activity=base.activity,
            tolerance=base.tolerance,
            p=2,
            objective="home",
            homes=base.homes,
            edges=base.edges,
            contiguous=True,
            locks=locks,
            previous=previous,
            move_weight=value,
            disruption_weight=lam,
            max_moved_share=cap,
        )
        best, _ = brute(problem)
        for settings in (None, HEURISTIC):
            result = solve_territories(problem, OPTIONS, settings)
            if not np.isfinite(best):
                assert not result.feasible
                continue
            assert result.assignment is not None
            chk = check_plan(problem, result.assignment)
            assert chk.feasible and chk.moved_share <= cap + 1e-9
            assert np.all(result.assignment[locks >= 0] == locks[locks >= 0])
            assert result.info.objective == pytest.approx(best, rel=1e-7)


def test_smallest_tolerance_is_exact_feasible_and_tight() -> None:
    problem = tiny(11, n=8, p=3, objective="median", tolerance=0.02)
    tau = brute_tolerance(problem)
    assert tau > 0.02  # the instance is infeasible as given
    result = solve_territories(problem, OPTIONS)
    assert result.info.status is SolveStatus.INFEASIBLE and result.assignment is None
    assert result.smallest_tolerance is not None
    assert result.smallest_tolerance[0] == pytest.approx(tau, rel=1e-6)
    assert result.closest_plan is not None
    assert plan_tolerance(problem, result.closest_plan) == pytest.approx(tau, rel=1e-6)
    assert result.infeasibilities and "±" in result.infeasibilities[0].suggestion
    met = solve_territories(problem.with_tolerance([tau * (1 + 1e-6)] * 2), OPTIONS)
    assert met.feasible
    short = solve_territories(problem.with_tolerance([tau * (1 - 1e-3)] * 2), OPTIONS)
    assert short.info.status is SolveStatus.INFEASIBLE


def test_one_unit_above_a_territory_share_is_explained_without_search() -> None:
    rng = np.random.default_rng(5)
    n, p = 60, 4
    activity = rng.uniform(1, 2, (n, 1))
    activity[17, 0] = 40.0  # total ≈ 130, target ≈ 32: unit 17 alone is ≈ 123 % of a share
    problem = TerritoryProblem(
        xy=rng.uniform(0, 50, (n, 2)),
        activity=activity,
        tolerance=(0.1,),
        p=p,
        objective="median",
        contiguous=True,
    )
    result = solve_territories(problem, OPTIONS, HEURISTIC)
    assert result.info.status is SolveStatus.INFEASIBLE
    floor = 40.0 / problem.targets[0] - 1.0
    assert result.infeasibilities[0].shortfall == pytest.approx(100 * (floor - 0.1), rel=1e-9)
    assert "unit 17" in result.infeasibilities[0].suggestion


def test_checker_catches_every_kind_of_violation() -> None:
    problem = tiny(
        3, n=8, p=2, objective="diameter", tolerance=0.2, locks=np.array([0, -1, -1, -1, -1, -1, -1, -1])
    )
    _, plan = brute(problem)
    assert plan is not None and check_plan(problem, plan).feasible
    broken = plan.copy()
    broken[0] = 1 - broken[0]
    assert check_plan(problem, broken).lock_violations == (0,)
    chk = check_plan(problem, np.array([0] * 7 + [1]))
    assert chk.balance_violations > 0 and not chk.feasible
    line = TerritoryProblem(
        xy=np.array([[0.0, 0], [1, 0], [2, 0], [3, 0]]),
        activity=np.ones((4, 1)),
        tolerance=(0.0,),
        p=2,
        objective="median",
        edges=np.array([[0, 1], [1, 2], [2, 3]]),
        contiguous=True,
    )
    assert check_plan(line, np.array([0, 1, 1, 0])).disconnected == (0,)
    assert check_plan(line, np.array([0, 0, 1, 1])).feasible


def test_lens_bound_is_the_smallest_diameter_of_a_territory_around_each_unit() -> None:
    """For every unit i, the lens search's D_i lies between the brute-force smallest diameter of a set
    S ∋ i holding L_e of one measure (the search is exact per measure) and of all measures at once (a
    territory holds them all); the whole diameter bound stays at or below the brute-force optimum."""
    from salesplan.optimizer.territories.districting.bounds import _lens_diameter

    checked = 0
    for seed in range(1, 7):
        problem = tiny(seed, n=10, p=3, objective="diameter", contiguous=False, tolerance=0.2)
        if seed == 6:  # one heavy unit: its own territory may be itself alone (diameter 0)
            problem = replace(problem, activity=problem.activity * np.r_[8.0, np.ones(9)][:, None])
        n = problem.n
        least = (1 - problem.tolerance_array) * problem.targets * (1 - 1e-12)
        d = np.sqrt(((problem.xy[:, None] - problem.xy[None]) ** 2).sum(axis=2))
        weight = np.column_stack([problem.activity, (problem.activity / least).sum(axis=1)])
        need = np.append(least, 2 * (1 - 1e-12))
        for i in range(n):
            one_measure, all_measures = np.full(2, np.inf), np.inf
            others = [j for j in range(n) if j != i]
            for size in range(n):
                for rest in itertools.combinations(others, size):
                    units = [i, *rest]
                    diameter = float(d[np.ix_(units, units)].max())
                    held = problem.activity[units].sum(axis=0) >= least
                    one_measure = np.where(held, np.minimum(one_measure, diameter), one_measure)
                    if held.all():
                        all_measures = min(all_measures, diameter)
            local = np.array([i, *others])
            lens = _lens_diameter(problem.xy[local], weight[local], need, 0.0, 1e6, np.inf)
            assert one_measure.max() - 1e-9 <= lens <= all_measures + 1e-9
            checked += 1
        best, _ = brute(problem)
        bound = diameter_bound(problem)
        assert bound.value is not None and bound.value <= best + 1e-6
    assert checked == 60


def test_an_unproven_balance_says_whether_the_clock_or_the_budget_ended_the_search() -> None:
    """No plan within the tolerance and none proven impossible: the line says that the time limit stopped
    the search when it did, and gives no 'short by 0.0' when no plan was found at all."""
    from salesplan.optimizer.result import Fix, Infeasibility
    from salesplan.optimizer.words import infeasibility_text

    def item(shortfall: float, clock: bool) -> str:
        return infeasibility_text(Infeasibility.of(
            "balance", {"region": "G002"}, shortfall,
            "percentage points of tolerance (none found, none proven impossible)", (Fix("set", "option:--time-limit"),),
            measure="workload", tolerance=0.2, floor=0.0, achieved=0.26 if shortfall else math.inf, proven=False,
            exact=False, clock=clock,
        ))  # fmt: skip

    nothing = item(0.0, True)
    assert nothing.startswith(
        "region G002: balance of workload, none found — the time limit stopped the search"
    )
    assert "short by" not in nothing and "raise --time-limit" in nothing
    budget = item(6.0, False)
    assert "is short by 6.0 percentage points" in budget and "in the search's work budget" in budget
    assert "±26" in budget  # what the plan found meets
