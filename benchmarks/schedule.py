"""Schedule certificates told apart: the printed gap (route quality or a weak bound?) on the bundled examples.

The plan prints one gap per schedule: its objective (travel minutes + penalties of dropped visits) against
the bound of optimizer/schedule/bound.py. A large gap means the routes are poor or the bound is weak; this
benchmark tells which, in one run, per rep:

- ``gap_to_bound_pct``: (objective − bound) / objective, as the plan reports it (proof), and
  ``bound_method``: which bound of optimizer/schedule/bound.py proves it (day routes: the column-generation
  LP over day routes, where its label budget allows; nearest arcs otherwise);
- ``travel``: travel minutes of the plan's day routes; ``peer_travel``: an independent peer's on the
  *same* days with the *same* visits — PyVRP (0.14, iterated local search, fixed iterations and seed)
  routing each day alone from the day's start (home, or the night's place) to its end, within the
  engine's day (working day less lunch) and each visit's window [earliest, latest start as the engine
  sees it], every visit required; ``vs_peer_pct``: (travel − peer_travel) / peer_travel (route quality;
  below 0: the plan's routes are shorter than the peer's).

The peer fixes the plan's day patterns, so it measures the routing within a day, not the choice of days.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from salesplan.optimizer.data import PlanData
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule.result import ScheduleResult
from salesplan.optimizer.travel import Place
from salesplan.pipeline import plan
from salesplan.scenarios import load_scenario

from ._table import print_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"
BUNDLED = ("bank-key-accounts", "dealer-network", "dealer-network-two-reps-fewer", "electronics-distributor")


def _place(data: PlanData, rep_home: Place, place_id: str) -> Place:
    """Where a day starts or ends: the rep's home, a listed overnight place, or an account's town."""
    if not place_id:
        return rep_home
    listed = next((p.place for p in data.overnight_places if p.id == place_id), None)
    return listed if listed is not None else data.account_by_id[place_id].place


def peer_day(data: PlanData, start: Place, end: Place, accounts: list[str], iterations: int) -> int | None:
    """PyVRP's travel minutes for one day's visits from ``start`` to ``end`` (module docstring), or None
    when it finds no feasible route."""
    horizon = data.horizon
    day = horizon.day_minutes - horizon.lunch
    spots = [start, end, *(data.account_by_id[a].place for a in accounts)]
    tau = np.ceil(data.travel_model.minutes(spots) - 1e-9)
    np.fill_diagonal(tau, 0.0)
    matrix = tau.astype(np.int64)
    clients = []
    for k, account_id in enumerate(accounts, start=2):
        service, early, late = data.window(data.account_by_id[account_id])
        engine_late = data.engine_late(late)
        clients.append(
            Client(location=k, delivery=[0], service_duration=service, tw_early=early,
                   tw_late=max(early, engine_late), required=True, name=account_id)
        )  # fmt: skip
    problem = ProblemData(
        locations=[Location(p.lon, p.lat) for p in spots],
        clients=clients,
        depots=[Depot(0, tw_early=0, tw_late=day), Depot(1, tw_early=0, tw_late=day)],
        vehicle_types=[VehicleType(1, capacity=[0], start_depot=0, end_depot=1, tw_early=0, tw_late=day)],
        distance_matrices=[matrix],
        duration_matrices=[matrix],
    )
    stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(10.0)])
    best = solve(problem, stop, seed=1, collect_stats=False, display=False).best
    if not best.is_feasible():
        return None
    return int(sum(route.distance() for route in best.routes()))


def rep_rows(name: str, data: PlanData, schedule: ScheduleResult, iterations: int) -> list[dict[str, Any]]:
    """One row per rep: the printed gap, the plan's travel and the peer's on the same days."""
    on_day: dict[tuple[str, Any], list[tuple[int, str]]] = defaultdict(list)
    for v in schedule.visits:
        on_day[v.rep_id, v.date].append((v.order, v.account_id))
    travel: dict[str, int] = defaultdict(int)
    peer: dict[str, int] = defaultdict(int)
    lost: dict[str, int] = defaultdict(int)
    for d in schedule.days:
        accounts = [a for _, a in sorted(on_day.get((d.rep_id, d.date), []))]
        home = data.rep_by_id[d.rep_id].home
        travel[d.rep_id] += d.travel_minutes
        found = (
            peer_day(data, _place(data, home, d.start_place), _place(data, home, d.end_place), accounts,
                     iterations)
            if accounts
            else None
        )  # fmt: skip
        if found is None:  # a day without visits, or one the peer cannot route: counts as the plan's
            lost[d.rep_id] += 1 if accounts else 0
            peer[d.rep_id] += d.travel_minutes
        else:
            peer[d.rep_id] += found
    rows = []
    for r in schedule.reps:
        objective, bound = r.info.objective or 0.0, r.info.bound or 0.0
        rows.append({
            "instance": name, "rep": r.rep_id, "visits": r.scheduled_visits,
            "objective": round(objective, 1), "bound": round(bound, 1),
            "gap_to_bound_pct": round(100.0 * (objective - bound) / max(abs(objective), 1e-9), 2),
            "bound_method": r.info.message.rpartition("bound: ")[2],  # the solver's message names it
            "travel": travel[r.rep_id], "peer_travel": peer[r.rep_id],
            "vs_peer_pct": round(100.0 * (travel[r.rep_id] - peer[r.rep_id]) / max(peer[r.rep_id], 1), 2),
            "peer_infeasible_days": lost[r.rep_id],
        })  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks schedule",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--instances", default="", help=f"comma-separated, from: {', '.join(BUNDLED)}")
    parser.add_argument("--iterations", type=int, default=2000, help="PyVRP iterations per day")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.instances.split(",") if n.strip()] or list(BUNDLED)
    unknown = [n for n in chosen if n not in BUNDLED]
    if unknown:
        parser.error(f"unknown instance(s) {', '.join(unknown)}; choose from {', '.join(BUNDLED)}")
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    for name in chosen:
        scenario = load_scenario(EXAMPLES / name)
        solver = scenario.policy.solver
        options = SolverOptions(time_limit_seconds=solver.time_limit_seconds, seed=solver.seed)
        started = time.perf_counter()
        result = plan(scenario, options)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        mine = rep_rows(name, result.plan.data, result.plan.schedule, args.iterations)
        peer_seconds = time.perf_counter() - started
        print(f"[schedule {name}] planned in {seconds:.1f} s, peer in {peer_seconds:.1f} s", file=sys.stderr)
        rows += mine
        travel, peer = sum(r["travel"] for r in mine), sum(r["peer_travel"] for r in mine)
        gaps = [r["gap_to_bound_pct"] for r in mine]
        versus = [r["vs_peer_pct"] for r in mine]
        totals.append({
            "instance": name, "reps": len(mine), "travel": travel, "peer_travel": peer,
            "vs_peer_pct": round(100.0 * (travel - peer) / max(peer, 1), 2),
            "worst_rep_vs_peer_pct": max(versus, default=math.nan),
            "reps_within_1pct_of_peer": sum(v <= 1.0 for v in versus),
            "max_gap_to_bound_pct": max(gaps, default=math.nan),
            "reps_gap_le_10pct": sum(g <= 10.0 for g in gaps),
            "plan_seconds": round(seconds, 1), "peer_seconds": round(peer_seconds, 1),
        })  # fmt: skip
    print_table("Per rep: the printed gap (proof) and the routes against PyVRP on the same days", rows,
                "schedule")  # fmt: skip
    print_table("Per example", totals, "schedule_totals")
    return rows
