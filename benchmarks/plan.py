"""Plan benchmark (issue "One plan, one truth"): this plan beside today's sequential chain, in one run.

    python -m benchmarks plan                                  # the four examples and two generated ones
    python -m benchmarks plan --quick                          # the bundled examples only
    python -m benchmarks plan --instances dealers-5000 --time-limit 60

Instances: the bundled examples (bank-key-accounts, dealer-network, dealer-network-two-reps-fewer,
electronics-distributor) and two generated into a temporary folder from ``--seed``
(benchmarks/_generate.py): ``dealers-5000``, 5,000 dealers in six provinces (one region each) whose reps
live in the heavier half of the cities, so that some dealers are beyond a day trip; ``accounts-20000``,
20,000 accounts and 100 reps in five regions, shaped like the electronics distributor. Their time limit per stage
is a 900 s safety net (see GENERATED): the work budgets end the searches.

Each instance is loaded as `salesplan plan DIR` loads it and planned twice with the same options (the
scenario's gap and seed; its time limit per stage unless ``--time-limit``), one after the other in this
process:

- ``sequential``: today's chain, every stage once in order (``run_stages(PLAN, Plan(data), options)``
  on ``compile_scenario(scenario)``), measured by ``outcome(plan)``;
- ``plan``: ``salesplan.pipeline.plan(scenario, options)`` (calibration rounds and whatever else it does),
  measured by ``result.outcome``.

Columns: dropped share = dropped / (scheduled + dropped) visits (``dropped_hours_pct``: those dropped for
hours); tier-A coverage, the top tier's accounts at their minimum visits (%); ``below_minimum``, the accounts of
any tier whose scheduled visits miss their tier's minimum (a chain that breaks minimums frees hours the
plan keeps for them, so its value is not like for like); worst overrun, the largest
share of a rep's selling hours the scheduled field and opportunity work goes beyond; hours gap, the
largest gap between a rep's planned visit hours and its scheduled field hours (the summary's
``hours_gap``; the plan's rounds aim at 5 %); total value and expected profit per month (the
scenario's currency), and the part of the value that is the expected value of the opportunities whose
work is all scheduled (with a visit by the due date where it needs one); accounts no rep of their region
reaches in a day trip; wall time (compiling the scenario and measuring the outcome included); ``limit_hit``, the stages whose time
limit fired (their result then depends on the machine's load); ``rounds``, the plan's calibration rounds
(counted from its progress lines). A second table sets the chains side by side per instance: plan time /
sequential time (target: at most 2 on electronics-distributor) and the plan's gain in value.

Before the first instance a tiny generated scenario is planned once, untimed (numba compiles then).
Prints both tables and writes benchmarks/results/plan.csv and plan_compare.csv; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.outcome import Outcome, outcome
from salesplan.optimizer.plan import Plan
from salesplan.optimizer.result import SolverOptions
from salesplan.pipeline import PLAN, PlanInfeasible, plan, run_stages
from salesplan.scenarios import load_scenario
from salesplan.scenarios.model import Scenario

from ._generate import write_dealer_scenario, write_scale_scenario
from ._table import print_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"
BUNDLED = ("bank-key-accounts", "dealer-network", "dealer-network-two-reps-fewer", "electronics-distributor")
# The generated scenarios' time limit per stage is a safety net above what the work budgets need (the
# territory stage on the 5,000 dealers: about 110 s on one core), so that the same seed gives the same
# plan on any machine load and the rounds are not cut short by a stage the clock stopped.
SAFETY_SECONDS = 900
GENERATED: dict[str, Callable[[Path, int], Path]] = {
    "dealers-5000": lambda folder, seed: write_dealer_scenario(
        folder, dealers=5_000, reps=150, seed=seed, time_limit_seconds=SAFETY_SECONDS
    ),
    "accounts-20000": lambda folder, seed: write_scale_scenario(
        folder, accounts=20_000, reps=100, regions=5, seed=seed, time_limit_seconds=SAFETY_SECONDS
    ),
}
TARGET = "electronics-distributor"  # plan time at most MAX_RATIO × the sequential chain's here
MAX_RATIO = 2.0


@dataclass(frozen=True)
class Run:
    """One chain on one instance: the complete plan, its figures on the ground, and the wall time."""

    done: Plan | None
    ground: Outcome | None
    seconds: float
    rounds: int | None = None
    infeasible: str = ""


def _say(instance: str, chain: str, started: float) -> Callable[[str], None]:
    def say(text: str) -> None:
        elapsed = time.perf_counter() - started
        print(f"[plan {instance} {chain} {elapsed:7.1f}s] {text}", file=sys.stderr, flush=True)

    return say


def sequential(scenario: Scenario, options: SolverOptions, instance: str) -> Run:
    """Today's chain: every stage once, no calibration."""
    started = time.perf_counter()
    try:
        done = run_stages(
            PLAN, Plan(compile_scenario(scenario)), options, _say(instance, "sequential", started)
        )
    except PlanInfeasible as exc:
        return Run(None, None, time.perf_counter() - started, infeasible=str(exc))
    ground = outcome(done)
    return Run(done, ground, time.perf_counter() - started)


def planned(scenario: Scenario, options: SolverOptions, instance: str) -> Run:
    """The full plan through its public door."""
    started = time.perf_counter()
    say = _say(instance, "plan", started)
    lines: list[str] = []

    def progress(text: str) -> None:
        lines.append(text)
        say(text)

    try:
        result = plan(scenario, options, progress=progress)
    except PlanInfeasible as exc:
        return Run(None, None, time.perf_counter() - started, infeasible=str(exc))
    seconds = time.perf_counter() - started
    rounds = sum(line.startswith("round ") for line in lines)
    return Run(result.plan, result.outcome, seconds, rounds)


def row(instance: str, scenario: Scenario, chain: str, run: Run) -> dict[str, Any]:
    """One line of the table (figures blank when the chain proved the scenario infeasible)."""
    line: dict[str, Any] = {
        "instance": instance,
        "accounts": len(scenario.accounts),
        "reps": len(scenario.reps),
        "chain": chain,
    }
    figures: dict[str, Any] = dict.fromkeys(
        ("dropped_pct", "dropped_hours_pct", "tier_a_coverage_pct", "below_minimum", "worst_overrun_pct",
         "hours_gap_pct",
         "value_per_month", "profit_per_month", "opportunity_value_per_month", "unreachable"),
    )  # fmt: skip
    if run.done is not None and run.ground is not None:
        schedule = run.done.schedule
        assert schedule is not None
        dropped = sum(d.visits for d in schedule.dropped)
        for_hours = sum(d.visits for d in schedule.dropped if d.kind == "hours")
        total = len(schedule.visits) + dropped
        ground = run.ground
        figures = {
            "dropped_pct": _pct(dropped, total),
            "dropped_hours_pct": _pct(for_hours, total),
            "tier_a_coverage_pct": None if ground.coverage is None else round(ground.coverage, 2),
            "below_minimum": ground.below_minimum,
            "worst_overrun_pct": round(100.0 * max((r.overrun for r in ground.reps), default=0.0), 2),
            "hours_gap_pct": None if ground.hours_gap is None else round(100.0 * ground.hours_gap, 1),
            "value_per_month": round(ground.value),
            "profit_per_month": round(ground.profit),
            "opportunity_value_per_month": round(ground.opportunity_value / ground.months),
            "unreachable": len(ground.unreachable),
        }
    line.update(figures)
    line["time_s"] = round(run.seconds, 1)
    hit = [] if run.done is None else [n for n, r in run.done.results() if r.info.time_limit_hit]
    line["limit_hit"] = ",".join(hit) or "no"
    line["rounds"] = run.rounds
    line["note"] = run.infeasible[:80]
    return line


def compare(instance: str, base: Run, full: Run) -> dict[str, Any]:
    """The plan beside the sequential chain on one instance."""
    ratio = full.seconds / base.seconds if base.seconds > 0 else None
    gain = gain_pct = None
    if base.ground is not None and full.ground is not None:
        gain = full.ground.value - base.ground.value
        gain_pct = round(100 * gain / abs(base.ground.value), 2) if base.ground.value else None
    return {
        "instance": instance,
        "sequential_s": round(base.seconds, 1),
        "plan_s": round(full.seconds, 1),
        "time_ratio": None if ratio is None else round(ratio, 2),
        "target": f"<= {MAX_RATIO:g}" if instance == TARGET else "",
        "ok": ("yes" if ratio <= MAX_RATIO else "NO") if instance == TARGET and ratio is not None else "",
        "value_gain_per_month": None if gain is None else round(gain),
        "value_gain_pct": gain_pct,
    }


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def _options(scenario: Scenario, time_limit: float | None) -> SolverOptions:
    """The scenario's solver policy, as `salesplan plan` takes it, with ``--time-limit`` over it."""
    policy = scenario.policy.solver
    seconds = policy.time_limit_seconds if time_limit is None else time_limit
    return SolverOptions(time_limit_seconds=seconds, relative_gap=policy.relative_gap, seed=policy.seed)


def warm_up(folder: Path) -> float:
    """Plan a tiny generated scenario once, untimed, so that numba compiling (or loading its cache)
    counts against neither chain of the first instance; returns its seconds."""
    started = time.perf_counter()
    scenario = load_scenario(write_scale_scenario(folder, accounts=40, reps=2, regions=1, weeks=2))
    plan(scenario, SolverOptions(time_limit_seconds=30.0))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks plan",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    names = (*BUNDLED, *GENERATED)
    parser.add_argument("--instances", default="", help=f"comma-separated, from: {', '.join(names)}")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds per stage (default: scenario's)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated scenarios")
    parser.add_argument("--quick", action="store_true", help="the bundled examples only")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.instances.split(",") if n.strip()] or list(names)
    unknown = [n for n in chosen if n not in names]
    if unknown:
        parser.error(f"unknown instance(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    if args.quick:
        chosen = [n for n in chosen if n in BUNDLED]

    rows: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="salesplan-plan-") as tmp:
        warm = warm_up(Path(tmp) / "warm-up")
        print(f"[plan] warmed up in {warm:.1f} s", file=sys.stderr, flush=True)
        for name in chosen:
            started = time.perf_counter()
            path = EXAMPLES / name if name in BUNDLED else GENERATED[name](Path(tmp) / name, args.seed)
            scenario = load_scenario(path)
            print(
                f"[plan {name}] {len(scenario.accounts):,} accounts, {len(scenario.reps)} reps, "
                f"{len(scenario.opportunities):,} opportunities ready in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            options = _options(scenario, args.time_limit)
            base = sequential(scenario, options, name)
            full = planned(scenario, options, name)
            rows += [row(name, scenario, "sequential", base), row(name, scenario, "plan", full)]
            pairs.append(compare(name, base, full))

    limit = "the scenario's" if args.time_limit is None else f"{args.time_limit:g} s"
    print_table(
        f"This plan vs today's sequential chain (time limit per stage: {limit}; serial, one process)",
        rows,
        "plan",
    )
    print_table(
        "Per instance: plan time / sequential time, and the plan's gain in value", pairs, "plan_compare"
    )
    return rows


if __name__ == "__main__":
    main()
