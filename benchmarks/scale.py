"""Scale benchmark (issue 8): a generated 100,000-account / 1,000-rep / 50-region scenario planned end to
end on a Dask LocalCluster with 1 and with 2 workers (``--executors dask,process``: and on a local
process pool with as many).

    python -m benchmarks scale [--accounts 100000 --reps 1000 --regions 50] [--time-limit 3600]
    python -m benchmarks scale --accounts 5000 --reps 50 --regions 5      # a small run first

The scenario is generated (benchmarks/_generate.py: clustered towns per region, heavy-tailed sales,
segments, tiers by Pareto, about one opportunity per two accounts) into a temporary folder, or into
--keep DIR. Each run is ``salesplan.plan(scenario, executor="dask", workers=W)``: the territory stage
sends its regions and the schedule stage its reps through the cluster; tiers, call allocation and the
opportunity portfolio run in this process. Every stage's time is its wall time summed over all the plan's
rounds (PlanResult.stage_seconds; realign and certify apart); "other" is the rest (tiers, sizing curve,
the checks' and outcome's share outside the stages, starting the clusters). territories_speed_up and
schedule_speed_up compare the parallel stages with the first run; main_peak_mib and worker_peak_mib are
the largest resident sets of this process and of the busiest worker.

The two plans must be identical (summary without timings, territories and visits tables); the benchmark
fails otherwise. --time-limit is each stage's safety net (wall clock): the territory and schedule stages
use it as one deadline for all their regions and reps, so a limit that is hit makes the plan depend on
machine load. The default is generous so that only the deterministic
work budgets end the searches; the table says when a limit was hit.

Prints two tables and writes benchmarks/results/scale.csv and scale_stages.csv.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

import salesplan
from salesplan.pipeline import PlanResult

from ._generate import write_scale_scenario
from ._table import print_table

STAGES = ("territories", "allocate", "rank", "schedule")
# table column → the stage's key in PlanResult.stage_seconds (wall time summed over every round)
TIMED = {
    "territories": "territories", "realign": "realign", "allocate": "calls", "rank": "opportunities",
    "schedule": "schedule", "certify": "certify",
}  # fmt: skip
# the stages whose pieces (regions, reps) go to the workers: their speed-up over the first run
PARALLEL = {"territories": ("territories",), "schedule": ("schedule", "certify")}
COMPARED = ("territories", "allocation", "visits")


def _say(started: float, executor: str, workers: int) -> Any:
    def say(text: str) -> None:
        clock = time.perf_counter() - started
        print(f"[scale {executor} {workers}w {clock:8.1f}s] {text}", file=sys.stderr, flush=True)

    return say


def _run(scenario: Any, executor: str, workers: int, time_limit: float, seed: int) -> PlanResult:
    started = time.perf_counter()
    return salesplan.plan(
        scenario,
        time_limit_seconds=time_limit,
        seed=seed,
        executor=executor,
        workers=workers,
        progress=_say(started, executor, workers),
    )


def _row(result: PlanResult, executor: str, workers: int, first: PlanResult | None) -> dict[str, Any]:
    summary = result.summary
    stages = {s.stage: s for s in summary.stages}
    seconds = result.stage_seconds
    row: dict[str, Any] = {
        "executor": executor,
        "workers": workers,
        "accounts": summary.accounts,
        "reps": summary.reps,
        "regions": summary.regions,
        "opportunities": summary.opportunities,
    }
    for column, name in TIMED.items():
        row[f"{column}_s"] = round(seconds.get(name, 0.0), 1)
    row["other_s"] = round(result.runtime_seconds - sum(seconds.get(n, 0.0) for n in TIMED.values()), 1)
    row["total_s"] = round(result.runtime_seconds, 1)
    row["speed_up"] = round(first.runtime_seconds / result.runtime_seconds, 2) if first else 1.0
    for column in PARALLEL:
        mine = sum(seconds.get(TIMED[c], 0.0) for c in PARALLEL[column])
        base = sum(first.stage_seconds.get(TIMED[c], 0.0) for c in PARALLEL[column]) if first else mine
        row[f"{column}_speed_up"] = round(base / mine, 2) if mine > 0 else None
    for name in STAGES:
        row[f"{name}_objective"] = stages[name].objective
    row["limit_hit"] = ",".join(name for name in STAGES if stages[name].time_limit_hit) or "no"
    peaks = result.peak_memory_mib
    workers_peak = [v for k, v in peaks.items() if k != "main"]
    row["main_peak_mib"] = peaks.get("main")
    row["worker_peak_mib"] = max(workers_peak) if workers_peak else None
    return row


def _stage_rows(result: PlanResult, executor: str, workers: int) -> list[dict[str, Any]]:
    return [
        {
            "executor": executor,
            "workers": workers,
            "stage": s.stage,
            "solver": s.solver,
            "status": s.status,
            "objective": s.objective,
            "bound": s.bound,
            "gap_pct": None if s.gap is None else round(100 * s.gap, 3),
            "time_s": s.runtime_seconds,
            "limit_hit": s.time_limit_hit,
        }
        for s in result.summary.stages
    ]


def differences(a: PlanResult, b: PlanResult) -> list[str]:
    """What differs between two plans of the same scenario (empty when they are identical)."""
    found = []
    if a.summary.without_timings().model_dump() != b.summary.without_timings().model_dump():
        found.append("summary")
    for name in COMPARED:
        left, right = a.frames[name], b.frames[name]
        if not left.equals(right):
            try:
                pd.testing.assert_frame_equal(left, right)
            except AssertionError as exc:
                found.append(f"{name}: {str(exc).splitlines()[0]}")
            else:
                found.append(name)
    return found


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--regions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1, help="generator and solver seed")
    parser.add_argument("--time-limit", type=float, default=7200.0, help="per stage, seconds (safety net)")
    parser.add_argument(
        "--workers", default="1,2", help="comma-separated LocalCluster sizes; the first is the base"
    )
    parser.add_argument(
        "--executors",
        default="dask",
        help="comma-separated, from dask and process: each runs at every worker count (dask,process "
        "also checks that a local process pool gives the same plan)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the scenario here instead of a temp folder"
    )
    parser.add_argument("--quick", action="store_true", help="1,000 accounts, 10 reps, 2 regions")
    args = parser.parse_args(argv)
    if args.quick:
        args.accounts, args.reps, args.regions = 1_000, 10, 2
    counts = [int(w) for w in args.workers.split(",")]
    executors = [e.strip() for e in args.executors.split(",") if e.strip()]
    if not executors or any(e not in ("dask", "process") for e in executors):
        parser.error("--executors takes dask and/or process")

    with tempfile.TemporaryDirectory(prefix="salesplan-scale-") as tmp:
        folder = args.keep or Path(tmp) / "scenario"
        started = time.perf_counter()
        path = write_scale_scenario(folder, args.accounts, args.reps, args.regions, seed=args.seed)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        scenario = salesplan.load(str(path))
        loaded = time.perf_counter() - started
        print(
            f"generated {args.accounts:,} accounts, {args.reps:,} reps, {args.regions} regions, "
            f"{len(scenario.opportunities):,} opportunities in {generated:.1f} s; loaded in {loaded:.1f} s",
            file=sys.stderr,
        )
        results: list[PlanResult] = []
        rows: list[dict[str, Any]] = []
        stage_rows: list[dict[str, Any]] = []
        for executor in executors:
            for workers in counts:
                result = _run(scenario, executor, workers, args.time_limit, args.seed)
                rows.append(_row(result, executor, workers, results[0] if results else None))
                stage_rows += _stage_rows(result, executor, workers)
                results.append(result)
        same = [differences(results[0], other) for other in results[1:]]
        for row, diff in zip(rows, [[], *same], strict=True):
            row["same_plan"] = "yes" if not diff else "NO: " + "; ".join(diff)

    title = (
        f"Scale: {args.accounts:,} accounts / {args.reps:,} reps / {args.regions} regions planned end to end with "
        f"{' and '.join(executors)} (time limit {args.time_limit:g} s per stage, seed {args.seed}; "
        f"generate {generated:.1f} s, load {loaded:.1f} s)"
    )
    print_table(title, rows, "scale")
    print_table("Each stage's solver (status, objective, proven bound, gap)", stage_rows, "scale_stages")
    if any(same):
        raise SystemExit(
            "the plans differ between worker counts or executors: "
            + " | ".join("; ".join(d) for d in same if d)
        )
    return rows


if __name__ == "__main__":
    main()
