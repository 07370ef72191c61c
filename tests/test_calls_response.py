"""ADBUDG response curves fitted to CALLPLAN judgments (optimizer/calls/response.py)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplan.optimizer.calls.response import ResponseCurve, fit_adbudg, response_of
from salesplan.optimizer.data import compile_scenario
from salesplan.scenarios import Account, Horizon, Policy, Rep, Scenario

from .conftest import EXAMPLES


def scenario(accounts: list[Account], policy: dict | None = None) -> Scenario:
    rep = Rep(id="R1", region="N", home_lat=31.2, home_lon=121.4, hours_per_month=160)
    return Scenario(
        name="t",
        horizon=Horizon(start=dt.date(2026, 1, 5)),
        policy=Policy.model_validate(policy or {}),
        regions=(),
        reps=(rep,),
        accounts=tuple(accounts),
    )


def account(**fields: object) -> Account:
    base: dict[str, object] = {"id": "A1", "region": "N", "lat": 31.2, "lon": 121.4, "current_sales": 1e6}
    return Account.model_validate(base | fields)


def curve_of(base: Scenario, one: Account, tier: str) -> ResponseCurve:
    """The response curve of ``one`` under the policy of ``base`` (compiled as the only account)."""
    data = compile_scenario(base.with_changes(accounts=(one,)))
    return response_of(data, data.accounts[0], tier)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(0.0, 0.95),
    st.floats(1.05, 3.0),
    st.floats(0.3, 6.0),
)
def test_recovers_the_curve_that_generated_the_judgments(r_min: float, r_max: float, c: float) -> None:
    d = (r_max - 1.0) / (1.0 - r_min)
    truth = ResponseCurve(1.0, 1.0, r_min, r_max, c, d)
    half, at_150 = truth.ratio([0.5, 1.5])
    got = fit_adbudg(r_min, float(half), float(at_150), r_max)
    assert got[0] == pytest.approx(r_min) and got[1] == pytest.approx(r_max)
    assert got[2] == pytest.approx(c, rel=1e-6)
    assert got[3] == pytest.approx(d)


def test_curve_passes_through_zero_current_and_saturation() -> None:
    r_min, r_max, c, d = fit_adbudg(0.6, 0.85, 1.12, 1.3)
    curve = ResponseCurve(5e6, 6.0, r_min, r_max, c, d)
    assert curve.sales(0.0) == pytest.approx(0.6 * 5e6)
    assert curve.sales(6.0) == pytest.approx(5e6)  # current level → current sales, exactly
    assert curve.sales(1e6) == pytest.approx(1.3 * 5e6, rel=1e-3)
    assert np.all(np.diff(curve.sales(np.arange(0, 40))) > 0)  # more visits never lower sales


def test_tech_complex_judgments_give_an_s_shaped_curve() -> None:
    r_min, r_max, c, _ = fit_adbudg(0.45, 0.55, 1.25, 1.4)
    assert c > 3.0
    assert ResponseCurve(1.0, 2.0, r_min, r_max, c, 1.0).s_shaped


def test_judgments_resolve_account_then_segment_then_tier_then_default() -> None:
    policy = {
        "response": {
            "default": {"at_zero": 0.7, "at_half": 0.88, "at_150": 1.08, "at_saturation": 1.2},
            "by_tier": {"A": {"at_zero": 0.5, "at_half": 0.8, "at_150": 1.1, "at_saturation": 1.3}},
            "by_segment": {"tech": {"at_zero": 0.4, "at_half": 0.6, "at_150": 1.2, "at_saturation": 1.5}},
        }
    }
    plain = account(current_visits_per_month=4)
    tiered = scenario([plain], policy)
    assert curve_of(tiered, plain, "A").r_min == pytest.approx(0.5)
    assert curve_of(tiered, plain, "C").r_min == pytest.approx(0.7)
    tech = account(segment="tech", current_visits_per_month=4)
    assert curve_of(tiered, tech, "A").r_min == pytest.approx(0.4)
    own = account(segment="tech", response_at_zero=0.3, current_visits_per_month=4)
    curve = curve_of(tiered, own, "A")
    assert curve.r_min == pytest.approx(0.3) and curve.r_max == pytest.approx(1.5)


def test_saturation_reaches_at_least_the_potential() -> None:
    big = account(potential=2.5e6, current_visits_per_month=2)
    curve = curve_of(scenario([big]), big, "")
    assert curve.r_max == pytest.approx(2.5)
    judged = account(potential=2.5e6, response_at_saturation=1.1, current_visits_per_month=2)
    assert curve_of(scenario([judged]), judged, "").r_max == pytest.approx(1.1)


def test_reference_level_without_current_visits_is_the_tier_minimum_or_one() -> None:
    policy = {
        "tiers": {
            "visits": {"A": {"min": 3, "max": 8}, "C": {"min": 0, "max": 2}},
            "cuts": {"A": 0.8, "C": 1.0},
        }
    }
    none = account()
    s = scenario([none], policy)
    assert curve_of(s, none, "A").reference == 3.0
    assert curve_of(s, none, "C").reference == 1.0
    zero = account(current_visits_per_month=0)
    assert curve_of(s, zero, "C").reference == 1.0


def test_no_current_sales_scales_to_the_potential() -> None:
    new = account(current_sales=0, potential=9e5, current_visits_per_month=1)
    curve = curve_of(scenario([new]), new, "")
    assert curve.sales(1e9) == pytest.approx(9e5, rel=1e-3)
    assert math.isfinite(curve.sales(0.0))


@pytest.mark.parametrize(
    ("fields", "today"),
    [
        ({"current_visits_per_month": 3}, 1e6),  # visited now
        ({}, 1e6),  # buys without visits
        ({"current_visits_per_month": 0}, 1e6),
        ({"current_sales": 0, "potential": 8e5}, 0.0),  # a prospect
        ({"current_sales": 0, "potential": 8e5, "current_visits_per_month": 1}, 0.0),
    ],
)
def test_the_curve_passes_through_todays_point(fields: dict[str, object], today: float) -> None:
    one = account(**fields)
    curve = curve_of(scenario([one]), one, "A")
    now = float(one.current_visits_per_month or 0.0)
    assert float(curve.sales(now)) == pytest.approx(today, abs=1e-6)
    assert np.all(np.diff(curve.sales(np.linspace(now, 40, 50))) >= -1e-9)  # more visits never lose sales
    assert float(curve.sales(1e6)) >= today


def test_the_current_plan_sells_what_the_accounts_buy_today() -> None:
    from salesplan.optimizer.calls import build_problem
    from salesplan.scenarios import load_scenario

    for name in ("dealer-network", "electronics-distributor", "bank-key-accounts"):
        scenario_ = load_scenario(EXAMPLES / name)
        problem = build_problem(compile_scenario(scenario_))
        total = float(problem.sales_at(problem.current_visits).sum())
        assert total == pytest.approx(sum(a.current_sales for a in scenario_.accounts), rel=1e-9)
