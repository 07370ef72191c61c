"""Account tiers and growth/share classes (optimizer/tiers/)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.tiers import BCG_CLASSES, classify_accounts, solve_tiers
from salesplan.optimizer.tiers.solve import criteria_score, pareto_tiers, score_tiers
from salesplan.scenarios import Account, Horizon, Policy, Rep, Scenario


def account(i: int, sales: float, **extra: object) -> Account:
    return Account(id=f"A{i}", region="N", lat=31.0, lon=121.0, current_sales=sales, **extra)


def scenario(accounts: list[Account], policy: dict | None = None) -> Scenario:
    rep = Rep(id="R1", region="N", home_lat=31.0, home_lon=121.0, hours_per_month=160)
    return Scenario(
        name="tiny",
        horizon=Horizon(start=dt.date(2026, 1, 5)),
        policy=Policy.model_validate(policy or {}),
        regions=(),
        reps=(rep,),
        accounts=tuple(accounts),
    )


def test_pareto_cut_includes_the_account_that_crosses_the_line() -> None:
    # Shares 50 %, 30 %, 10 %, 6 %, 4 %: the first two make 80 %, the third crosses 80 % → B at 95 %.
    result = pareto_tiers(["a", "b", "c", "d", "e"], [50, 30, 10, 6, 4], {"A": 0.8, "B": 0.95, "C": 1.0})
    assert [t.tier for t in result] == ["A", "A", "B", "B", "C"]
    assert [t.rank for t in result] == [1, 2, 3, 4, 5]
    assert result[1].cumulative_share == pytest.approx(0.8)
    assert "rank 2 of 5" in result[1].reason and "80.0% of value" in result[1].reason


def test_pareto_keeps_input_order_and_breaks_ties_by_id() -> None:
    result = pareto_tiers(["z", "a"], [5, 5], {"A": 0.5, "B": 1.0})
    assert [(t.account_id, t.rank, t.tier) for t in result] == [("z", 2, "B"), ("a", 1, "A")]


@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=30))
def test_pareto_tiers_follow_value(values: list[float]) -> None:
    ids = [f"x{i:02d}" for i in range(len(values))]
    result = pareto_tiers(ids, values, {"A": 0.8, "B": 0.95, "C": 1.0})
    order = {"A": 0, "B": 1, "C": 2}
    by_rank = sorted(result, key=lambda t: t.rank)
    assert [order[t.tier] for t in by_rank] == sorted(order[t.tier] for t in by_rank)
    assert all(t.tier for t in result)


def test_score_tiers_weigh_the_criteria_and_say_so() -> None:
    weights = {"cooperation": 1.0, "capability": 1.0, "credit": 2.0, "relationship": 0.0}
    accounts = [
        account(1, 10, cooperation=90, capability=80, credit=85, relationship=10),  # (90+80+170)/4 = 85
        account(2, 10, cooperation=60, capability=50, credit=None, relationship=99),  # 110/4 = 27.5
    ]
    result = score_tiers(accounts, weights, {"A": 75, "B": 50, "C": 0})
    assert [t.tier for t in result] == ["A", "C"]
    assert result[0].score == pytest.approx(85.0)
    assert result[1].score == pytest.approx(27.5)
    assert "credit missing→0" in result[1].reason
    assert criteria_score(account(3, 1), weights) is None


def test_assign_tiers_gives_the_criteria_score_beside_a_pareto_tier() -> None:
    s = scenario([account(1, 100, credit=80), account(2, 1)])
    tiers = solve_tiers(compile_scenario(s))
    assert tiers.tier_of() == {"A1": "A", "A2": "C"}  # 100 of 101 come before A2: past B's 95 %
    assert tiers.assignments[0].score == pytest.approx(80 * 0.2)
    assert tiers.assignments[1].score is None


def test_given_tiers() -> None:
    s = scenario([account(1, 5, tier="B"), account(2, 9, tier="A")], {"tiers": {"method": "given"}})
    assert solve_tiers(compile_scenario(s)).tier_of() == {"A1": "B", "A2": "A"}


def test_growth_share_classes() -> None:
    accounts = [
        account(1, 80, potential=100, growth_rate=0.20),  # share 0.8, growth high → star
        account(2, 80, potential=100, growth_rate=0.01),  # share high, growth low → cash cow
        account(3, 20, potential=100, growth_rate=0.20),  # share low, growth high → question mark
        account(4, 20, potential=100, growth_rate=0.01),  # dog
        account(5, 20, growth_rate=0.3),  # no potential → no class
        account(6, 20, potential=100),  # no growth → no class
    ]
    result = classify_accounts(
        compile_scenario(scenario(accounts)).accounts, share_threshold=0.5, growth_threshold=0.1
    )
    assert [c.klass for c in result.classes] == ["star", "cash cow", "question mark", "dog", "", ""]
    assert not result.share_is_median and not result.growth_is_median
    assert "share of wallet 80% ≥ 50%" in result.classes[0].reason
    assert result.classes[4].reason == "no class: the account has no potential"
    assert result.classes[5].reason == "no class: the account has no growth_rate"
    assert result.counts() == {"star": 1, "cash cow": 1, "question mark": 1, "dog": 1}


@given(
    st.lists(st.tuples(st.floats(0, 1e6), st.floats(1, 1e6), st.floats(-0.5, 1.0)), min_size=1, max_size=25)
)
def test_every_account_with_data_gets_exactly_one_class_around_the_medians(
    rows: list[tuple[float, float, float]],
) -> None:
    accounts = [account(i, s, potential=p, growth_rate=g) for i, (s, p, g) in enumerate(rows)]
    result = classify_accounts(compile_scenario(scenario(accounts)).accounts)
    assert result.share_is_median and result.growth_is_median
    assert all(c.klass in BCG_CLASSES for c in result.classes)
    high_share = sum(c.klass in ("star", "cash cow") for c in result.classes)
    assert high_share >= len(rows) / 2  # at or above the median: at least half
