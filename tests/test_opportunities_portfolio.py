"""Opportunity portfolio (optimizer/opportunities/portfolio.py): brute-force optima, properties, infeasibility, hour value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesplan.optimizer.opportunities.portfolio import PortfolioProblem, PortfolioResult, solve_portfolio
from salesplan.optimizer.result import SolverOptions, SolveStatus

OPTIONS = SolverOptions(time_limit_seconds=20, relative_gap=0.0, seed=1)


def problem(
    value: list[float],
    effort: list[float],
    pool: list[int],
    account: list[int],
    capacity: list[float],
    *,
    must: list[bool] | None = None,
    exclude: list[bool] | None = None,
    limit: int | None = None,
) -> PortfolioProblem:
    n = len(value)
    return PortfolioProblem(
        value=np.array(value, float),
        effort_hours=np.array(effort, float),
        pool=np.array(pool, np.int64),
        account=np.array(account, np.int64),
        capacity_hours=np.array(capacity, float),
        must=np.array(must or [False] * n, bool),
        exclude=np.array(exclude or [False] * n, bool),
        pool_names=tuple(f"R{g}" for g in range(len(capacity))),
        account_names=tuple(f"A{a}" for a in range(max(account, default=-1) + 1)),
        max_per_account=limit,
    )


def random_problem(rng: np.random.Generator, n: int, capacity_share: float) -> PortfolioProblem:
    pools, accounts = int(rng.integers(1, 4)), int(rng.integers(1, n + 1))
    pool_of_account = rng.integers(-1 if rng.random() < 0.2 else 0, pools, accounts)
    account = rng.integers(0, accounts, n)
    effort = rng.integers(1, 30, n) + rng.choice([0.0, 0.25, 0.5], n)
    pool = pool_of_account[account]
    capacity = [capacity_share * float(effort[pool == g].sum()) for g in range(pools)]
    must = (rng.random(n) < 0.1) & (pool >= 0)
    exclude = (rng.random(n) < 0.1) & ~must
    value = np.round(rng.uniform(0, 5000, n) * (rng.random(n) < 0.9), 2)
    limit = int(rng.integers(1, 3)) if rng.random() < 0.7 else None
    return problem(
        value.tolist(),
        effort.tolist(),
        pool.tolist(),
        account.tolist(),
        capacity,
        must=must.tolist(),
        exclude=exclude.tolist(),
        limit=limit,
    )


def brute_force(p: PortfolioProblem) -> float | None:
    """Best value over all 2^n subsets (None when none is feasible); effort in whole minutes up."""
    n = len(p.value)
    subsets = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
    ok = ~(subsets & (p.exclude | (p.pool < 0))).any(axis=1) & (subsets | ~p.must).all(axis=1)
    minutes = np.ceil(p.effort_hours * 60 - 1e-9)
    for g, hours in enumerate(p.capacity_hours):
        ok &= subsets[:, p.pool == g] @ minutes[p.pool == g] <= np.floor(hours * 60 + 1e-9)
    for a in range(len(p.account_names)):
        mine = p.account == a
        limit = max(p.max_per_account or n, int((p.must & mine).sum()))
        ok &= subsets[:, mine].sum(axis=1) <= limit
    if not ok.any():
        return None
    return float((subsets[ok] @ np.round(p.value * 100)).max() / 100)


def check_plan(p: PortfolioProblem, result: PortfolioResult) -> None:
    """Properties every feasible plan must have."""
    chosen = result.selected
    for g, plan in enumerate(result.pools):
        assert p.effort_hours[chosen & (p.pool == g)].sum() <= p.capacity_hours[g] + 1e-9
        assert plan.used_hours <= plan.capacity_hours + 1e-9
    assert not (chosen & p.exclude).any()
    assert (chosen | ~p.must).all()
    assert not (chosen & (p.pool < 0)).any()
    for a in range(len(p.account_names)):
        mine = p.account == a
        assert (chosen & mine).sum() <= max(p.max_per_account or len(chosen), int((p.must & mine).sum()))
    assert result.info.objective == pytest.approx(float(np.round(p.value[chosen] * 100).sum() / 100))
    assert result.info.bound >= result.info.objective - 1e-6
    assert len(result.reasons) == len(chosen)


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, int(rng.integers(6, 15)), float(rng.choice([0.2, 0.5, 0.8])))
    best = brute_force(p)
    result = solve_portfolio(p, OPTIONS)
    if best is None:
        assert result.info.status is SolveStatus.INFEASIBLE
        assert result.explanations
        return
    assert result.info.status is SolveStatus.OPTIMAL
    assert result.info.objective == pytest.approx(best)
    assert result.info.bound == pytest.approx(best)
    check_plan(p, result)


@pytest.mark.parametrize("share", [0.05, 0.15, 0.3, 0.6, 1.0])
def test_twenty_opportunities_several_capacities(share: float) -> None:
    rng = np.random.default_rng(20)
    n = 20
    effort = rng.integers(2, 40, n).astype(float)
    value = np.round(rng.uniform(100, 9000, n), 2)
    account = rng.integers(0, 9, n)
    pool = account % 2
    capacity = [share * effort[pool == g].sum() for g in range(2)]
    p = problem(value.tolist(), effort.tolist(), pool.tolist(), account.tolist(), capacity, limit=2)
    result = solve_portfolio(p, OPTIONS)
    assert result.info.objective == pytest.approx(brute_force(p))
    assert result.info.gap == pytest.approx(0.0)
    check_plan(p, result)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 40),
    share=st.floats(0.0, 1.2),
    workers=st.sampled_from([1, 2]),
)
def test_properties(seed: int, n: int, share: float, workers: int) -> None:
    p = random_problem(np.random.default_rng(seed), n, share)
    result = solve_portfolio(p, SolverOptions(time_limit_seconds=20, relative_gap=0.0, workers=workers))
    if result.info.status is SolveStatus.INFEASIBLE:
        must = p.must & (p.pool >= 0)
        need = [p.effort_hours[must & (p.pool == g)].sum() for g in range(len(p.capacity_hours))]
        assert (
            any(h > c for h, c in zip(need, p.capacity_hours, strict=True)) or (p.must & (p.pool < 0)).any()
        )
        return
    check_plan(p, result)


def test_must_pursue_that_does_not_fit_is_infeasible_with_the_missing_hours() -> None:
    p = problem([10, 20, 30], [30, 25, 5], [0, 0, 0], [0, 1, 2], [40], must=[True, True, False])
    result = solve_portfolio(p, OPTIONS)
    assert result.info.status is SolveStatus.INFEASIBLE
    (item,) = result.explanations
    assert item.shortfall == pytest.approx(15.0)
    assert item.ids == {"rep": "R0"} and "must-pursue" in item.constraint


def test_must_pursue_is_not_cut_by_the_account_limit() -> None:
    p = problem([5, 6, 100], [1, 1, 1], [0, 0, 0], [0, 0, 0], [10], must=[True, True, False], limit=1)
    result = solve_portfolio(p, OPTIONS)
    assert result.selected.tolist() == [True, True, False]
    assert "limit 1" in result.reasons[2]


def test_value_of_one_more_hour_by_re_solving() -> None:
    # 10 h: the best is B alone (70); 11 h fits A and B (120): one more hour is worth 50.
    p = problem([50, 70], [5, 6], [0, 0], [0, 1], [10])
    result = solve_portfolio(p, OPTIONS)
    (plan,) = result.pools
    assert result.info.objective == pytest.approx(70)
    assert plan.hour_value_exact and plan.hour_value_low == pytest.approx(50)
    assert result.reasons[0].startswith("no hours left: needs 5 h, R0 has 4.0 h left")


def test_one_more_hour_is_worth_nothing_when_nothing_is_left_out() -> None:
    p = problem([50, 70], [5, 6], [0, 0], [0, 1], [30])
    (plan,) = solve_portfolio(p, OPTIONS).pools
    assert plan.hour_value_low == plan.hour_value_high == 0.0
    assert plan.lp_hour_value == 0.0


def test_reasons_name_the_flag_and_the_owner() -> None:
    p = problem([10, 20, 30], [1, 1, 1], [0, 0, -1], [0, 1, 2], [5], exclude=[False, True, False])
    result = solve_portfolio(p, OPTIONS)
    assert result.reasons[0].startswith("chosen: expected 10 for 1 h")
    assert result.reasons[1].startswith("excluded")
    assert result.reasons[2] == "no rep serves account A2 (its region has no rep)"


def test_deterministic_for_a_seed() -> None:
    p = random_problem(np.random.default_rng(5), 300, 0.3)
    first = solve_portfolio(p, SolverOptions(relative_gap=1e-4, seed=3))
    again = solve_portfolio(p, SolverOptions(relative_gap=1e-4, seed=3, workers=2))
    assert first.selected.tolist() == again.selected.tolist()
    assert first.reasons == again.reasons


def test_rejects_inconsistent_input() -> None:
    with pytest.raises(ValueError, match="effort"):
        problem([1.0], [0.0], [0], [0], [1])
    with pytest.raises(ValueError, match="both"):
        problem([1.0], [1.0], [0], [0], [1], must=[True], exclude=[True])
