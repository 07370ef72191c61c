"""Tours benchmark (issue "Overnight trips"): multi-day tours with nights away against day trips and a peer.

    python -m benchmarks tours                       # 600 dealers, three provinces, 13 weeks
    python -m benchmarks tours --quick               # 150 dealers, Shandong, 4 weeks (well under 2 minutes)
    python -m benchmarks tours --dealers 900 --seed 2 --time-limit 60

Instance: generated into a temporary folder from ``--seed`` (benchmarks/_generate.py,
``write_tour_scenario``): dealers clustered around the county towns of Shandong, Henan and Hebei (one
region each), reps living in two cities per province, so that many dealers are 150–400 road km from
every rep, beyond a day trip; a hotel in most towns no rep lives in; the dealer example's tiers and
``policy.travel.overnight``. Three chains on it, one after the other in this process:

- ``overnight``: salesplan on the scenario as generated (overnight trips on), through its public door
  (``salesplan.pipeline.plan(scenario, options)`` on ``load_scenario``), with the scenario's time limit
  per stage unless ``--time-limit``;
- ``day-trips``: the same on day-trips.yaml, the same scenario with ``policy.travel.overnight.enabled:
  false``;
- ``peer``: PyVRP routing each rep's week as ONE long route with the nights as breaks
  (benchmarks/_week_routes.py states the model), on the visits of the ``overnight`` plan: its scheduled
  visits in the weeks it schedules them (visits.csv), and the visits it planned but dropped spread
  evenly over the weeks (dropped.csv), so the peer gets the same demand as the plan. ``--peer-iterations``
  PyVRP iterations per rep-week, ``--peer-seconds`` its safety net.

Columns: visits planned (scheduled + dropped); dropped share (%), and visits dropped for reach (beyond a
day trip); far visited, the dealers beyond a day trip from every rep of their region (``salesplan
validate``'s warning) that get at least one visit; nights away (a salesplan day's ``night``, when the
schedule's days carry one: "n/a" before they do; 0 for day trips); travel hours (every day's, the trips
to and from the night's place included); hotel cost = Σ over the nights of the place's hotel cost (the
policy's where the place has none, or the night is not at a listed place) plus the per diem; total cost =
Σ_reps travel hours × the rep's cost per hour + hotel cost; hours gap, the worst rep's planned visit
hours against its scheduled field hours (workload.csv's ``planned_vs_field_pct``, absolute; the plan's
rounds aim at 5 %; n/a for the peer, which plans nothing); time (salesplan: the whole plan; the peer:
its solves). A second table sets ``overnight`` beside the other two: travel ratio and total-cost ratio
(overnight / other; below 1: overnight is cheaper), with the visits each scheduled (``visits_other``: the
other chain's).

Before the instance a tiny generated scenario is planned once, untimed (numba compiles then). Prints both
tables and writes benchmarks/results/tours.csv and tours_compare.csv; progress goes to stderr. That the
routing engine with places gives the plans of before when no day uses them is checked by
``python -m benchmarks pvrp --places-check``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesplan.optimizer.data import PlanData
from salesplan.optimizer.reach import check_reach
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule.result import DayPlan, ScheduleResult
from salesplan.pipeline import PlanInfeasible, PlanResult, plan
from salesplan.scenarios import load_scenario

from ._generate import write_tour_scenario
from ._table import print_table
from ._week_routes import WeekRoute, solve_week
from .plan import warm_up

QUICK = {"dealers": 150, "provinces": 1, "weeks": 4}
FULL = {"dealers": 600, "provinces": 3, "weeks": 13}
HAS_NIGHTS = "night" in {f.name for f in dataclasses.fields(DayPlan)}  # tours wired into the schedule


@dataclass(frozen=True)
class Figures:
    """One chain's figures; ``nights`` and ``hotel_cost`` None where the plan does not say (n/a)."""

    planned: int
    dropped: int
    dropped_reach: int | None
    far_visited: int
    nights: int | None
    travel_hours: float
    hotel_cost: float | None
    total_cost: float
    scheduled: int
    seconds: float
    note: str = ""
    hours_gap: float | None = None  # the worst rep's |planned visit hours / scheduled field hours − 1|, %


Demand = dict[tuple[str, int], Counter[str]]  # the visits the peer routes: per (rep, week) per account


def _say(chain: str, started: float) -> Callable[[str], None]:
    def say(text: str) -> None:
        print(f"[tours {chain} {time.perf_counter() - started:7.1f}s] {text}", file=sys.stderr, flush=True)

    return say


def run_salesplan(path: Path, time_limit: float | None, chain: str) -> tuple[PlanResult | None, float, str]:
    """Load and plan ``path`` as `salesplan plan` does (the scenario's solver policy, ``time_limit`` per
    stage over it); (result or None, seconds, why infeasible)."""
    started = time.perf_counter()
    scenario = load_scenario(path)
    policy = scenario.policy.solver
    seconds = policy.time_limit_seconds if time_limit is None else time_limit
    options = SolverOptions(time_limit_seconds=seconds, relative_gap=policy.relative_gap, seed=policy.seed)
    try:
        result = plan(scenario, options, progress=_say(chain, started))
    except PlanInfeasible as exc:
        return None, time.perf_counter() - started, str(exc)
    return result, time.perf_counter() - started, ""


def far_dealers(data: PlanData) -> frozenset[str]:
    """The accounts no rep of their region reaches in a day trip (validate's warning)."""
    return frozenset(r.account_id for found in check_reach(data) for r in found.reaches)


def night_cost(data: PlanData, night: object) -> float:
    """Hotel and per diem of one night: at the listed place of that id, else at the policy's rate."""
    rules = data.overnight
    if rules is None:
        return 0.0
    listed = {p.id: p for p in data.overnight_places}
    return rules.night_cost(listed.get(str(getattr(night, "id", night))))


def salesplan_figures(result: PlanResult, far: frozenset[str], seconds: float, tours: bool) -> Figures:
    """The figures of a salesplan plan (``tours``: overnight trips were on)."""
    data, schedule = result.data, result.schedule
    dropped = schedule.dropped_visits
    reach = sum(d.visits for d in schedule.dropped if d.kind == "reach")
    visited = {v.account_id for v in schedule.visits}
    travel_cost = sum(d.travel_minutes / 60.0 * data.rep_by_id[d.rep_id].cost_per_hour for d in schedule.days)
    nights: int | None = None
    hotel: float | None = None
    if HAS_NIGHTS:
        away = [getattr(d, "night", None) for d in schedule.days]
        away = [n for n in away if n not in (None, "")]
        nights, hotel = len(away), sum(night_cost(data, n) for n in away)
    elif not tours:
        nights, hotel = 0, 0.0  # day trips only: every night at home
    return Figures(
        planned=len(schedule.visits) + dropped,
        dropped=dropped,
        dropped_reach=reach,
        far_visited=len(visited & far),
        nights=nights,
        travel_hours=schedule.travel_minutes / 60.0,
        hotel_cost=hotel,
        total_cost=travel_cost + (hotel or 0.0),
        scheduled=len(schedule.visits),
        seconds=seconds,
        note="" if nights is not None else "nights not in the schedule yet: total without hotels",
        hours_gap=None if result.outcome.hours_gap is None else 100.0 * result.outcome.hours_gap,
    )


def demand_of(data: PlanData, schedule: ScheduleResult) -> Demand:
    """The plan's visits per rep and week: scheduled ones in their week, dropped ones (of a rep) spread
    evenly: visit j of an account's k planned belongs to week ⌊(j + ½)·W / k⌋; the weeks its scheduled
    visits do not take get its dropped visits, then the weeks where it has the fewest."""
    horizon = data.horizon
    weeks = horizon.weeks
    demand: Demand = defaultdict(Counter)
    by_account: dict[str, Counter[int]] = defaultdict(Counter)
    for v in schedule.visits:
        week = (v.date - horizon.start).days // 7
        demand[v.rep_id, week][v.account_id] += 1
        by_account[v.account_id][week] += 1
    for drop in schedule.dropped:
        if drop.rep_id is None or drop.visits <= 0:
            continue
        taken = Counter(by_account[drop.account_id])
        planned = sum(taken.values()) + drop.visits
        free: list[int] = []
        for j in range(planned):
            slot = int((j + 0.5) * weeks / planned)
            if taken[slot] > 0:
                taken[slot] -= 1
            else:
                free.append(slot)
        counts = by_account[drop.account_id]
        for k in range(drop.visits):
            week = free[k] if k < len(free) else min(range(weeks), key=lambda w: (counts[w], w))
            demand[drop.rep_id, week][drop.account_id] += 1
            counts[week] += 1
    return demand


def peer_figures(
    result: PlanResult, far: frozenset[str], iterations: int, max_seconds: float, seed: int
) -> tuple[Figures, list[WeekRoute]]:
    """PyVRP on every rep-week of the plan's demand, with the plan's overnight rules and places."""
    data = result.data
    demand = demand_of(data, result.schedule)
    rules, places = data.overnight, data.overnight_places
    say = _say("peer", time.perf_counter())
    routes: list[WeekRoute] = []
    visited: set[str] = set()
    for n, ((rep_id, week), counts) in enumerate(sorted(demand.items())):
        rep = data.rep_by_id[rep_id]
        start = data.horizon.start + dt.timedelta(days=7 * week)
        wanted = [(data.account_by_id[a], k) for a, k in sorted(counts.items())]
        route = solve_week(
            data, rep, start, wanted, rules, places, iterations=iterations, max_seconds=max_seconds, seed=seed
        )
        routes.append(route)
        left = Counter(route.dropped)
        visited |= {a for a, k in counts.items() if k > left[a]}
        if n % 25 == 24:
            say(f"{n + 1} of {len(demand)} rep-weeks routed")
    planned = sum(sum(c.values()) for c in demand.values())
    dropped = sum(len(r.dropped) for r in routes)
    cost_per_hour = {r.id: r.cost_per_hour for r in data.reps}
    hotel = sum(r.hotel_cost for r in routes)
    travel_cost = sum(r.travel_minutes / 60.0 * cost_per_hour[r.rep_id] for r in routes)
    infeasible = sum(not r.feasible for r in routes)
    figures = Figures(
        planned=planned,
        dropped=dropped,
        dropped_reach=None,
        far_visited=len(visited & far),
        nights=sum(r.nights for r in routes),
        travel_hours=sum(r.travel_minutes for r in routes) / 60.0,
        hotel_cost=hotel,
        total_cost=travel_cost + hotel,
        scheduled=planned - dropped,
        seconds=sum(r.seconds for r in routes),
        note=f"{infeasible} rep-weeks infeasible" if infeasible else "",
    )
    return figures, routes


def row(
    instance: str, size: dict[str, int], chain: str, figures: Figures | None, note: str = ""
) -> dict[str, Any]:
    line: dict[str, Any] = {"instance": instance, **size, "chain": chain}
    if figures is None:
        cells: dict[str, Any] = dict.fromkeys(
            ("visits_planned", "dropped_pct", "dropped_reach", "far_visited", "nights", "travel_h",
             "hotel_cost", "total_cost", "hours_gap_pct", "time_s"),
        )  # fmt: skip
        return {**line, **cells, "note": note[:80]}
    f = figures
    return {
        **line,
        "visits_planned": f.planned,
        "dropped_pct": round(100.0 * f.dropped / f.planned, 2) if f.planned else None,
        "dropped_reach": "n/a" if f.dropped_reach is None else f.dropped_reach,
        "far_visited": f.far_visited,
        "nights": "n/a" if f.nights is None else f.nights,
        "travel_h": round(f.travel_hours, 1),
        "hotel_cost": "n/a" if f.hotel_cost is None else round(f.hotel_cost),
        "total_cost": round(f.total_cost),
        "hours_gap_pct": "n/a" if f.hours_gap is None else round(f.hours_gap, 1),
        "time_s": round(f.seconds, 1),
        "note": f.note,
    }


def compare(instance: str, base: Figures | None, other: Figures | None, against: str) -> dict[str, Any]:
    """``overnight`` beside another chain: travel and total cost, overnight / other."""

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 3) if b > 0 else None

    both = base is not None and other is not None
    return {
        "instance": instance,
        "comparison": f"overnight / {against}",
        "travel_ratio": ratio(base.travel_hours, other.travel_hours) if both else None,  # type: ignore[union-attr]
        "total_cost_ratio": ratio(base.total_cost, other.total_cost) if both else None,  # type: ignore[union-attr]
        "visits_overnight": None if base is None else base.scheduled,
        "visits_other": None if other is None else other.scheduled,
    }


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks tours",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated scenario (default 1)")
    parser.add_argument("--dealers", type=int, default=None, help="dealers (default 600; --quick: 150)")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="seconds per stage (default: the scenario's, 30)"
    )
    parser.add_argument(
        "--peer-iterations", type=int, default=2000, help="PyVRP iterations per rep-week (default 2000)"
    )
    parser.add_argument(
        "--peer-seconds", type=float, default=10.0, help="safety net per rep-week, seconds (default 10)"
    )
    parser.add_argument("--quick", action="store_true", help="150 dealers in Shandong over 4 weeks")
    args = parser.parse_args(argv)
    size = dict(QUICK if args.quick else FULL)
    if args.dealers is not None:
        size["dealers"] = args.dealers
    instance = f"tours-{size['dealers']}" + ("-quick" if args.quick else "")

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="salesplan-tours-") as tmp:
        warm = warm_up(Path(tmp) / "warm-up")
        print(f"[tours] warmed up in {warm:.1f} s", file=sys.stderr, flush=True)
        path = write_tour_scenario(Path(tmp) / instance, seed=args.seed, **size)
        shape = {"dealers": size["dealers"], "reps": len(load_scenario(path).reps), "weeks": size["weeks"]}
        overnight, seconds, why = run_salesplan(path, args.time_limit, "overnight")
        base = other = peer = None
        far: frozenset[str] = frozenset()
        if overnight is not None:
            far = far_dealers(overnight.data)
            print(f"[tours] {len(far)} dealers beyond a day trip from every rep", file=sys.stderr, flush=True)
            base = salesplan_figures(overnight, far, seconds, tours=True)
        rows.append(row(instance, shape, "overnight", base, why))
        day_trips, seconds, why = run_salesplan(path.parent / "day-trips.yaml", args.time_limit, "day-trips")
        if day_trips is not None:
            other = salesplan_figures(day_trips, far_dealers(day_trips.data), seconds, tours=False)
        rows.append(row(instance, shape, "day-trips", other, why))
        if overnight is not None:
            seed = overnight.scenario.policy.solver.seed
            peer, _ = peer_figures(overnight, far, args.peer_iterations, args.peer_seconds, seed)
        rows.append(row(instance, shape, "peer", peer, "" if overnight is not None else "no plan to route"))

    limit = "the scenario's" if args.time_limit is None else f"{args.time_limit:g} s"
    print_table(
        f"Tours: overnight trips vs day trips vs PyVRP week routes (time limit per stage: {limit}; "
        f"peer: {args.peer_iterations} iterations per rep-week; seed {args.seed}; far_visited of the "
        f"{len(far)} dealers beyond a day trip)",
        rows,
        "tours",
    )
    pairs = [compare(instance, base, other, "day-trips"), compare(instance, base, peer, "peer")]
    print_table(
        "Overnight beside day trips and the peer (ratios below 1: overnight is cheaper)",
        pairs,
        "tours_compare",
    )
    return rows


if __name__ == "__main__":
    main()
