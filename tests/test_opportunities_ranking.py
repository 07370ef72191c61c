"""Opportunity ranking and the rank stage (optimizer/opportunities/ranking.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.opportunities import QUADRANTS, rank_opportunities, solve_opportunities
from salesplan.optimizer.result import SolverOptions, SolveStatus
from salesplan.scenarios import Absence, Account, Horizon, Opportunity, Policy, Rep, Scenario

OPTIONS = SolverOptions(time_limit_seconds=20, relative_gap=0.0)
NO_VISITS = {"tiers": {"visits": {t: {"min": 0, "max": 4} for t in ("A", "B", "C")}}}


def rep(rep_id: str, region: str, lat: float) -> Rep:
    return Rep(id=rep_id, region=region, home_lat=lat, home_lon=121.0, hours_per_month=100, selling_share=0.5)


def tiny(policy: dict | None = None, **extra: object) -> Scenario:
    """Three reps (two in N), three accounts, three opportunities; a 13-week quarter from a Monday."""
    accounts = (
        Account(id="A1", region="N", lat=31.0, lon=121.0, current_sales=900, current_rep="R1"),
        Account(id="A2", region="N", lat=31.1, lon=121.0, current_sales=90, current_rep="R2", margin=0.5),
        Account(id="A3", region="S", lat=30.0, lon=121.0, current_sales=10, current_rep="R3"),
    )
    opportunities = (
        Opportunity(
            id="O1", account="A1", type="upsell", size=1000, probability=0.5, effort_hours=10, margin=0.4
        ),
        Opportunity(id="O2", account="A1", type="prune", size=500, probability=1.0, effort_hours=5),
        Opportunity(id="O3", account="A2", type="cross_sell", size=100, probability=0.5, effort_hours=200),
    )
    values = {
        "name": "tiny",
        "horizon": Horizon(start=dt.date(2026, 1, 5)),
        "policy": Policy.model_validate(policy if policy is not None else NO_VISITS),
        "regions": (),
        "reps": (rep("R1", "N", 31.0), rep("R2", "N", 31.1), rep("R3", "S", 30.0)),
        "accounts": accounts,
        "opportunities": opportunities,
    }
    return Scenario(**{**values, **extra})


def test_quadrants_at_the_thresholds() -> None:
    ranking = rank_opportunities(
        [100, 100, 99, 99],
        [0.5, 0.49, 0.5, 0.49],
        [1, 1, 1, 1],
        size_threshold=100,
        probability_threshold=0.5,
    )
    assert ranking.quadrant_names() == ["act now", "plan", "opportunistic", "shelve"]
    assert not ranking.thresholds.size_is_median
    assert "(policy)" in ranking.thresholds.describe()


def test_thresholds_default_to_the_medians() -> None:
    ranking = rank_opportunities([1, 2, 3, 40, 50], [0.9, 0.1, 0.2, 0.3, 0.8], [1, 1, 1, 1, 1])
    assert ranking.thresholds.size == 3 and ranking.thresholds.probability == 0.3
    assert ranking.thresholds.size_is_median and ranking.thresholds.probability_is_median
    assert ranking.counts() == {"act now": 2, "plan": 1, "opportunistic": 1, "shelve": 1}
    assert "(median)" in ranking.thresholds.describe("CNY")


def test_expected_value_rank_and_value_per_hour() -> None:
    ranking = rank_opportunities([100, 200, 100], [0.5, 0.25, 1.0], [10, 5, 4], margin=[1.0, 1.0, 0.5])
    assert ranking.expected_value.tolist() == [50, 50, 50]
    assert ranking.value_per_hour.tolist() == [5, 10, 12.5]
    assert ranking.rank.tolist() == [3, 2, 1]  # equal value: more per hour first


@given(
    st.lists(st.tuples(st.floats(0, 1e8), st.floats(0, 1), st.floats(0.1, 500)), min_size=1, max_size=60),
    st.one_of(st.none(), st.floats(0, 1e8)),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_every_opportunity_in_exactly_one_quadrant(
    rows: list[tuple[float, float, float]], size_cut: float | None, probability_cut: float | None
) -> None:
    size, probability, effort = (np.array(c) for c in zip(*rows, strict=True))
    ranking = rank_opportunities(
        size, probability, effort, size_threshold=size_cut, probability_threshold=probability_cut
    )
    t = ranking.thresholds
    large, likely = size >= t.size, probability >= t.probability
    members = np.stack([large & likely, large & ~likely, ~large & likely, ~large & ~likely], axis=1)
    assert (members.sum(axis=1) == 1).all()
    assert (members.argmax(axis=1) == ranking.quadrant).all()
    assert sorted(ranking.rank.tolist()) == list(range(1, len(rows) + 1))
    by_rank = ranking.expected_value[np.argsort(ranking.rank)]
    assert (np.diff(by_rank) <= 0).all()
    assert set(ranking.quadrant_names()) <= set(QUADRANTS)


def test_run_rank_values_margins_and_capacity() -> None:
    result = solve_opportunities(compile_scenario(tiny()), OPTIONS)
    # O1 uses its own margin, O2 is a prune (size is profit already), O3 its account's margin.
    assert result.margin.tolist() == [0.4, 1.0, 0.5]
    assert result.ranking.expected_value.tolist() == pytest.approx([200, 500, 25])
    assert result.owner == ("R1", "R1", "R2")
    hours = {h.rep: h for h in result.hours}
    assert hours["R1"].opportunity_hours == pytest.approx(150.0)  # 100 h × 0.5 × 3 months
    assert result.info.status is SolveStatus.OPTIMAL
    # O3 needs 200 h, R2 has 150: left out for lack of hours.
    assert result.portfolio.selected.tolist() == [True, True, False]
    assert result.portfolio.reasons[2].startswith("no hours left: needs 200 h, R2 has 150.0 h left")


def test_absences_and_the_call_plans_visit_hours_reduce_capacity() -> None:
    away = Absence(rep="R2", start=dt.date(2026, 1, 12), end=dt.date(2026, 1, 16))
    result = solve_opportunities(compile_scenario(tiny(absences=(away,))), OPTIONS, visit_hours={"R1": 10.0})
    hours = {h.rep: h for h in result.hours}
    assert hours["R1"].opportunity_hours == pytest.approx(150 - 30)  # 10 h/month of visits × 3 months
    assert hours["R2"].available_share == pytest.approx(60 / 65)
    assert hours["R2"].opportunity_hours == pytest.approx(150 * 60 / 65)


def test_tier_minimum_visits_are_the_default_load() -> None:
    policy = {"tiers": {"visits": {"A": {"min": 4, "max": 8}, "B": {"min": 0}, "C": {"min": 0}}}}
    result = solve_opportunities(compile_scenario(tiny(policy)), OPTIONS)
    hours = {h.rep: h for h in result.hours}
    # A1 (tier A, R1): 4 visits/month × (60 min + travel) × 3 months ≥ 12 h.
    assert hours["R1"].visit_hours >= 12.0
    assert hours["R1"].opportunity_hours == pytest.approx(150 - hours["R1"].visit_hours)
    assert hours["R3"].visit_hours == 0.0


def test_rep_of_and_region_pools() -> None:
    moved = solve_opportunities(
        compile_scenario(tiny()), OPTIONS, rep_of={"A1": "R2", "A2": "R2", "A3": "R3"}
    )
    assert moved.owner == ("R2", "R2", "R2")
    pooled = solve_opportunities(compile_scenario(tiny()), OPTIONS, capacity_by="region")
    names = [p.name for p in pooled.portfolio.pools]
    assert names == ["region N", "region S"]
    assert pooled.portfolio.pools[0].capacity_hours == pytest.approx(300.0)
    # With N's 300 h together, O3 (200 h) fits beside O1 and O2.
    assert pooled.portfolio.selected.tolist() == [True, True, True]


def test_must_pursue_beyond_the_reps_hours_is_infeasible() -> None:
    s = tiny()
    heavy = s.opportunities[2].model_copy(update={"must_pursue": True})
    result = solve_opportunities(
        compile_scenario(s.model_copy(update={"opportunities": (*s.opportunities[:2], heavy)})), OPTIONS
    )
    assert result.info.status is SolveStatus.INFEASIBLE
    (item,) = result.portfolio.explanations
    assert item.ids == {"rep": "R2"} and item.shortfall == pytest.approx(50.0)
