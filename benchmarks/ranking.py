"""Ranking and portfolio benchmark: 1,000,000 opportunities ranked; 100,000 chosen among under 200 reps' hours.

Run from the repository root:

    nice python -m benchmarks ranking            # the full run (about two minutes)
    python -m benchmarks ranking --quick         # smoke run: a tenth of the sizes

There are no published instances of this model (a 0/1 knapsack per rep with per-account limits and
must/exclude flags), so the instances are generated here from a fixed seed: opportunity sizes log-normal,
probabilities uniform, efforts in hours, accounts with 1–5 opportunities each, two capacity regimes
("tight": 30 % of each rep's total effort; "quarter": 150–250 h per rep, as in a real quarter).

Every plan is checked independently from the raw arrays (hours per rep, account limits, flags, objective
in cents), and the same integer model is solved by HiGHS (scipy.optimize.milp, one monolithic MIP) with
the same gap target, objective and bound side by side and the time ratio. The ranking is checked against
a plain argsort. Prints a table and writes it to benchmarks/results/ranking.csv.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from salesplan.optimizer.opportunities.portfolio import PortfolioProblem, solve_portfolio
from salesplan.optimizer.opportunities.ranking import rank_opportunities
from salesplan.optimizer.result import SolverOptions

from ._table import print_table


@dataclass(frozen=True)
class Row:
    instance: str
    size: str
    solver: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    check: str

    def cells(self) -> dict[str, Any]:
        return {
            "instance": self.instance,
            "size": self.size,
            "solver": self.solver,
            "objective": None if self.objective is None else round(self.objective, 2),
            "bound": None if self.bound is None else round(self.bound, 2),
            "gap": "" if self.gap is None else f"{self.gap:.4%}",
            "time_s": round(self.seconds, 2),
            "check": self.check,
        }


def opportunities(n: int, seed: int) -> tuple[npt.NDArray[np.float64], ...]:
    rng = np.random.default_rng(seed)
    size = np.round(np.exp(rng.normal(12.0, 1.2, n)), -2)
    probability = np.round(rng.uniform(0.02, 0.98, n), 2)
    effort = rng.integers(2, 61, n).astype(float) + rng.choice([0.0, 0.5], n)
    margin = np.round(rng.uniform(0.1, 0.5, n), 3)
    return size, probability, effort, margin


def bench_ranking(n: int) -> Row:
    size, probability, effort, margin = opportunities(n, seed=1)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        ranking = rank_opportunities(size, probability, effort, margin)
        times.append(time.perf_counter() - start)
    value = size * probability * margin
    expected = np.argsort(-value, kind="stable")
    ok = np.array_equal(value[np.argsort(ranking.rank)], value[expected]) and np.array_equal(
        np.bincount(ranking.quadrant, minlength=4).sum(), n
    )
    return Row(f"ranking-{n:,}", f"{n:,} opportunities", "numpy", None, None, None, min(times),
               "ok" if ok else "FAILED")  # fmt: skip


def portfolio_instance(n: int, reps: int, regime: str, seed: int) -> PortfolioProblem:
    rng = np.random.default_rng(seed)
    size, probability, effort, margin = opportunities(n, seed + 1)
    accounts = n * 2 // 5
    account = np.sort(rng.integers(0, accounts, n))
    pool = rng.integers(0, reps, accounts)[account]
    if regime == "tight":
        capacity = 0.3 * np.bincount(pool, effort, reps)
    else:
        capacity = rng.uniform(150, 250, reps).round(1)
    must = rng.random(n) < (0.005 if regime == "tight" else 0.0002)
    exclude = (rng.random(n) < 0.01) & ~must
    return PortfolioProblem(
        value=size * probability * margin,
        effort_hours=effort,
        pool=pool.astype(np.int64),
        account=account.astype(np.int64),
        capacity_hours=capacity,
        must=must,
        exclude=exclude,
        pool_names=tuple(f"R{g:03d}" for g in range(reps)),
        account_names=tuple(f"A{a:06d}" for a in range(accounts)),
        max_per_account=2,
    )


def integer_model(p: PortfolioProblem) -> tuple[npt.NDArray[np.int64], ...]:
    """The integer data both solvers see: cents, minutes (rounded up), free minutes (rounded down)."""
    cents = np.round(p.value * 100).astype(np.int64)
    minutes = np.ceil(p.effort_hours * 60 - 1e-9).astype(np.int64)
    capacity = np.floor(p.capacity_hours * 60 + 1e-9).astype(np.int64)
    must_count = np.bincount(p.account[p.must], minlength=len(p.account_names))
    limit = np.maximum(p.max_per_account or len(p.value), must_count)
    return cents, minutes, capacity, limit


def check(p: PortfolioProblem, chosen: npt.NDArray[np.bool_]) -> tuple[bool, float]:
    """Independent feasibility check and objective (currency) from the raw arrays."""
    cents, minutes, capacity, limit = integer_model(p)
    used = np.bincount(p.pool[chosen], minutes[chosen], len(capacity))
    per_account = np.bincount(p.account[chosen], minlength=len(limit))
    ok = bool(
        (used <= capacity).all()
        and (per_account <= limit).all()
        and not (chosen & p.exclude).any()
        and (chosen | ~p.must).all()
    )
    return ok, float(cents[chosen].sum()) / 100


def solve_highs(
    p: PortfolioProblem, gap: float, seconds: float
) -> tuple[npt.NDArray[np.bool_], float | None, float]:
    """The same integer model as one MIP in HiGHS; returns the plan, its bound (currency) and the time."""
    cents, minutes, capacity, limit = integer_model(p)
    n = len(cents)
    columns = np.arange(n)
    rows = sparse.csr_array((minutes.astype(float), (p.pool, columns)), shape=(len(capacity), n))
    counts = np.bincount(p.account, minlength=len(limit))
    limited = counts > limit
    index = np.cumsum(limited) - 1
    mine = limited[p.account]
    groups = sparse.csr_array(
        (np.ones(int(mine.sum())), (index[p.account[mine]], columns[mine])), shape=(int(limited.sum()), n)
    )
    constraints = [
        LinearConstraint(rows, -np.inf, capacity.astype(float)),
        LinearConstraint(groups, -np.inf, limit[limited].astype(float)),
    ]
    lower = p.must.astype(float)
    upper = np.where(p.exclude | (p.pool < 0), 0.0, 1.0)
    start = time.perf_counter()
    result = milp(
        -cents.astype(float),
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(lower, upper),
        options={"mip_rel_gap": gap, "time_limit": seconds, "disp": False},
    )
    elapsed = time.perf_counter() - start
    chosen = np.zeros(n, bool) if result.x is None else result.x > 0.5
    bound = getattr(result, "mip_dual_bound", None)
    return chosen, None if bound is None else -float(bound) / 100, elapsed, result.status == 1


def bench_portfolio(n: int, reps: int, regime: str, gap: float, seconds: float) -> list[Row]:
    p = portfolio_instance(n, reps, regime, seed=7)
    name, size = f"portfolio-{regime}", f"{n:,} opps × {reps} reps"
    rows = []
    result = solve_portfolio(p, SolverOptions(seconds, gap, seed=0), hour_values=False)
    ok, value = check(p, result.selected)
    info = result.info
    agrees = ok and abs(value - (info.objective or 0)) < 0.01
    rows.append(Row(name, size, f"cp-sat/pool (gap {gap:g})", info.objective, info.bound, info.gap,
                    info.runtime_seconds, "ok" if agrees else "FAILED"))  # fmt: skip
    proven = solve_portfolio(p, SolverOptions(seconds, 0.0, seed=0), hour_values=True)
    ok, value = check(p, proven.selected)
    exact = sum(plan.hour_value_exact for plan in proven.pools)
    rows.append(Row(name, size, "cp-sat/pool (gap 0) + hour values", proven.info.objective, proven.info.bound,
                    proven.info.gap, proven.info.runtime_seconds,
                    f"{'ok' if ok else 'FAILED'}; +1 h exact for {exact}/{reps}"))  # fmt: skip
    chosen, bound, elapsed, limit_hit = solve_highs(p, gap, seconds)
    ok, value = check(p, chosen)
    highs_gap = None if bound is None or value <= 0 else max(0.0, bound - value) / value
    cross = bound is None or bound >= proven.info.objective - 0.01
    verdict = ("ok" if ok and cross else "FAILED") + ("; time limit hit" if limit_hit else "")
    rows.append(Row(name, size, f"highs MIP (gap {gap:g})", value, bound, highs_gap, elapsed, verdict))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per portfolio solve")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    rows = [bench_ranking(1_000_000 // scale)]
    for regime in ("tight", "quarter"):
        rows += bench_portfolio(100_000 // scale, 200 // scale, regime, 1e-3, args.time_limit)
    path = print_table("Opportunity ranking and portfolio (issue 4)", [r.cells() for r in rows], "ranking")
    for regime in ("tight", "quarter"):
        mine = [r for r in rows if r.instance == f"portfolio-{regime}"]
        at_least = "≥ " if "time limit" in mine[2].check else ""
        print(
            f"{regime}: HiGHS time / CP-SAT time (same gap) = {at_least}{mine[2].seconds / mine[0].seconds:.1f}"
        )
    print(f"written: {path}")


if __name__ == "__main__":
    main()
