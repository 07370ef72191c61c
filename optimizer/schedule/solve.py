"""One rep's schedule: trim, route (the periodic routing engine), put back, time the days, bound.

1. :mod:`.trim` lowers visit counts when the rep's days cannot hold them all (least important first);
2. the routing engine (:func:`.routing.solve_periodic_routing`) chooses the day patterns and routes
   together — least travel plus penalties of accounts it leaves out;
3. :mod:`.reinsert` puts left-out visits back while evenly spread patterns still find room, and lets a
   visit above its tier minimum give way to a tier-minimum visit that finds no room;
4. :mod:`.timetable` times each day and places the lunch break;
5. :mod:`.bound` gives a proven lower bound, so the result carries a gap: the nearest-arc bound for every
   plan tried, the day-route bound for the one kept (:func:`certified`, called by :mod:`.run`).

Deterministic for a given seed and effort; the wall-clock limit is a safety net reported in the result.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

from ..result import SolveInfo, SolverOptions, SolveStatus
from .balance import balance
from .bound import arc_bound, route_bound
from .patterns import spacing
from .problem import Drop, RepProblem
from .reinsert import (
    Routes,
    best_insertion,
    displace,
    field_minutes,
    insert_visits,
    regular_days,
    reinsert,
    route_cost,
    route_starts,
)
from .result import DayPlan, ScheduledVisit
from .routing import RoutingParams, solve_periodic_routing
from .timetable import time_route
from .trim import trimmed_counts

SOLVER = "pvrp-sisr + even-pattern reinsertion"


@dataclass(frozen=True)
class ScheduleParams:
    """Work budget of the routing engine per rep, in its effort units (:class:`.routing.RoutingParams`):
    ``effort_scale`` × visits × accounts, clipped to [min_effort, max_effort].

    Measured on the bundled examples: a unit takes about a second whatever the size; 2–3-account reps
    (36–54 visits) give the same plan from 0.02 to 20 units; on the 20-rep electronics example, halving
    the budget from (5e-5, max 3) to (2.5e-5, max 1.5) changed travel by +0.9 % and drops by −7 of 590
    visits, in half the time.
    """

    effort_scale: float = 2.5e-5
    min_effort: float = 0.05
    max_effort: float = 1.5
    polish: bool = False  # PyVRP day polish: measured no gain on 5–8-stop days, and it costs seconds
    balance_passes: int = 2  # :mod:`.balance` passes (0: off)

    def effort(self, visits: int, accounts: int) -> float:
        return min(self.max_effort, max(self.min_effort, self.effort_scale * visits * accounts))


DEFAULT_PARAMS = ScheduleParams()


@dataclass(frozen=True)
class RepOutcome:
    """One rep's solved schedule (the parts :class:`.result.ScheduleResult` gathers)."""

    rep_id: str
    info: SolveInfo
    engine: SolveInfo
    visits: tuple[ScheduledVisit, ...]
    days: tuple[DayPlan, ...]
    drops: tuple[Drop, ...]
    scheduled: tuple[int, ...]  # visits per account of the problem
    variant: str = ""  # the plan kept: "" the problem's own, "longer" or "alternative" (:func:`solve_rep`)


def solve_rep(
    problem: RepProblem, options: SolverOptions, params: ScheduleParams = DEFAULT_PARAMS
) -> RepOutcome:
    """One rep's schedule (:func:`solve_one`); a rep with tours (:mod:`.tours`) is solved with them and on
    day trips only (``problem.alternative``), and the plan that loses fewer tier-minimum visits, then
    drops fewer visits, then costs less travel and nights (minutes, nights at the rep's cost per hour)
    is kept: a tour is used only when it reaches what day trips cannot or is cheaper than them. When
    visits of the tours' accounts find no room on them ('full'), the rep is also solved with every tour
    a day longer (``problem.longer``) and the better of the two toured plans is the one compared."""
    toured = solve_one(problem, options, params)
    alternative = problem.alternative
    if alternative is None:
        return toured
    touring = {account for account, _ in problem.tour_limits}
    chosen = problem
    if problem.longer is not None and any(d.kind == "full" and d.account_id in touring for d in toured.drops):
        # the tours' estimated length left a cluster's visits without room: every tour a day longer
        longer = solve_one(problem.longer, options, params)
        if _ranking(problem.longer, longer) < _ranking(problem, toured):
            chosen, toured = problem.longer, dataclasses.replace(longer, variant="longer")
    plain = solve_one(alternative, options, params)
    if _ranking(chosen, toured) < _ranking(alternative, plain):
        return toured
    return dataclasses.replace(plain, variant="alternative")


def certified(problem: RepProblem, outcome: RepOutcome, options: SolverOptions) -> RepOutcome:
    """``outcome`` (of :func:`solve_rep` on ``problem``) with the day-route bound (:func:`.bound.route_bound`,
    seeded with its routes) where it is above the nearest-arc bound :func:`solve_one` gave. Apart from the
    solve, as it costs more than the rest of the bound: the pipeline certifies only the round it keeps."""
    problem = getattr(problem, outcome.variant) if outcome.variant else problem
    assert problem is not None
    index = {account: a for a, account in enumerate(problem.accounts)}
    day = {date: d for d, date in enumerate(problem.dates)}
    routes: list[list[tuple[int, int]]] = [[] for _ in problem.dates]
    for v in outcome.visits:
        routes[day[v.date]].append((v.order, index[v.account_id] + 1))
    bound = route_bound(problem, [[node for _, node in sorted(route)] for route in routes])
    info = outcome.info
    if bound is None or info.bound is None or bound <= info.bound:
        return outcome
    message = info.message.replace("bound: nearest arcs", "bound: day routes")
    return dataclasses.replace(outcome, info=info.bounded(bound, options.relative_gap, message))


def _ranking(problem: RepProblem, outcome: RepOutcome) -> tuple[int, int, float]:
    """Tier-minimum visits dropped, then visits dropped, then travel and nights (minutes)."""
    short = problem.lost + sum(max(0, m - k) for m, k in zip(problem.minimum, outcome.scheduled, strict=True))
    dropped = sum(d.visits for d in outcome.drops)
    return short, dropped, sum(d.travel_minutes for d in outcome.days) + problem.night_minutes


def solve_one(
    problem: RepProblem, options: SolverOptions, params: ScheduleParams = DEFAULT_PARAMS
) -> RepOutcome:
    """Solve one rep's schedule (module docstring) within ``options``: the engine's work budget is
    ``params.effort`` × ``options.effort``, its wall-clock safety net ``options.seconds_left()`` (past the stage's deadline a rep still gets its
    greedy start, and no search)."""
    started = time.perf_counter()
    counts = trimmed_counts(problem)
    routing, members = problem.routing_problem(counts)
    engine_params = dataclasses.replace(
        RoutingParams(),
        effort=params.effort(sum(counts), len(members)) * options.effort,
        polish=params.polish,
    )
    quiet = SolverOptions(options.seconds_left(), options.relative_gap, options.seed)
    engine = solve_periodic_routing(routing, quiet, engine_params)
    routes: Routes = [[] for _ in problem.dates]
    for day_route in engine.routes:
        routes[day_route.day] = [members[c - 1] + 1 for c in day_route.customers]
    days: list[tuple[int, ...]] = [() for _ in range(problem.n)]
    for j, pattern in enumerate(engine.patterns):
        days[members[j]] = tuple(pattern) if pattern is not None else ()
    routes, days = reinsert(problem, routes, days)
    if params.balance_passes:
        routes, days = balance(problem, routes, days, params.balance_passes)
        routes, days = reinsert(problem, routes, days)  # what balancing freed takes missing visits
    routes, days, capped = within_budget(problem, routes, days)
    routes, days = displace(problem, routes, days)  # tier minimums before the visits above them
    routes, days = reinsert(problem, routes, days)  # the last cut may free room a cheaper visit fits
    for d, route in enumerate(routes):
        if route_starts(problem, route, d) is None:  # never: every step above keeps routes feasible
            raise RuntimeError(f"rep {problem.rep_id}: an infeasible route was built: {route}")
    scheduled = tuple(len(d) for d in days)
    visits, plans = _timetable(problem, routes)
    travel = sum(route_cost(problem, r, d) for d, r in enumerate(routes))
    nights = problem.night_minutes
    objective = travel + nights + sum(problem.penalty(a, scheduled[a]) for a in range(problem.n))
    bound = arc_bound(problem)
    gap = (objective - bound) / max(abs(objective), 1e-9)
    status = SolveStatus.OPTIMAL if gap <= options.relative_gap else SolveStatus.FEASIBLE
    info = SolveInfo(
        SOLVER,
        status,
        "min",
        objective,
        bound,
        time.perf_counter() - started,
        engine.info.time_limit_hit,
        f"travel {travel:,.0f} min + penalties {objective - travel - nights:,.0f}"
        + (f" + nights {nights:,.0f} min ({len(problem.tours)} tours)" if problem.tours else "")
        + "; bound: nearest arcs",
    )
    return RepOutcome(
        problem.rep_id,
        info,
        engine.info,
        visits,
        plans,
        _drops(problem, scheduled, routes, capped),
        scheduled,
    )


def within_budget(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]]
) -> tuple[Routes, list[tuple[int, ...]], set[int]]:
    """Routes that the rep's selling hours hold: while the visits and travel exceed ``problem.budget``,
    the account whose next visit matters least (smallest penalty, :mod:`.problem`) gives up one visit —
    its remaining visits placed again on the cheapest regularly spaced days (:func:`.reinsert.regular_days`).
    Returns the routes, the visit days and the accounts that gave up visits."""
    routes = [list(r) for r in routes]
    days = list(days)
    capped: set[int] = set()
    while field_minutes(problem, routes) > problem.budget + 1e-9 and any(days):
        cut = min(
            (a for a in range(problem.n) if days[a]),
            key=lambda a: (problem.next_drop_penalty(a, len(days[a])), a),
        )
        node = cut + 1
        for d in days[cut]:
            routes[d].remove(node)
        n = len(days[cut]) - 1
        choice = regular_days(problem, cut, n, routes, {}) if n > 0 else None
        days[cut] = choice[1] if choice is not None else ()
        if choice is not None:
            insert_visits(problem, routes, node, choice[1])
        capped.add(cut)
    return routes, days, capped


def _timetable(problem: RepProblem, routes: Routes) -> tuple[tuple[ScheduledVisit, ...], tuple[DayPlan, ...]]:
    visits: list[ScheduledVisit] = []
    plans: list[DayPlan] = []
    base = problem.day_start
    for d, route in enumerate(routes):
        first, last = problem.ends(d)
        if not route and first == last == 0:  # a tour's day without visits is still a day away
            continue
        day = time_route(problem, route, d)
        date = problem.dates[d]
        for order, (node, start, end, leg) in enumerate(
            zip(day.nodes, day.starts, day.ends, day.travel_before, strict=True), start=1
        ):
            visits.append(
                ScheduledVisit(
                    problem.rep_id, date, order, problem.accounts[node - 1], base + start, base + end, leg
                )
            )
        travel = sum(day.travel_before) + day.travel_home
        service = sum(day.ends) - sum(day.starts)
        lunch = 0 if day.lunch is None else day.lunch[1] - day.lunch[0]
        plans.append(DayPlan(
            problem.rep_id, date, len(route), base + day.departure, base + day.back,
            None if day.lunch is None else base + day.lunch[0], None if day.lunch is None else base + day.lunch[1],
            travel, service, day.back - day.departure - travel - service - lunch,
            _place(problem, first), _place(problem, last),
            problem.place_names[last - problem.n - 1] if last else "",
            problem.night_cost[d] if problem.night_cost else 0.0,
        ))  # fmt: skip
    return tuple(visits), tuple(plans)


def _place(problem: RepProblem, node: int) -> str:
    """days.csv's id of a day's start or end: "" for home, else the place's id."""
    return problem.places[node - problem.n - 1] if node else ""


def _drops(
    problem: RepProblem, scheduled: tuple[int, ...], routes: Routes, capped: set[int]
) -> tuple[Drop, ...]:
    """The visits left out and why. A visit dropped with days full is proven not to fit: the exact search
    of :func:`.reinsert.regular_days` found no set of one more visit days with regular gaps among the days
    whose route can still take the visit."""
    drops = list(problem.drops)
    for a in range(problem.n):
        if scheduled[a] >= problem.fitted[a]:
            continue
        node = a + 1
        without = [[v for v in r if v != node] for r in routes]
        regular = regular_days(problem, a, scheduled[a] + 1, without, {})
        if a in capped or regular is not None:
            used = field_minutes(problem, routes) / 60.0
            # field minutes of the cheapest regular set of one visit more (all of them, travel and on site)
            needed = regular[0] + (scheduled[a] + 1) * problem.service[a] if regular is not None else math.inf
            drops.append(Drop(
                problem.accounts[a], problem.rep_id, problem.fitted[a] - scheduled[a],
                f"the rep's selling hours are used up: {used:,.1f} h of visits and travel fill the "
                f"{problem.budget / 60:,.1f} h the horizon's selling hours leave after the opportunities' work; "
                "the visits that matter least (above the tier minimum, of least value) are dropped first",
                "hours", needed,
            ))  # fmt: skip
            continue
        mine = {d for d, route in enumerate(routes) if node in route}
        room = [
            d
            for d in problem.allowed[a]
            if d in mine or best_insertion(problem, routes[d], node, d) is not None
        ]
        rule = spacing(scheduled[a] + 1, problem.horizon_days, problem.min_days)
        drops.append(Drop(
            problem.accounts[a], problem.rep_id, problem.fitted[a] - scheduled[a],
            f"no set of {scheduled[a] + 1} visit days {rule.min_gap}–{rule.max_gap:g} days apart has room: of the "
            f"{len(problem.allowed[a])} days it can be visited, {len(room)} can take the visit (the others' routes are "
            "full or would run past the day); visits above the tier minimum and of least value are dropped first",
            "full",
        ))  # fmt: skip
    return tuple(sorted(drops, key=lambda d: d.account_id))
