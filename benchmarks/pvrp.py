"""PVRP benchmark: the 37 classic instances (Cordeau format) through salesplan's routing engine.

Run from the repository root:

    python -m benchmarks pvrp                       # all instances, effort 32 each, 2 workers
    python -m benchmarks pvrp --instances p01,p14   # a selection
    python -m benchmarks pvrp --quick               # smoke run: three small instances, short budget
    python -m benchmarks pvrp --places-check        # tours off: an unused place changes no plan

Instances are read from ../shared/benchmarks/pvrp/ (relative to the repository root) and converted to
the engine's model here, never in the product. Each plan is checked twice: by the engine's verifier,
and by an independent recomputation from the raw file below (Euclidean distances in doubles, no
rounding; visits, patterns, fleet, capacity and duration). The work budget decides every cost; the
time limit is only the engine's safety net (a row says when it fired). The engine's runs go to a
process pool passed in as ``SolverOptions.mapper``. Reported per instance: objective, both reference
columns of best_known.csv and the gaps to them, wall and CPU time (this process and the workers),
feasibility by the recheck, and what PyVRP's day polish would gain on the same plan and what it
costs. Prints a table and a summary, and writes the table as CSV to benchmarks/results/pvrp.csv.

``--places-check`` (issue "Overnight trips": with tours off the engine must not get worse) runs only a
few instances (PLACES_CHECK, or ``--instances``), each twice at a small budget (effort 2, one run, in
this process): as read, and with one place node added at the customers' centroid — a node where a day
may start or finish (a hotel) — that no day uses (every day still runs depot to depot). It prints both
costs and routes side by side, says whether they are identical, and writes pvrp_places.csv; the exit
status is 1 when any differs.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
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
from salesplan.optimizer.schedule.routing.polish import polish_days

from ._table import print_table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "pvrp"
RESULTS = ROOT / "benchmarks" / "results"
QUICK = ("p01", "p14", "pr01")
PLACES_CHECK = ("p01", "p04", "p14", "pr01")
# The benchmark's budget: 4 raced runs on the machine's 2 cores (the engine's own default is one run)
EFFORT = 32.0
RUNS = 4
RACE_AT = 0.2


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


def best_known() -> dict[str, tuple[float | None, float | None]]:
    """Per instance the two reference values of best_known.csv: (best_known, best_known_2014)."""

    def value(text: str) -> float | None:
        return float(text) if text else None

    with (DATA / "best_known.csv").open() as fh:
        return {
            row["instance"]: (value(row["best_known"]), value(row["best_known_2014"]))
            for row in csv.DictReader(fh)
        }


def gap_pct(cost: float, ref: float | None) -> float | None:
    return None if ref is None else 100.0 * (cost - ref) / ref


def worker_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the given live processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def solve_instance(
    name: str, params: RoutingParams, options: SolverOptions, pids: list[int], polish_iterations: int
) -> dict[str, object]:
    """Solve one instance, recheck it, and measure what the day polish would add (same plan)."""
    inst = read_instance(DATA / "instances" / f"{name}.txt")
    problem = to_problem(inst)
    cpu0, workers0, started = time.process_time(), worker_cpu_seconds(pids), time.perf_counter()
    result = solve_periodic_routing(problem, options, params)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0 + worker_cpu_seconds(pids) - workers0
    cost, bad = independent_check(inst, result)
    bad += list(result.check(problem).violations)
    row: dict[str, object] = {
        "instance": name,
        "n": problem.n,
        "t": inst.t,
        "objective": round(cost, 2),
        "feasible": not bad and result.info.status.has_solution,
        "time_s": round(elapsed, 1),
        "cpu_s": round(cpu, 1),
        "time_limit_hit": result.info.time_limit_hit,
        "violations": "; ".join(bad[:3]),
    }
    if polish_iterations > 0 and not params.polish:
        # the same plan, each day re-optimised by PyVRP: what polishing gains, and what it costs
        routes = [[list(r.customers) for r in result.day_routes(d)] for d in range(inst.t)]
        begun = time.perf_counter()
        polished = polish_days(problem, routes, polish_iterations, options.seed, math.inf)
        row["polish_s"] = round(time.perf_counter() - begun, 1)
        after = sum(problem.route_cost(r, d) for d, day in enumerate(polished) for r in day)
        fits = all(problem.route_fits(d, r) for d, day in enumerate(polished) for r in day)
        row["polished"] = round(after, 2) if fits else None
        row["polish_gain_pct"] = round(100.0 * (cost - after) / cost, 3) if fits else None
    return row


def summary(rows: list[dict[str, object]], reference: dict[str, tuple[float | None, float | None]]) -> None:
    """Mean, median and max gap to each reference, the count at or below it, total and max times."""
    for k, column in enumerate(("best_known", "best_known_2014")):
        gaps = [float(r[f"gap_{column}"]) for r in rows if r[f"gap_{column}"] is not None]  # type: ignore[arg-type]
        if not gaps:
            continue
        at_or_below = sum(
            1
            for r in rows
            if (ref := reference[str(r["instance"])][k]) is not None and float(r["objective"]) <= ref + 5e-3  # type: ignore[arg-type]
        )
        print(
            f"gap to {column}: mean {statistics.mean(gaps):.3f} %, median {statistics.median(gaps):.3f} %, "
            f"max {max(gaps):.3f} % over {len(gaps)} instances; at or below it on {at_or_below}"
        )
    times = [float(r["time_s"]) for r in rows]  # type: ignore[arg-type]
    cpus = [float(r["cpu_s"]) for r in rows]  # type: ignore[arg-type]
    print(
        f"time: total {sum(times):.0f} s, max {max(times):.1f} s; CPU total {sum(cpus):.0f} s, max {max(cpus):.1f} s; "
        f"{sum(1 for r in rows if r['feasible'])}/{len(rows)} feasible, "
        f"{sum(1 for r in rows if r['time_limit_hit'])} stopped by the clock"
    )
    gains = [float(r["polish_gain_pct"]) for r in rows if r.get("polish_gain_pct") is not None]  # type: ignore[arg-type]
    if gains:
        spent = sum(float(r["polish_s"]) for r in rows if r.get("polish_s") is not None)  # type: ignore[arg-type]
        print(
            f"polish (measured on the same plans, not applied): mean gain {statistics.mean(gains):.3f} %, "
            f"max {max(gains):.3f} %, improved {sum(1 for g in gains if g > 1e-6)}/{len(gains)}, "
            f"{spent:.0f} s in all"
        )


def with_unused_place(inst: Instance) -> PeriodicRoutingProblem:
    """The instance's problem with one place (a hotel node) at the customers' centroid that no day uses."""
    problem = to_problem(inst)
    xy = [(x, y) for x, y, *_ in inst.nodes]
    centre = (statistics.fmean(x for x, _ in xy[1:]), statistics.fmean(y for _, y in xy[1:]))
    return PeriodicRoutingProblem.from_coordinates([*xy, centre], problem.customers, problem.days, places=1)


def places_check(names: list[str], seed: int = 0, effort: float = 2.0) -> int:
    """Solve each instance as read and with an unused place, same budget and seed; print whether the
    costs and routes are identical; returns how many differ."""
    rows = []
    params = RoutingParams(effort=effort, runs=1, survivors=1)
    options = SolverOptions(time_limit_seconds=120.0, seed=seed)
    warm_up()
    for name in names or PLACES_CHECK:
        inst = read_instance(DATA / "instances" / f"{name}.txt")
        started = time.perf_counter()
        plain = solve_periodic_routing(to_problem(inst), options, params)
        placed_problem = with_unused_place(inst)
        placed = solve_periodic_routing(placed_problem, options, params)
        same_routes = [(r.day, r.customers) for r in plain.routes] == [
            (r.day, r.customers) for r in placed.routes
        ]
        same = same_routes and plain.info.objective == placed.info.objective
        rows.append(
            {
                "instance": name,
                "n": len(inst.nodes) - 1,
                "t": inst.t,
                "cost": _cell(independent_check(inst, plain)[0]),
                "cost_with_place": _cell(independent_check(inst, placed)[0]),
                "same_routes": "yes" if same_routes else "NO",
                "identical": "yes" if same else "NO",
                "place_ok": placed.check(placed_problem).ok,
                "time_s": round(time.perf_counter() - started, 1),
                "limit_hit": plain.info.time_limit_hit or placed.info.time_limit_hit,
            }
        )
    print_table(
        f"PVRP with tours off: each instance as read and with one unused place (effort {effort:g}, seed {seed})",
        rows,
        "pvrp_places",
    )
    differ = sum(1 for r in rows if r["identical"] != "yes")
    print(
        "costs and routes identical on every instance"
        if not differ
        else f"{differ} of {len(rows)} instances differ with an unused place"
    )
    return differ


def _cell(value: object) -> object:
    """Costs with two decimals and gaps with three, as text (the table's own format rounds to 4 digits)."""
    return f"{value:.2f}" if isinstance(value, float) else value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", help="comma-separated names, e.g. p01,p02 (default: all)")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="safety net, seconds per instance (default 60)"
    )
    parser.add_argument(
        "--effort", type=float, default=EFFORT, help=f"work budget per instance (default {EFFORT})"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"raced searches (default {RUNS})")
    parser.add_argument("--workers", type=int, default=2, help="processes the runs share (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--polish", action="store_true", help="let the engine polish (default: measure only)")
    parser.add_argument(
        "--polish-iterations", type=int, default=3000, help="PyVRP iterations a day to measure (0: skip)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: p01, p14, pr01 at effort 4")
    parser.add_argument("--out", type=Path, default=RESULTS / "pvrp.csv", help="CSV file to write")
    parser.add_argument(
        "--places-check",
        action="store_true",
        help=f"only check that an unused place changes no plan ({', '.join(PLACES_CHECK)} at effort 2)",
    )
    args = parser.parse_args(argv)
    if args.places_check:
        return 1 if places_check(args.instances.split(",") if args.instances else [], args.seed) else 0
    reference = best_known()
    names = args.instances.split(",") if args.instances else sorted(reference)
    effort = args.effort
    if args.quick:
        names, effort = list(args.instances.split(",") if args.instances else QUICK), 4.0
    params = RoutingParams(
        effort=effort, runs=args.runs, survivors=min(2, args.runs), race_at=RACE_AT, polish=args.polish
    )
    print(
        f"effort {effort}, {args.runs} runs raced (2 go on after {RACE_AT:.0%}), {args.workers} workers, "
        f"time limit {args.time_limit:g} s",
        flush=True,
    )
    warm_up()  # JIT compilation once, outside every instance's time
    rows = []
    with ProcessPoolExecutor(args.workers, initializer=warm_up) as pool:
        list(
            pool.map(time.sleep, [1.0] * args.workers)
        )  # start every worker (and its JIT load) before timing
        pids = list(pool._processes)
        options = SolverOptions(time_limit_seconds=args.time_limit, seed=args.seed, mapper=pool.map)
        for name in names:
            row = solve_instance(name, params, options, pids, args.polish_iterations)
            known, known_2014 = reference.get(name, (None, None))
            row["best_known"] = known
            row["best_known_2014"] = known_2014
            cost = float(row["objective"])  # type: ignore[arg-type]
            gap, gap_2014 = gap_pct(cost, known), gap_pct(cost, known_2014)
            row["gap_best_known"] = None if gap is None else round(gap, 3)
            row["gap_best_known_2014"] = None if gap_2014 is None else round(gap_2014, 3)
            rows.append(row)
            print(
                f"{name:5} n={row['n']:<4} {cost:10.2f}  gap {'' if gap is None else f'{gap:6.2f}':>6} %  "
                f"gap 2014 {'' if gap_2014 is None else f'{gap_2014:6.2f}':>6} %  {row['time_s']:5} s  "
                f"cpu {row['cpu_s']:5} s  {'feasible' if row['feasible'] else 'NOT FEASIBLE ' + str(row['violations'])}"
                + ("  (clock)" if row["time_limit_hit"] else ""),
                flush=True,
            )
    order = [
        "instance",
        "n",
        "t",
        "objective",
        "best_known",
        "gap_best_known",
        "best_known_2014",
        "gap_best_known_2014",
        "time_s",
        "cpu_s",
        "feasible",
        "time_limit_hit",
        "polished",
        "polish_gain_pct",
        "polish_s",
        "violations",
    ]
    table = [{k: _cell(row.get(k)) for k in order} for row in rows]
    print_table("PVRP: salesplan routing engine vs best known (gaps in %)", table, args.out.stem)
    summary(rows, reference)
    if args.out != RESULTS / "pvrp.csv":  # print_table wrote benchmarks/results/<stem>.csv
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=order)
            writer.writeheader()
            writer.writerows(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
