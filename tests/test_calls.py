"""Call planning on scenarios: plan_calls, infeasibility, explanations, sizing (optimizer/calls/)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplan.optimizer.calls import build_problem, plan_calls, sizing_curve
from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.result import SolverOptions, SolveStatus
from salesplan.scenarios import Absence, Account, Horizon, Policy, Rep, Scenario, load_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
OPTIONS = SolverOptions(time_limit_seconds=30)
POLICY = {
    "tiers": {
        "method": "given",
        "visits": {"A": {"min": 2, "max": 5}, "B": {"min": 1, "max": 4}, "C": {"min": 0, "max": 3}},
    },
    "economics": {"cost_per_hour": 200.0, "default_margin": 0.3},
    "response": {
        "max_visits_per_month": 5,
        "by_tier": {"A": {"at_zero": 0.45, "at_half": 0.55, "at_150": 1.25, "at_saturation": 1.4}},
    },
}


def tiny(hours: float = 20.0, absences: tuple[Absence, ...] = (), locked_rep: str | None = None) -> Scenario:
    """Two reps and six accounts, all at one spot (no travel), so a visit takes its visit minutes."""
    reps = tuple(
        Rep(id=rid, region="N", home_lat=31.2, home_lon=121.4, hours_per_month=hours, selling_share=1.0)
        for rid in ("R1", "R2")
    )
    rows = [
        ("A1", "A", 4e6, "R1", 120),
        ("B1", "B", 1.5e6, "R1", 90),
        ("C1", "C", 4e5, "R1", 60),
        ("A2", "A", 2e6, "R2", 120),
        ("B2", "B", 9e5, "R2", 60),
        ("C2", "C", 3e5, "R2", 60),
    ]
    accounts = tuple(
        Account(
            id=aid,
            region="N",
            lat=31.2,
            lon=121.4,
            current_sales=sales,
            tier=tier,
            current_rep=rep,
            locked_rep=locked_rep if aid == "C1" else None,
            visit_minutes=minutes,
            current_visits_per_month=2,
        )
        for aid, tier, sales, rep, minutes in rows
    )
    return Scenario(
        name="tiny",
        horizon=Horizon(start=dt.date(2026, 1, 5)),
        policy=Policy.model_validate(POLICY),
        regions=(),
        reps=reps,
        accounts=accounts,
        absences=absences,
    )


def brute_force_total(scenario: Scenario) -> float:
    return brute_force_lexicographic(scenario)[1]


def brute_force_lexicographic(scenario: Scenario) -> tuple[float, float]:
    """(fewest minimum-visit minutes missed, then the highest profit), every level combination tried."""
    problem = build_problem(compile_scenario(scenario))
    capacity = problem.capacity_minutes
    missed_total, profit_total = 0.0, 0.0
    for r in range(len(problem.rep_ids)):
        members = np.flatnonzero(problem.rep_of == r)
        best = (np.inf, -np.inf)
        for combo in itertools.product(*[range(0, problem.upper[a] + 1) for a in members]):
            if sum(k * problem.unit[a] for k, a in zip(combo, members, strict=True)) > capacity[r]:
                continue
            missed = sum(
                max(0, problem.lower[a] - k) * problem.unit[a] for k, a in zip(combo, members, strict=True)
            )
            profit = sum(problem.profit[a, k] for k, a in zip(combo, members, strict=True))
            if (missed, -profit) < (best[0], -best[1]):
                best = (missed, profit)
        missed_total += best[0]
        profit_total += best[1]
    return missed_total, profit_total


@pytest.mark.parametrize("hours", [6.0, 9.0, 14.0, 30.0])
def test_tiny_scenario_matches_brute_force(hours: float) -> None:
    scenario = tiny(hours)
    result = plan_calls(compile_scenario(scenario), OPTIONS)
    assert result.info.status is SolveStatus.OPTIMAL
    assert result.info.objective == pytest.approx(brute_force_total(scenario))
    assert result.info.gap == pytest.approx(0.0, abs=1e-9)
    for rep in result.reps:
        assert rep.hours_used <= rep.hours_available + 1e-9
    for plan in result.accounts:
        assert plan.min_visits <= plan.visits_per_month <= plan.max_visits
        assert plan.reason


def test_no_travel_means_visits_cost_their_visit_minutes() -> None:
    problem = build_problem(compile_scenario(tiny()))
    assert problem.unit.tolist() == [120, 90, 60, 120, 60, 60]
    assert problem.travel_minutes.tolist() == [0.0] * 6


def test_tier_minimums_beyond_a_reps_hours_report_the_missing_hours() -> None:
    # R1 needs 2×120 + 1×90 = 330 min at the minimums, R2 2×120 + 60 = 300 min; each has 4.5 h = 270 min
    result = plan_calls(compile_scenario(tiny(4.5)), OPTIONS, strict=True)
    assert result.info.status is SolveStatus.INFEASIBLE
    assert result.planned is None and result.accounts == ()
    short = {item.ids["rep"]: item.shortfall for item in result.infeasibilities}
    assert short == {"R1": pytest.approx(1.0), "R2": pytest.approx(0.5)}
    assert all(item.unit == "hours per month" for item in result.infeasibilities)
    assert "lower the tier-A minimum" in result.infeasibilities[0].suggestion


def test_locked_levels_are_kept() -> None:
    scenario = tiny(30.0)
    free = plan_calls(compile_scenario(scenario), OPTIONS)
    c1 = next(p for p in free.accounts if p.account_id == "C1")
    locked = plan_calls(
        compile_scenario(scenario),
        OPTIONS,
        locked={"C1": c1.visits_per_month + 1 if c1.visits_per_month < 3 else 0},
    )
    got = next(p for p in locked.accounts if p.account_id == "C1")
    assert got.visits_per_month != c1.visits_per_month
    assert got.reason.startswith("locked")
    assert locked.info.objective <= free.info.objective + 1e-6


def test_rep_of_from_the_territory_stage_is_used() -> None:
    scenario = tiny(30.0)
    moved = plan_calls(compile_scenario(scenario), OPTIONS, rep_of={a.id: "R2" for a in scenario.accounts})
    assert {p.rep_id for p in moved.accounts} == {"R2"}
    assert next(r for r in moved.reps if r.rep_id == "R1").hours_used == 0.0


def test_absences_reduce_the_hours_available() -> None:
    days = Horizon(start=dt.date(2026, 1, 5)).working_days()
    away = Absence(rep="R1", start=days[0], end=days[9])  # ten working days
    result = plan_calls(compile_scenario(tiny(20.0, (away,))), OPTIONS)
    r1 = next(r for r in result.reps if r.rep_id == "R1")
    assert r1.hours_available == pytest.approx(20.0 * (len(days) - 10) / len(days))


def test_shadow_price_is_zero_when_hours_are_not_binding() -> None:
    result = plan_calls(compile_scenario(tiny(100.0)), OPTIONS)
    assert all(rep.shadow_price == 0.0 and rep.extra_hour_value == 0.0 for rep in result.reps)
    assert all("maximum" in p.reason or "saturated" in p.reason for p in result.accounts)


def test_sizing_curve_is_consistent() -> None:
    scenario = tiny(9.0)
    sizing = sizing_curve(build_problem(compile_scenario(scenario)), OPTIONS)
    points = [p for p in sizing.points if p.region == "N"]
    assert [p.reps for p in points] == list(range(points[0].reps, points[-1].reps + 1))
    assert all(b.profit >= a.profit - 1e-9 for a, b in itertools.pairwise(points))  # more hours never hurt
    assert all(p.profit == pytest.approx(p.bound) for p in points)
    best = max(points, key=lambda p: p.net_profit)
    assert [p.reps for p in points if p.recommended] == [best.reps]
    assert [p.reps for p in points if p.current] == [2]
    for p in points[1:]:
        assert p.pays_for_itself == (p.marginal_margin >= sizing.rep_cost["N"])


def test_bank_example_top_ten_get_more_than_an_even_share() -> None:
    scenario = load_scenario(EXAMPLES / "bank-key-accounts" / "scenario.yaml")
    result = plan_calls(compile_scenario(scenario), OPTIONS)
    assert result.info.status is SolveStatus.OPTIMAL
    assert result.info.gap is not None and result.info.gap <= 1e-4
    even = {a.current_visits_per_month for a in scenario.accounts}
    assert even == {6.0}  # the current plan spreads visits evenly
    value = {a.id: a.current_sales * scenario.margin_of(a) for a in scenario.accounts}
    top = sorted(value, key=lambda i: -value[i])[:10]
    plans = {p.account_id: p for p in result.accounts}
    assert all(plans[i].visits_per_month > 6 for i in top)
    top_hours = sum(plans[i].hours_per_month for i in top)
    assert top_hours / result.planned.hours_per_month > 10 / 45  # more than an even share of time
    assert all(p.visits_per_month >= p.min_visits for p in result.accounts)
    assert all(r.hours_used <= r.hours_available + 1e-9 for r in result.reps)
    assert result.uplift is not None and result.uplift > 0
    assert result.same_hours is not None and result.same_hours.profit > result.current.profit


def test_examples_either_plan_within_hours_or_explain_per_rep() -> None:
    for name in ("dealer-network", "dealer-network-two-reps-fewer"):
        result = plan_calls(compile_scenario(load_scenario(EXAMPLES / name / "scenario.yaml")), OPTIONS)
        if result.planned is None:
            assert result.infeasibilities and all(i.shortfall > 0 for i in result.infeasibilities)
            continue
        assert all(r.hours_used <= r.hours_available + 1e-9 for r in result.reps)
        assert all(p.visits_per_month >= p.min_visits for p in result.accounts)


@settings(max_examples=25, deadline=None)
@given(st.floats(3.0, 40.0), st.integers(0, 4), st.integers(0, 3))
def test_hours_never_exceeded_or_the_missing_hours_are_reported(hours: float, min_a: int, min_b: int) -> None:
    policy = POLICY | {
        "tiers": {
            "method": "given",
            "visits": {
                "A": {"min": min_a, "max": 5},
                "B": {"min": min_b, "max": 4},
                "C": {"min": 0, "max": 3},
            },
        }
    }
    scenario = tiny(hours).model_copy(update={"policy": Policy.model_validate(policy)})
    problem = build_problem(compile_scenario(scenario))
    result = plan_calls(compile_scenario(scenario), OPTIONS, strict=True)
    relaxed = plan_calls(compile_scenario(scenario), OPTIONS)
    assert relaxed.planned is not None and all(r.hours_used <= r.hours_available + 1e-9 for r in relaxed.reps)
    missed = sum(
        max(0, p.min_visits - p.visits_per_month) * u
        for p, u in zip(relaxed.accounts, problem.unit, strict=True)
    )
    assert (missed, relaxed.info.objective) == pytest.approx(brute_force_lexicographic(scenario))
    need = np.bincount(problem.rep_of, weights=problem.lower * problem.unit, minlength=2)
    capacity = problem.capacity_minutes
    if result.planned is None:
        short = {item.ids["rep"]: item.shortfall for item in result.infeasibilities}
        expected = {
            rep: (need[r] - capacity[r]) / 60
            for r, rep in enumerate(problem.rep_ids)
            if need[r] > capacity[r]
        }
        assert short == pytest.approx(expected)
        return
    assert np.all(need <= capacity)
    assert all(r.hours_used <= r.hours_available + 1e-9 for r in result.reps)
    assert all(p.visits_per_month >= p.min_visits for p in result.accounts)
    assert result.info.objective == pytest.approx(brute_force_total(scenario))


def test_reasons_name_the_binding_rule() -> None:
    result = plan_calls(compile_scenario(tiny(6.0)), OPTIONS)  # R1: 330 of 360 min go to the minimums
    plans = {p.account_id: p for p in result.accounts}
    assert plans["A1"].visits_per_month == 2 and "tier-A minimum of 2 binding" in plans["A1"].reason
    assert any("shadow price" in p.reason or "hours exhausted" in p.reason for p in result.accounts)


def test_tier_minimums_beyond_a_reps_hours_give_the_plan_with_the_smallest_shortfall() -> None:
    # R1 (270 min) keeps A1's 2 × 120 and misses B1's 90; one visit each (120 + 90) would miss 120.
    # R2 (270 min) keeps A2's 2 × 120 and misses B2's 60.
    result = plan_calls(compile_scenario(tiny(4.5)), OPTIONS)
    assert result.planned is not None and result.info.status.has_solution
    levels = {a.account_id: a.visits_per_month for a in result.accounts}
    assert (levels["A1"], levels["B1"], levels["A2"], levels["B2"]) == (2, 0, 2, 0)
    assert {item.ids["rep"] for item in result.shortfall} == {"R1", "R2"}
    assert all(r.hours_used <= r.hours_available + 1e-9 for r in result.reps)
    assert "not met" in next(a.reason for a in result.accounts if a.account_id == "B1")
    assert result.check(compile_scenario(tiny(4.5))) == ()


def test_the_schedule_caps_visits_its_tours_or_days_cannot_hold() -> None:
    """A cap from the schedule (calibrate.most_visits) lowers U_a to ⌊visits / months⌋, never below the
    tier minimum, only for the rep it was measured on; the reason says which limit holds."""
    from salesplan.optimizer.calls.problem import Most
    from salesplan.optimizer.calls.solve import solve_calls

    data = compile_scenario(tiny(200.0))  # hours to spare: every account would go to its maximum
    months = data.horizon.months
    free = build_problem(data)
    index = {a: i for i, a in enumerate(free.account_ids)}
    most = {
        "B1": Most("R1", int(3 * months), "tours"),  # 3/month
        "C1": Most("R1", 0, "days"),  # no minimum: capped at 0
        "A1": Most("R1", 0, "days"),  # below its tier minimum: kept at the minimum
        "A2": Most("R1", 0, "tours"),  # measured on R1, but R2 serves it: no cap
    }
    capped = build_problem(data, most=most)
    assert capped.upper[index["B1"]] == 3 < free.upper[index["B1"]]
    assert capped.upper[index["C1"]] == 0
    assert capped.upper[index["A1"]] == capped.lower[index["A1"]] == free.lower[index["A1"]] > 0
    assert capped.upper[index["A2"]] == free.upper[index["A2"]] and capped.held[index["A2"]] == -1
    plans = {p.account_id: p for p in solve_calls(capped, OPTIONS).accounts}
    assert plans["B1"].visits_per_month == 3 and "tours with nights away hold" in plans["B1"].reason
    assert plans["A2"].visits_per_month == free.upper[index["A2"]]
    assert plans["C1"].visits_per_month == 0 and "days hold" in plans["C1"].reason
    assert "minimum" in plans["A1"].reason and "schedule holds fewer" in plans["A1"].reason
    trips = solve_calls(build_problem(data, most={"C1": Most("R1", 0, "trips")}), OPTIONS).accounts
    assert "trips reached in an earlier round" in next(p for p in trips if p.account_id == "C1").reason


def test_caps_from_the_schedule_only_fall_round_after_round() -> None:
    from salesplan.optimizer.calls.calibrate import most_visits
    from salesplan.optimizer.calls.problem import Most
    from salesplan.optimizer.result import SolveInfo
    from salesplan.optimizer.schedule.problem import Drop
    from salesplan.optimizer.schedule.result import ScheduleResult

    def schedule(toured: dict[str, tuple[str, int]], dropped: tuple[Drop, ...]) -> ScheduleResult:
        solved = SolveInfo("test", SolveStatus.OPTIMAL, "min", 0.0, 0.0, 0.0, False, "")
        return ScheduleResult(
            solved, (), (), dropped, (), planned={"F": 6, "G": 6, "D": 6, "E": 6}, toured=toured
        )

    first = most_visits({}, schedule({"F": ("R1", 6), "G": ("R1", 6)}, ()))
    assert first == {"F": Most("R1", 6, "tours"), "G": Most("R1", 6, "tours")}
    full = (Drop("D", "R1", 2, "no room", "full"),)
    second = most_visits(first, schedule({"F": ("R1", 9), "G": ("R2", 9)}, full))
    assert second["F"] == Most("R1", 6, "tours")  # never raised for the same rep
    assert second["G"] == Most("R2", 9, "tours")  # a new rep's tours replace another rep's cap
    assert second["D"] == Most("R1", 4, "days")  # 6 planned, 2 without room
    # beyond a day trip, and the kept schedule left 5 of its 6 visits off: the trips hold 1
    far = (Drop("E", "R1", 5, "a day trip does not fit", "reach"), Drop("D", "R1", 6, "x", "reach"))
    third = most_visits(second, schedule({}, far))
    assert third["E"] == Most("R1", 1, "trips") and third["D"] == Most("R1", 0, "trips")
    assert third["F"] == second["F"]  # no new figure for F: its cap stays


def test_measured_travel_shares_each_day_and_keeps_the_reps_travel() -> None:
    """calibrate.measured_travel: a day's travel shared equally by its visits (m_a), taken half and half
    with the estimate scaled to the rep's measured travel, so that Σ n_a τ_a is the rep's scheduled
    travel; an account with visits the rep's trips cannot hold spreads its travel over them too."""
    from salesplan.optimizer.calls.calibrate import MEASURED_WEIGHT, measured_travel
    from salesplan.optimizer.result import SolveInfo
    from salesplan.optimizer.schedule.problem import Drop
    from salesplan.optimizer.schedule.result import DayPlan, ScheduledVisit, ScheduleResult
    from salesplan.optimizer.workload import visit_travel_minutes

    base = tiny()
    spread = {"A1": (31.25, 121.45), "B1": (31.3, 121.5), "C1": (31.1, 121.3)}  # apart, so e_a differ
    accounts = tuple(
        a.model_copy(update=dict(zip(("lat", "lon"), spread[a.id], strict=True))) if a.id in spread else a
        for a in base.accounts
    )
    data = compile_scenario(base.model_copy(update={"accounts": accounts}))
    day = [dt.date(2026, 1, 5) + dt.timedelta(days=k) for k in range(3)]

    def visit(date: dt.date, order: int, account: str, before: int) -> ScheduledVisit:
        return ScheduledVisit("R1", date, order, account, 540 + 90 * order, 600 + 90 * order, before)

    def plan_of(date: dt.date, visits: int, travel: int) -> DayPlan:
        return DayPlan("R1", date, visits, 480, 1020, None, None, travel, 60 * visits, 0)

    visits = (visit(day[0], 1, "A1", 30), visit(day[0], 2, "B1", 10), visit(day[1], 1, "A1", 20))
    visits += (visit(day[2], 1, "C1", 25),)
    days = (plan_of(day[0], 2, 100), plan_of(day[1], 1, 40), plan_of(day[2], 1, 60))
    solved = SolveInfo("test", SolveStatus.OPTIMAL, "min", 0.0, 0.0, 0.0, False, "")
    rep_of: dict[str, str | None] = {a.id: a.current_rep for a in data.accounts}
    estimate = visit_travel_minutes(data, rep_of)
    measured = {"A1": (50 + 40) / 2, "B1": 50.0, "C1": 60.0}  # the order inside a day does not matter
    count = {"A1": 2, "B1": 1, "C1": 1}
    rho = 200.0 / sum(count[a] * estimate[a] for a in count)
    w = MEASURED_WEIGHT
    tau = measured_travel(data, ScheduleResult(solved, visits, days, (), ()), rep_of)
    for account, m in measured.items():
        assert tau[account] == pytest.approx(w * m + (1 - w) * rho * estimate[account])
    assert sum(count[a] * tau[a] for a in count) == pytest.approx(200.0)  # the rep's scheduled travel
    assert tau["A2"] == pytest.approx(estimate["A2"])  # R2 has no routes: its estimate, unscaled
    # C1 planned 2 visits, one beyond what the trips hold: its 60 minutes price both
    far = (Drop("C1", "R1", 1, "a day trip does not fit", "reach"),)
    capped = measured_travel(data, ScheduleResult(solved, visits, days, far, ()), rep_of)
    assert capped["C1"] == pytest.approx(w * 30.0 + (1 - w) * rho * estimate["C1"])


def test_the_reserve_keeps_no_hours_for_opportunities_past_the_account_limit() -> None:
    """reserve.beyond_limit: per account the K best by expected value stay (must-pursue first, excluded
    ones take no place); the reserve keeps no hours for the rest, which the portfolio would never take."""
    from salesplan.optimizer.calls.reserve import beyond_limit

    accounts = ["X", "X", "X", "Y", "Y"]
    value = np.array([10.0, 30.0, 20.0, 5.0, 50.0])
    must = np.array([True, False, False, False, False])
    exclude = np.array([False, False, False, False, True])
    assert beyond_limit(accounts, value, must, exclude, 1).tolist() == [False, True, True, False, False]
    assert beyond_limit(accounts, value, must, exclude, 2).tolist() == [False, False, True, False, False]
    free = np.zeros(5, bool)
    assert beyond_limit(accounts, value, free, free, 1).tolist() == [True, False, True, True, False]


def test_the_calibration_trim_never_takes_a_rep_below_its_tier_minimums() -> None:
    """Calls.problem: the calibration trim comes off each rep's hours, but never below the minutes the
    rep's tier minimums need (else the call plan misses a minimum and the held-back hours go to optional
    opportunities); a rep whose minimums exceed even its full hours keeps them all."""
    from salesplan.optimizer.calls import Calls
    from salesplan.optimizer.calls.solve import solve_calls
    from salesplan.optimizer.plan import Plan

    data = compile_scenario(tiny())
    full = build_problem(data).capacity_minutes
    need = build_problem(data).instance().minimum_minutes()
    assert (need > 0).all() and (need < full - 60).all()
    light = Calls().problem(Plan(data, trim={r.id: 30.0 for r in data.reps}))
    assert (light.capacity_minutes == full - 30).all()  # a trim above the minimums comes off in full
    heavy = Calls().problem(Plan(data, trim={r.id: 1e6 for r in data.reps}))
    assert (heavy.capacity_minutes == need).all()  # held back down to the minimums, not below
    planned = solve_calls(heavy, OPTIONS).planned
    assert planned is not None and planned.accounts_below_minimum == 0
    short = compile_scenario(tiny(hours=0.5))  # minimums above the full hours: nothing more comes off
    assert (
        Calls().problem(Plan(short, trim={r.id: 1e6 for r in short.reps})).capacity_minutes
        == build_problem(short).capacity_minutes
    ).all()


def test_hours_the_days_cannot_hold_come_off_even_below_the_minimums() -> None:
    """calibrate.agreement / days_held / Calls.problem ("Full days"): a rep whose schedule dropped visits
    for full days while its call plan planned more hours than its days held has that excess taken off
    its next call plan — below its tier minimums too (they cannot happen) — a settled rep keeps its
    hours, and a rep without 'full' drops is not touched."""
    from types import SimpleNamespace

    from salesplan.optimizer.calls import Calls
    from salesplan.optimizer.calls.calibrate import agreement, days_held
    from salesplan.optimizer.plan import Plan

    data = compile_scenario(tiny(hours=0.5))  # minimums above the full hours: the trim would not bite
    months = data.horizon.months
    calls = SimpleNamespace(
        reps=[
            SimpleNamespace(rep_id=r, hours_used=20.0, hours_available=available)
            for r, available in (("R1", 20.5), ("R2", 20.0))
        ]
    )
    day = SimpleNamespace(rep_id="R1", travel_minutes=0.0, visit_minutes=60.0 * 18.0 * months)
    other = SimpleNamespace(rep_id="R2", travel_minutes=0.0, visit_minutes=60.0 * 18.0 * months)
    schedule = SimpleNamespace(
        days=[day, other],
        work=[],
        visits=[SimpleNamespace(rep_id="R1"), SimpleNamespace(rep_id="R2")],
        dropped=[SimpleNamespace(kind="full", rep_id="R1", visits=2, account_id="A1")],
        unvisited=lambda data: set(),
    )
    agreed = agreement(data, calls, schedule)  # type: ignore[arg-type]
    assert agreed.days_short == pytest.approx({"R1": 2.0 * months})  # 20 planned − 18 held, per month
    loose = SimpleNamespace(reps=[SimpleNamespace(rep_id="R1", hours_used=20.0, hours_available=21.5)])
    assert not agreement(data, loose, schedule).days_short  # type: ignore[arg-type]  # its hours not full
    held = days_held(data, {"R2": 5.0}, agreed)
    assert held == pytest.approx({"R1": 120.0, "R2": 5.0})  # minutes per month; R2 as it was
    assert days_held(data, {}, agreed, frozenset({"R1"})) == {}
    full = build_problem(data).hours_available
    less = Calls().problem(Plan(data, days=held)).hours_available
    assert less == pytest.approx(np.maximum(full - np.array([2.0, 5.0 / 60.0]), 0.0))
