"""Territory alignment on scenarios (optimizer/territories/): brute-force optima, hard rules, reasons."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from typing import Any

import numpy as np
import pytest

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.result import SolverOptions, SolveStatus
from salesplan.optimizer.territories.problem import build_region_inputs, planned_visits
from salesplan.optimizer.territories.realign import Move, Realignment, move_reasons
from salesplan.optimizer.territories.solve import run_territories
from salesplan.optimizer.travel import great_circle_km
from salesplan.scenarios import Account, Adjacency, Horizon, Policy, Rep, Scenario

OPTIONS = SolverOptions(time_limit_seconds=20.0, seed=3)
EARTH_KM = 6371.0088

REPS = [  # id, region, home lat, home lon
    ("N1", "N", 31.00, 121.00), ("N2", "N", 31.00, 121.60),
    ("S1", "S", 30.00, 120.00), ("S2", "S", 30.30, 120.00),
]  # fmt: skip
ACCOUNTS = [  # id, region, lat, lon, sales, tier, current rep, locked rep, current visits
    ("a1", "N", 31.02, 121.05, 5e6, "A", "N1", None, 4),
    ("a2", "N", 31.05, 121.15, 2e6, "B", "N1", None, 2),
    ("a3", "N", 30.98, 121.30, 1e6, "B", "N1", None, 2),
    ("a4", "N", 31.03, 121.50, 3e6, "A", "N1", None, 3),
    ("a5", "N", 31.00, 121.58, 1e6, "C", None, None, 1),
    ("b1", "S", 30.02, 120.02, 2e6, "A", "S1", "S1", 3),
    ("b2", "S", 30.10, 120.01, 1e6, "B", "S1", None, 2),
    ("b3", "S", 30.25, 120.03, 1e6, "B", "N2", None, 2),
    ("b4", "S", 30.31, 120.02, 5e5, "C", "S2", None, 1),
]  # fmt: skip


def tiny(workload: float | None = 0.3, potential: float | None = None, cap: float = 0.5, basis: str = "accounts",
         contiguity: str = "none", adjacency: tuple[tuple[str, str], ...] = ()) -> Scenario:  # fmt: skip
    """Two regions, four reps, nine accounts: N1 holds all of N, b3 sits with N2 of the other region."""
    policy: dict[str, Any] = {
        "tiers": {"method": "given"},
        "travel": {"detour_factor": 1.3, "speed_kmh": 40.0},
        "balance": {
            "workload_tolerance": workload,
            "potential_tolerance": potential,
            "contiguity": contiguity,
        },
        "reassignment": {"max_moved_share": cap, "basis": basis},
    }
    return Scenario(
        name="tiny",
        horizon=Horizon(start=dt.date(2026, 1, 5)),
        policy=Policy.model_validate(policy),
        regions=(),
        reps=tuple(Rep(id=r, region=g, home_lat=la, home_lon=lo, hours_per_week=40) for r, g, la, lo in REPS),
        accounts=tuple(
            Account(
                id=a,
                region=g,
                lat=la,
                lon=lo,
                current_sales=s,
                tier=t,
                current_rep=c,
                locked_rep=k,
                current_visits_per_month=v,
                visit_minutes=60,
            )
            for a, g, la, lo, s, t, c, k, v in ACCOUNTS
        ),
        adjacency=tuple(Adjacency(a=a, b=b) for a, b in adjacency),
    )


# ---- an independent re-derivation of the model of territories/problem.py, for the brute force ----------


def _visits(tier: str, current: float) -> float:
    low, high = {"A": (2, 8), "B": (1, 4), "C": (0, 2)}[tier]  # the policy's default tier ranges
    return float(min(max(current, low), high))


def _plane_km(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    x = EARTH_KM * np.radians(lon - lon0) * math.cos(math.radians(lat0))
    y = EARTH_KM * np.radians(lat - lat0)
    return np.column_stack([x, y])


def _connected(members: list[int], accounts: list[Account], scenario: Scenario) -> bool:
    """Members (indices into accounts) form one component over the scenario's adjacency rows."""
    ids = {accounts[i].id for i in members}
    reached = {accounts[members[0]].id}
    grew = True
    while grew:
        grew = False
        for row in scenario.adjacency:
            for u, v in ((row.a, row.b), (row.b, row.a)):
                if u in reached and v in ids and v not in reached:
                    reached.add(v)
                    grew = True
    return reached == ids


def brute_force(scenario: Scenario, region: str) -> tuple[float, tuple[str, ...]] | None:
    """(objective, reps in account order) of the best plan of one region, or None when none is feasible."""
    policy = scenario.policy
    detour, speed = policy.travel.detour_factor, policy.travel.speed_kmh
    accounts = [a for a in scenario.accounts if a.region == region]
    reps = [r for r in scenario.reps if r.region == region]
    lat = np.array([a.lat for a in accounts])
    lon = np.array([a.lon for a in accounts])
    visits = np.array([_visits(a.tier or "C", a.current_visits_per_month or 0.0) for a in accounts])
    hop = np.array([
        min(detour * great_circle_km(a.lat, a.lon, b.lat, b.lon) * 60 / speed for b in accounts if b is not a)
        for a in accounts
    ])  # fmt: skip
    workload = visits * (60.0 + hop) / 60.0
    potential = np.array([a.sales_potential for a in accounts])
    xy = detour * _plane_km(lat, lon, lat.mean(), lon.mean())
    homes = detour * _plane_km(np.array([r.home_lat for r in reps]), np.array([r.home_lon for r in reps]),
                               lat.mean(), lon.mean())  # fmt: skip
    dist = np.sqrt(((xy[:, None, :] - homes[None, :, :]) ** 2).sum(axis=2))
    weight = np.maximum(visits, 1.0 / scenario.horizon.months)
    value = np.array([a.current_sales for a in accounts])
    ids = [r.id for r in reps]
    prev = [ids.index(a.current_rep) if a.current_rep in ids else -1 for a in accounts]
    ref = [dist[i, prev[i]] if prev[i] >= 0 else dist[i].min() for i in range(len(accounts))]
    lam = float(np.mean(weight * np.array(ref)) / np.mean(value))
    kept = [i for i in range(len(accounts)) if prev[i] >= 0]
    p = len(reps)
    best: tuple[float, tuple[str, ...]] | None = None
    for plan in itertools.product(range(p), repeat=len(accounts)):
        if len(set(plan)) < p:
            continue
        if any(
            a.locked_rep is not None and ids[k] != a.locked_rep for a, k in zip(accounts, plan, strict=True)
        ):
            continue
        ok = True
        for measure, tol in ((workload, policy.balance.workload_tolerance),
                             (potential, policy.balance.potential_tolerance)):  # fmt: skip
            if tol is None:
                continue
            mu = measure.sum() / p
            totals = np.bincount(plan, weights=measure, minlength=p)
            ok &= bool(np.all(np.abs(totals - mu) <= tol * mu + 1e-9))
        moved = [i for i in kept if plan[i] != prev[i]]
        basis = np.ones(len(accounts)) if policy.reassignment.basis == "accounts" else value
        if kept and basis[moved].sum() > policy.reassignment.max_moved_share * basis[kept].sum() + 1e-9:
            ok = False
        if ok and policy.balance.contiguity == "table":
            ok = all(
                _connected([i for i, k in enumerate(plan) if k == t], accounts, scenario) for t in range(p)
            )
        if not ok:
            continue
        objective = sum(weight[i] * dist[i, k] for i, k in enumerate(plan)) + lam * value[moved].sum()
        if best is None or objective < best[0] - 1e-9:
            best = (float(objective), tuple(ids[k] for k in plan))
    return best


@pytest.mark.parametrize(
    ("workload", "potential", "cap", "basis"),
    [(0.3, None, 0.5, "accounts"), (1.0, None, 1.0, "accounts"), (0.15, 0.5, 0.5, "accounts"),
     (0.3, 0.6, 0.3, "value"), (0.6, None, 0.0, "accounts"), (0.02, None, 1.0, "accounts")],
)  # fmt: skip
def test_tiny_scenario_matches_brute_force(
    workload: float, potential: float | None, cap: float, basis: str
) -> None:
    scenario = tiny(workload, potential, cap, basis)
    result = run_territories(compile_scenario(scenario), OPTIONS)
    best = {g: brute_force(scenario, g) for g in ("N", "S")}
    by_region = {r.region: r for r in result.regions}
    for g, answer in best.items():
        info = by_region[g].info
        if answer is None:
            assert info.status is SolveStatus.INFEASIBLE
            assert by_region[g].infeasibilities, "an infeasible region says why"
            continue
        assert info.status is SolveStatus.OPTIMAL
        assert info.objective == pytest.approx(answer[0], rel=1e-6)
        got = tuple(a.rep_id for a in result.accounts if a.region == g)
        assert got == answer[1]
    if all(answer is not None for answer in best.values()):
        assert result.info.objective == pytest.approx(sum(a[0] for a in best.values() if a), rel=1e-6)
        assert result.info.status is SolveStatus.OPTIMAL
    else:
        assert not result.feasible and result.infeasibilities


def test_region_inputs_split_by_region_with_forced_and_new_accounts() -> None:
    scenario = tiny()
    inputs = {
        r.region: r
        for r in build_region_inputs(compile_scenario(scenario), planned_visits(compile_scenario(scenario)))
    }
    north, south = inputs["N"], inputs["S"]
    assert north.rep_ids == ("N1", "N2") and south.rep_ids == ("S1", "S2")
    assert north.origin == ("kept", "kept", "kept", "kept", "new")
    assert south.origin == ("kept", "kept", "other_region", "kept")
    assert list(south.previous) == [0, 0, -1, 1]
    assert south.problem is not None and list(south.problem.locks) == [0, -1, -1, -1]
    assert (
        planned_visits(compile_scenario(scenario))["a5"] == 1.0
        and planned_visits(compile_scenario(scenario))["a1"] == 4.0
    )
    assert planned_visits(compile_scenario(scenario), {"a1": 7.0})["a1"] == 7.0


def test_reasons_name_the_imbalance_and_the_forced_moves() -> None:
    result = run_territories(compile_scenario(tiny(0.3, None, 0.5)), OPTIONS)
    reasons = {a.account_id: a.reason for a in result.accounts}
    moved_north = [a for a in result.accounts if a.region == "N" and a.moved]
    assert moved_north, "N1 holds the whole region: something must move to N2"
    for account in moved_north:
        assert account.reason.startswith("from N1 (workload +") and "over target" in account.reason
    assert reasons["b1"] == "locked to S1"
    assert reasons["b3"].startswith("its rep N2 works in region N")
    assert reasons["a5"].startswith("new account")
    changes = {a.account_id for a in result.changes()}
    assert {"b3", "a5"} <= changes


@pytest.mark.parametrize(
    ("workload", "potential", "cap", "region"), [(0.15, 0.5, 0.5, "S"), (0.6, None, 0.0, "N")]
)
def test_infeasible_region_names_the_smallest_tolerance_and_the_smallest_cap(
    workload: float, potential: float | None, cap: float, region: str
) -> None:
    result = run_territories(compile_scenario(tiny(workload, potential, cap)), OPTIONS)
    assert not result.feasible
    fixes = [f for item in result.infeasibilities if item.ids.get("region") == region for f in item.fixes]
    tolerance = next(
        float(f.value) for f in fixes if f.target == "policy.balance.workload_tolerance" and f.value
    )
    assert brute_force(tiny(tolerance + 1e-4, potential, cap), region) is not None, (
        "that tolerance can be met"
    )
    assert brute_force(tiny(tolerance - 5e-3, potential, cap), region) is None, "a smaller one cannot"
    smallest = next(
        float(f.value) for f in fixes if f.target == "policy.reassignment.max_moved_share" and f.value
    )
    assert brute_force(tiny(workload, potential, smallest), region) is not None, "that cap is enough"
    assert brute_force(tiny(workload, potential, smallest - 0.01), region) is None, "a smaller one is not"


CHAIN = (("a1", "a3"), ("a3", "a2"), ("a2", "a4"), ("a4", "a5"),
         ("b1", "b3"), ("b3", "b2"), ("b2", "b4"), ("a5", "b1"))  # fmt: skip


@pytest.mark.parametrize("cap", [0.5, 1.0])
def test_table_contiguity_matches_brute_force_and_ignores_rows_across_regions(cap: float) -> None:
    scenario = tiny(0.3, None, cap, contiguity="table", adjacency=CHAIN)
    inputs = {
        r.region: r
        for r in build_region_inputs(compile_scenario(scenario), planned_visits(compile_scenario(scenario)))
    }
    north, south = inputs["N"].problem, inputs["S"].problem
    assert north is not None and south is not None and north.contiguous
    assert north.edges.tolist() == [[0, 2], [1, 2], [1, 3], [3, 4]]
    assert south.edges.tolist() == [[0, 2], [1, 2], [1, 3]], "the a5–b1 row crosses regions: ignored"
    result = run_territories(compile_scenario(scenario), OPTIONS)
    for g in ("N", "S"):
        answer = brute_force(scenario, g)
        region = next(r for r in result.regions if r.region == g)
        if answer is None:
            assert not region.info.status.has_solution and region.infeasibilities
            continue
        assert region.info.objective == pytest.approx(answer[0], rel=1e-6)
        assert answer != brute_force(tiny(0.3, None, cap), g), "contiguity changes the optimum here"


def test_a_dealer_beyond_its_reps_day_trip_moves_to_a_rep_who_reaches_it_outside_the_move_budget() -> None:
    """W1 and W2 live about 330 km apart (a 10.7 h drive at 40 km/h and detour 1.3); w1 sits next to W2 but
    belongs to W1. With no move budget at all, w1 still goes to W2: the move buys reach, it is forced."""
    base = tiny(workload=None, cap=0.0)
    reps = (
        *base.reps,
        Rep(id="W1", region="W", home_lat=30.0, home_lon=118.0, hours_per_week=40),
        Rep(id="W2", region="W", home_lat=33.0, home_lon=118.0, hours_per_week=40),
    )
    far = dict(
        region="W",
        current_sales=1e6,
        tier="B",
        current_rep="W1",
        current_visits_per_month=2,
        visit_minutes=60,
    )
    accounts = (
        *base.accounts,
        Account(id="w1", lat=33.01, lon=118.01, **far),  # type: ignore[arg-type]
        Account(id="w2", lat=30.01, lon=118.01, **far),  # type: ignore[arg-type]
    )
    data = compile_scenario(base.model_copy(update={"reps": reps, "accounts": accounts}))
    inputs = {r.region: r for r in build_region_inputs(data, planned_visits(data))}
    assert inputs["W"].origin == ("out_of_reach", "kept")
    result = run_territories(data, OPTIONS)
    plan = {a.account_id: a for a in result.accounts}
    assert plan["w1"].rep_id == "W2" and plan["w2"].rep_id == "W1"
    assert plan["w1"].reason.startswith("its rep W1 cannot reach it in a day trip (")
    assert all(not a.moved for a in result.accounts if a.region == "N"), "no budget: nothing else moves"
    west = next(r for r in result.regions if r.region == "W")
    assert west.chosen_moves == 0 and west.forced_moves == 1 and west.moved_share == 0.0


def test_move_reasons_tell_minimums_kept_from_value_and_use_each_accounts_last_move() -> None:
    """A move that keeps tier minimums at a loss of profit is not "for value"; an account moved twice is
    described by its last move's own figures (they were summed over every move that touched it)."""
    moves = (
        Move("move", "A1", "R1", "R2", -5_685.0, recovered=120.0),  # minimums kept, profit falls
        Move("move", "A2", "R1", "R2", 900.0),  # value alone
        Move("reach", "A3", "R3", "R1", -87.0),
        Move("move", "A3", "R1", "R2", 400.0),  # A3 moves on
        Move("swap", "A4", "R2", "R1", 250.0, partner="A5"),
    )
    realignment = Realignment(
        rep_of={"A1": "R2", "A2": "R2", "A3": "R2", "A4": "R1", "A5": "R2"},
        moves=moves, value_before=0.0, value_after=0.0, short_before=0.0, short_after=0.0,
        proven=True, evaluated=5, travel={}, stuck={}, bound=None,
    )  # fmt: skip
    before = {"A1": "R1", "A2": "R1", "A3": "R3", "A4": "R2", "A5": "R1"}
    reasons = move_reasons(realignment, before, "CNY")
    assert reasons["A1"].startswith("moved to R2 so that more tier-minimum visits can be made")
    assert "the move keeps 2.0 h/month more of tier-minimum visits" in reasons["A1"]
    assert "profit changes by -5,685 CNY/month" in reasons["A1"]
    assert reasons["A2"].startswith("moved for value to R2: the call plan earns +900 CNY/month more")
    assert "+400 CNY/month more" in reasons["A3"] and reasons["A3"].endswith(
        "(moved 2 times in this re-alignment, from R3)"
    )
    assert "-87" not in reasons["A3"] and "+313" not in reasons["A3"]  # not the sum of both moves
    assert reasons["A4"].startswith("swapped with A5 (to R1)") and reasons["A5"].startswith("swapped with A4")
    assert all("earns -" not in text for text in reasons.values())
