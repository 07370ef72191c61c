"""Benchmark: call allocation (issue 5) — the exact MCKP against the same model as a plain MIP.

    python -m benchmarks.allocation                       # 20,000 × 200 × 9 and 2,000 × 20 × 9, both MIPs
    python -m benchmarks.allocation --mip highs --mip-time-limit 120
    python -m benchmarks.allocation --quick               # the mid-size instance only, 20 s MIPs

Instances are generated here (deterministic, seed 1) as scenarios and go through the product's model
(tiers, ADBUDG curves from CALLPLAN judgments incl. S-shaped ones, travel estimates, rep hours): accounts
cluster around their rep's home, 10 regions, visit levels 0..8 (9 levels), tier minimums A 2 / B 1 / C 0.
Rows: the exact MCKP (certified bound, time without numba's one-off compile), the whole
`solve_calls` (plus explanations and the same-hours comparison), and HiGHS / CP-SAT on the MIP
of mip.py with the same objective. A second table reports the bundled bank example: uplift over the
even spread and the shadow price of an hour per rep. Writes benchmarks/results/allocation.csv and
allocation_bank.csv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np

from salesplan.optimizer.calls import build_problem, plan_calls, solve_calls, solve_mckp
from salesplan.optimizer.calls.mckp import MckpInstance
from salesplan.optimizer.calls.mip import solve_mip
from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.result import SolverOptions
from salesplan.scenarios import Account, Horizon, Policy, Rep, Scenario, load_scenario

from ._table import print_table

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "scenarios" / "examples" / "bank-key-accounts" / "scenario.yaml"
SEGMENTS = ("tech-complex", "service", "general")
POLICY = {
    "tiers": {
        "basis": "current_sales",
        "cuts": {"A": 0.5, "B": 0.8, "C": 1.0},
        "visits": {"A": {"min": 2, "max": 8}, "B": {"min": 1, "max": 8}, "C": {"min": 0, "max": 8}},
    },
    "economics": {"cost_per_hour": 150.0, "default_margin": 0.25},
    "response": {
        "max_visits_per_month": 8,
        "by_segment": {  # as the electronics example: tech-complex customers respond S-shaped
            "tech-complex": {"at_zero": 0.45, "at_half": 0.55, "at_150": 1.25, "at_saturation": 1.4},
            "service": {"at_zero": 0.7, "at_half": 0.87, "at_150": 1.08, "at_saturation": 1.15},
            "general": {"at_zero": 0.85, "at_half": 0.94, "at_150": 1.03, "at_saturation": 1.05},
        },
    },
}


def generated(accounts: int, reps: int, seed: int = 1) -> Scenario:
    """``reps`` reps in 10 regions, accounts/reps accounts around each rep's home (a few km)."""
    rng = np.random.default_rng(seed)
    regions = 10
    per_rep = accounts // reps
    centre_lat = 22.5 + np.arange(regions) * 0.4
    centre_lon = 113.0 + np.arange(regions) * 0.3
    rep_rows, account_rows = [], []
    for r in range(reps):
        g = r % regions
        lat, lon = centre_lat[g] + rng.normal(0, 0.08), centre_lon[g] + rng.normal(0, 0.08)
        rep_rows.append(
            Rep(
                id=f"R{r:03d}",
                region=f"G{g}",
                home_lat=lat,
                home_lon=lon,
                hours_per_week=40,
                selling_share=0.6,
            )
        )
        sales = rng.lognormal(13.5, 1.0, per_rep).round(-3)
        for i in range(per_rep):
            account_rows.append(
                Account(
                    id=f"C{r:03d}{i:03d}",
                    region=f"G{g}",
                    lat=lat + rng.normal(0, 0.03),
                    lon=lon + rng.normal(0, 0.03),
                    current_sales=float(sales[i]),
                    potential=float(sales[i] * rng.uniform(1.05, 1.8)),
                    margin=float(rng.uniform(0.15, 0.35)),
                    segment=SEGMENTS[int(rng.integers(0, 3))],
                    visit_minutes=float(rng.choice([30, 45, 60, 90])),
                    current_rep=f"R{r:03d}",
                    current_visits_per_month=2,
                )
            )
    return Scenario(
        name=f"generated {accounts} × {reps}",
        horizon=Horizon(start=dt.date(2027, 1, 4)),
        policy=Policy.model_validate(POLICY),
        regions=(),
        reps=tuple(rep_rows),
        accounts=tuple(account_rows),
    )


def _row(
    name: str,
    size: str,
    method: str,
    objective: float | None,
    bound: float | None,
    seconds: float,
    note: str = "",
) -> dict[str, object]:
    gap = None
    if objective is not None and bound is not None:
        gap = max(0.0, bound - objective) / max(abs(objective), 1e-9)
    return {
        "instance": name,
        "size": size,
        "method": method,
        "objective": None if objective is None else round(objective, 2),
        "bound": None if bound is None else round(bound, 2),
        "gap_pct": None if gap is None else round(100 * gap, 5),
        "time_s": round(seconds, 2),
        "note": note,
    }


def _warm_up() -> None:
    """numba compiles (or loads its cache) on the first call; that one-off cost is not the solver's."""
    tiny = MckpInstance(
        np.array([0]), np.array([0]), np.array([2]), np.array([10]), np.zeros((1, 3)), np.array([15])
    )
    solve_mckp(tiny)


def run_instance(accounts: int, reps: int, engines: list[str], mip_limit: float) -> list[dict[str, object]]:
    name = f"gen-{accounts}x{reps}"
    started = time.perf_counter()
    scenario = generated(accounts, reps)
    problem = build_problem(compile_scenario(scenario))
    build = time.perf_counter() - started
    instance = problem.instance()
    levels = int((instance.upper - instance.lower + 1).max())
    size = f"{accounts} acc × {reps} reps × {levels} levels"
    rows = []
    started = time.perf_counter()
    exact = solve_mckp(instance, SolverOptions(time_limit_seconds=60))
    seconds = time.perf_counter() - started
    infeasible = int((~exact.feasible).sum())
    rows.append(
        _row(
            name,
            size,
            "MCKP exact (LP bound + reduction + DP)",
            exact.objective,
            exact.upper_bound,
            seconds,
            f"LP bound {np.nansum(exact.lp_bound):,.0f}; {int(exact.exact.sum())}/{reps} reps by DP; "
            f"{int(exact.free_items.sum())} accounts free after reduction; {infeasible} reps infeasible; "
            f"model built in {build:.1f} s",
        )
    )
    full = solve_calls(problem, SolverOptions(time_limit_seconds=60))
    rows.append(
        _row(
            name,
            size,
            "solve_calls (+ explanations, same-hours run)",
            full.info.objective,
            full.info.bound,
            full.info.runtime_seconds,
        )
    )
    for engine in engines:
        options = SolverOptions(time_limit_seconds=mip_limit, relative_gap=1e-4, workers=2, seed=1)
        mip = solve_mip(instance, options, engine="cpsat" if engine == "cpsat" else "highs")
        info = mip.info
        rows.append(
            _row(
                name,
                size,
                f"{info.solver} ({engine}, {mip_limit:g} s limit)",
                info.objective,
                info.bound,
                info.runtime_seconds,
                f"{info.status.value}; {info.message[:60]}",
            )
        )
    return rows


def bank_tables() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    scenario = load_scenario(BANK)
    result = plan_calls(compile_scenario(scenario), SolverOptions(time_limit_seconds=60))
    assert result.planned is not None and result.same_hours is not None
    cur, new, same = result.current, result.planned, result.same_hours
    summary = [
        {
            "plan": "current (even spread, 6 visits each)",
            "visits": cur.visits_per_month,
            "hours": round(cur.hours_per_month, 1),
            "sales_per_year": round(cur.expected_sales),
            "profit_per_month": round(cur.profit),
            "uplift_pct": 0.0,
        },
        {
            "plan": "optimised, same hours per rep",
            "visits": same.visits_per_month,
            "hours": round(same.hours_per_month, 1),
            "sales_per_year": round(same.expected_sales),
            "profit_per_month": round(same.profit),
            "uplift_pct": round(100 * (same.profit / cur.profit - 1), 2),
        },
        {
            "plan": "optimised, all selling hours",
            "visits": new.visits_per_month,
            "hours": round(new.hours_per_month, 1),
            "sales_per_year": round(new.expected_sales),
            "profit_per_month": round(new.profit),
            "uplift_pct": round(100 * (new.profit / cur.profit - 1), 2),
        },
    ]
    reps = [
        {
            "rep": r.rep_id,
            "accounts": r.accounts,
            "hours_available": round(r.hours_available, 1),
            "hours_used": round(r.hours_used, 1),
            "shadow_price_per_hour": round(r.shadow_price),
            "next_hour_value": round(r.extra_hour_value),
        }
        for r in result.reps
    ]
    return summary, reps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.allocation", description=__doc__)
    parser.add_argument("--mip", default="highs,cpsat", help="MIP engines to compare: highs, cpsat or both.")
    parser.add_argument("--mip-time-limit", type=float, default=60.0, help="Seconds per MIP solve.")
    parser.add_argument("--quick", action="store_true", help="Mid-size instance only, 20 s MIPs.")
    args = parser.parse_args(argv)
    engines = [e for e in args.mip.split(",") if e]
    _warm_up()
    rows = run_instance(2000, 20, engines, 20.0 if args.quick else args.mip_time_limit)
    if not args.quick:
        rows += run_instance(20000, 200, engines, args.mip_time_limit)
    print_table("Call allocation: exact MCKP vs plain MIP (currency/month)", rows, "allocation")
    summary, reps = bank_tables()
    print_table("Bank example: current even spread vs optimised (CNY)", summary, "allocation_bank")
    print_table(
        "Bank example: shadow price of one more selling hour per rep (CNY/h)", reps, "allocation_bank_reps"
    )


if __name__ == "__main__":
    main()
