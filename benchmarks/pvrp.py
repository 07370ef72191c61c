"""PVRP benchmark: the 37 classic instances (Cordeau format) through salesplan's routing engine.

Run from the repository root:

    python -m benchmarks.pvrp                       # all instances, 60 s each
    python -m benchmarks.pvrp --instances p01,p14   # a selection
    python -m benchmarks.pvrp --quick               # smoke run: three small instances, short budget

Instances are read from ../shared/benchmarks/pvrp/ (relative to the repository root) and converted to
the engine's model here, never in the product. Each plan is checked twice: by the engine's verifier,
and by an independent recomputation from the raw file below (Euclidean distances in doubles, no
rounding; visits, patterns, fleet, capacity and duration). Prints a table and writes it as CSV to
benchmarks/results/pvrp.csv.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path

from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule.routing import (
    PeriodicRoutingProblem,
    PeriodicRoutingResult,
    RoutingCustomer,
    RoutingDay,
    RoutingParams,
    solve_periodic_routing,
    warm_up,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "pvrp"
RESULTS = ROOT / "benchmarks" / "results"
QUICK = ("p01", "p14", "pr01")


@dataclass(frozen=True)
class Instance:
    """The raw file: m vehicles a day, t days, per day (D, Q), per node x, y, d, q, f, combinations."""

    name: str
    m: int
    t: int
    limits: list[tuple[float, float]]
    nodes: list[tuple[float, float, float, float, int, list[int]]]


def read_instance(path: Path) -> Instance:
    tokens = path.read_text().split()
    pos = 0

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    _type, m, n, t = (int(take()) for _ in range(4))
    limits = [(float(take()), float(take())) for _ in range(t)]
    nodes = []
    for _ in range(n + 1):
        _i, x, y, d, q = int(take()), float(take()), float(take()), float(take()), float(take())
        f, a = int(take()), int(take())
        nodes.append((x, y, d, q, f, [int(take()) for _ in range(a)]))
    return Instance(path.stem, m, t, limits, nodes)


def combination_days(code: int, t: int) -> tuple[int, ...]:
    """A t-bit combination, most significant bit = day 1, as 0-based day indices."""
    return tuple(d for d in range(t) if code >> (t - 1 - d) & 1)


def to_problem(inst: Instance) -> PeriodicRoutingProblem:
    customers = [
        RoutingCustomer(
            patterns=tuple(combination_days(c, inst.t) for c in combos), service=d, demand=q, name=str(i)
        )
        for i, (_x, _y, d, q, _f, combos) in enumerate(inst.nodes[1:], start=1)
    ]
    days = [RoutingDay(vehicles=inst.m, capacity=q, max_duration=dur) for dur, q in inst.limits]
    return PeriodicRoutingProblem.from_coordinates([(x, y) for x, y, *_ in inst.nodes], customers, days)


def independent_check(inst: Instance, result: PeriodicRoutingResult) -> tuple[float, list[str]]:
    """Recompute the cost from the raw file and list every broken rule of the README."""
    bad: list[str] = []
    xy = [(x, y) for x, y, *_ in inst.nodes]
    days_of: dict[int, list[int]] = {i: [] for i in range(1, len(xy))}
    routes_per_day = [0] * inst.t
    cost = 0.0
    for route in result.routes:
        routes_per_day[route.day] += 1
        path = [0, *route.customers, 0]
        length = sum(math.dist(xy[a], xy[b]) for a, b in itertools.pairwise(path))
        cost += length
        service = sum(inst.nodes[i][2] for i in route.customers)
        load = sum(inst.nodes[i][3] for i in route.customers)
        max_dur, cap = inst.limits[route.day]
        if load > cap + 1e-9:
            bad.append(f"day {route.day + 1}: load {load} > {cap}")
        if max_dur > 0 and length + service > max_dur + 1e-6:
            bad.append(f"day {route.day + 1}: duration {length + service:.4f} > {max_dur}")
        for i in route.customers:
            days_of[i].append(route.day)
    for d, count in enumerate(routes_per_day):
        if count > inst.m:
            bad.append(f"day {d + 1}: {count} routes > {inst.m}")
    for i, days in days_of.items():
        f, combos = inst.nodes[i][4], inst.nodes[i][5]
        allowed = {combination_days(c, inst.t) for c in combos}
        if len(days) != f or len(set(days)) != f or tuple(sorted(days)) not in allowed:
            bad.append(f"customer {i}: days {sorted(days)} not one allowed combination (f={f})")
    return cost, bad


def best_known() -> dict[str, float | None]:
    with (DATA / "best_known.csv").open() as fh:
        return {
            row["instance"]: float(row["best_known"]) if row["best_known"] else None
            for row in csv.DictReader(fh)
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", help="comma-separated names, e.g. p01,p02 (default: all)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (default 60)")
    parser.add_argument("--effort", type=float, help="deterministic work budget (default: the engine's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smoke run: p01, p14, pr01 at effort 2")
    parser.add_argument("--out", type=Path, default=RESULTS / "pvrp.csv", help="CSV file to write")
    args = parser.parse_args(argv)
    reference = best_known()
    names = args.instances.split(",") if args.instances else sorted(reference)
    effort = args.effort
    if args.quick:
        names, effort = list(args.instances.split(",") if args.instances else QUICK), effort or 2.0
    params = RoutingParams() if effort is None else RoutingParams(effort=effort)
    header = [
        "instance",
        "customers",
        "days",
        "cost",
        "best_known",
        "gap_pct",
        "time_s",
        "feasible",
        "status",
    ]
    print(
        f"{'instance':8} {'n':>4} {'t':>3} {'cost':>11} {'best known':>11} {'gap %':>7} {'time s':>7} feasible"
    )
    warm_up()  # JIT compilation once, outside every instance's time
    rows = []
    for name in names:
        inst = read_instance(DATA / "instances" / f"{name}.txt")
        problem = to_problem(inst)
        started = time.perf_counter()
        result = solve_periodic_routing(
            problem, SolverOptions(time_limit_seconds=args.time_limit, seed=args.seed), params
        )
        elapsed = time.perf_counter() - started
        cost, bad = independent_check(inst, result)
        bad += list(result.check(problem).violations)
        ref = reference.get(name)
        gap = None if ref is None else 100.0 * (cost - ref) / ref
        feasible = not bad and result.info.status.has_solution
        rows.append(
            [
                name,
                problem.n,
                inst.t,
                round(cost, 2),
                ref,
                None if gap is None else round(gap, 3),
                round(elapsed, 1),
                feasible,
                result.info.status.value,
            ]
        )
        gap_text = "" if gap is None else f"{gap:7.2f}"
        ref_text = "" if ref is None else f"{ref:11.2f}"
        print(
            f"{name:8} {problem.n:4d} {inst.t:3d} {cost:11.2f} {ref_text:>11} {gap_text:>7} {elapsed:7.1f} "
            f"{'yes' if feasible else 'NO: ' + '; '.join(bad[:3])}",
            flush=True,
        )
    gaps = [row[5] for row in rows if row[5] is not None]
    if gaps:
        print(
            f"mean gap {sum(gaps) / len(gaps):.3f} % over {len(gaps)} instances, max {max(gaps):.3f} %, "
            f"{sum(1 for row in rows if row[7])}/{len(rows)} feasible"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    main()
