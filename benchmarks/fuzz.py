"""Benchmark: random valid scenarios through the whole plan (issue 9: ≥ 1,000 never crash).

    python -m benchmarks fuzz [--count 1000] [--workers 2] [--time-limit 1] [--seed 0] [--no-write]

Scenarios come from the hypothesis factory of the tests (tests/scenario_factory.py: 1–3 regions, 1–3 reps
each, up to 25 accounts a region, up to 20 opportunities, 1–3 weeks, names with '=', '<' and Chinese
text). Each one, in a process pool, is written as a scenario folder, loaded, planned with
`salesplan.pipeline.plan` at ``--time-limit`` seconds per stage and written like `salesplan plan` writes
it (skip with --no-write). Outcomes:

- planned: a plan that keeps every rule of tests/plan_invariants.py (else: an invariant violation);
- infeasible-explained: :class:`PlanInfeasible` with explanations naming constraint, scope, shortfall,
  unit and suggestion (else: unexplained, counted with the violations);
- crash: any other exception, or no answer within ``--timeout`` seconds.

Prints the table (one row per outcome and the total) and writes benchmarks/results/fuzz.csv; every
failing spec goes to benchmarks/results/fuzz_failures/<index>.json for a rerun. Exit 1 on any crash or
violation.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ._table import RESULTS, print_table

ROOT = Path(__file__).resolve().parents[1]
FAILURES = RESULTS / "fuzz_failures"


def generate(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` distinct scenario specs from the hypothesis factory, reproducible from ``seed``."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    sys.path.insert(0, str(ROOT))
    from tests.scenario_factory import scenario_specs

    specs: list[dict[str, Any]] = []
    seen: set[str] = set()
    round_ = 0
    while len(specs) < count and round_ < 20:

        @hypothesis_seed(seed + round_)
        @settings(
            max_examples=count,  # later rounds only top up: the first few examples repeat the simplest
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(spec=scenario_specs())
        def collect(spec: dict[str, Any]) -> None:
            key = json.dumps(spec, sort_keys=True, default=str)
            if key not in seen and len(specs) < count:
                seen.add(key)
                specs.append(spec)

        collect()
        round_ += 1
    return specs


def _on_alarm(signum: int, frame: Any) -> None:
    raise TimeoutError("no answer within the time-out")


def run_one(task: tuple[int, dict[str, Any], float, bool, float]) -> dict[str, Any]:
    """Plan one spec; returns its outcome, time and details (never raises)."""
    index, spec, time_limit, write, timeout = task
    from salesplan.cli.output import OutputFolder
    from salesplan.cli.writers.plan import write_plan
    from salesplan.optimizer.result import SolverOptions
    from salesplan.pipeline import PlanInfeasible, plan
    from salesplan.scenarios import load_scenario
    from tests.plan_invariants import explanation_violations, plan_violations
    from tests.scenario_factory import write_scenario

    accounts = len(spec["accounts"])
    row: dict[str, Any] = {"index": index, "accounts": accounts, "reps": len(spec["reps"])}
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(timeout))
    try:
        with tempfile.TemporaryDirectory(prefix="salesplan-fuzz-") as folder:
            path = write_scenario(spec, Path(folder) / "scenario")
            scenario = load_scenario(path / "scenario.yaml")
            options = SolverOptions(time_limit, scenario.policy.solver.relative_gap, spec["seed"])
            try:
                result = plan(scenario, options)
            except PlanInfeasible as exc:
                problems = explanation_violations(exc.explanations)
                row["outcome"] = "infeasible-unexplained" if problems else "infeasible-explained"
                row["stage"] = exc.stage
                row["detail"] = "; ".join(problems) or str(exc)[:300]
            else:
                problems = plan_violations(result)
                row["outcome"] = "violation" if problems else "planned"
                row["detail"] = "; ".join(problems[:5])
                row["time_limit_hit"] = any(s.time_limit_hit for s in result.summary.stages)
                if write:
                    with OutputFolder(Path(folder) / "out") as staging:
                        write_plan(result, staging, timings=False)
    except BaseException as exc:  # every other exception is what the fuzzing looks for
        row["outcome"] = "crash"
        row["detail"] = "".join(traceback.format_exception(exc))[-2000:]
    finally:
        signal.alarm(0)
    row["seconds"] = time.perf_counter() - started
    return row


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = ["planned", "infeasible-explained", "infeasible-unexplained", "violation", "crash"]
    table = []
    for outcome in [*order, "all"]:
        mine = [r for r in rows if outcome == "all" or r["outcome"] == outcome]
        if not mine and outcome != "all":
            continue
        times = [r["seconds"] for r in mine] or [0.0]
        table.append(
            {
                "outcome": outcome,
                "scenarios": len(mine),
                "share_%": 100.0 * len(mine) / max(len(rows), 1),
                "accounts_mean": statistics.fmean(r["accounts"] for r in mine) if mine else 0.0,
                "time_limit_hit": sum(bool(r.get("time_limit_hit")) for r in mine),
                "mean_s": statistics.fmean(times),
                "max_s": max(times),
            }
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="random scenarios (default 1000)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes")
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per stage (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the scenario generator")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a scenario is a crash")
    parser.add_argument("--no-write", action="store_true", help="plan only; skip writing the outputs")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    specs = generate(args.count, args.seed)
    generated = time.perf_counter() - started
    print(f"{len(specs)} scenarios generated in {generated:.1f} s; planning on {args.workers} process(es)")
    tasks = [(k, spec, args.time_limit, not args.no_write, args.timeout) for k, spec in enumerate(specs)]
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for row in pool.map(run_one, tasks, chunksize=4):
            rows.append(row)
            if len(rows) % 50 == 0:
                counts = Counter(r["outcome"] for r in rows)
                print(f"  {len(rows)}/{len(specs)}  {dict(counts)}  {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)  # fmt: skip
    wall = time.perf_counter() - started
    print_table(
        f"Fuzz: {len(rows)} random valid scenarios, --time-limit {args.time_limit:g} s per stage, "
        f"{'plan and write' if not args.no_write else 'plan only'}, {args.workers} process(es), {wall:.0f} s wall",
        summarise(rows),
        "fuzz",
    )
    bad = [r for r in rows if r["outcome"] in ("crash", "violation", "infeasible-unexplained")]
    stages = Counter(r.get("stage") for r in rows if r["outcome"].startswith("infeasible"))
    print(f"infeasible by stage: {dict(stages)}")
    if bad:
        FAILURES.mkdir(parents=True, exist_ok=True)
        for r in bad:
            path = FAILURES / f"{r['index']}.json"
            path.write_text(
                json.dumps({"row": r, "spec": specs[r["index"]]}, ensure_ascii=False, indent=1, default=str),
                encoding="utf-8",
            )
        for r in bad[:5]:
            print(f"\n#{r['index']} {r['outcome']}: {r['detail']}")
        print(f"\n{len(bad)} failing spec(s) in {FAILURES}/")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
