"""Independent check of a periodic routing plan: recomputes the cost and lists every violation.

Written apart from the search (plain Python over the problem's own data), so that the benchmark and the
product tests do not trust the solver's bookkeeping. Tolerance ``tol`` on loads, times and cost.

Each route of day d runs from the day's start s_d to its finish f_d. On a day with s_d ≠ f_d every
vehicle makes that trip: a vehicle without a reported route counts as an empty route, costs c[s_d, f_d]
and must reach f_d by the end of the day like any other.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from .problem import PeriodicRoutingProblem
from .result import PeriodicRoutingResult


@dataclass(frozen=True)
class PlanCheck:
    """Recomputed costs and the list of violations (empty = feasible and consistent)."""

    travel_cost: float
    penalty_cost: float
    violations: tuple[str, ...]

    @property
    def total_cost(self) -> float:
        return self.travel_cost + self.penalty_cost

    @property
    def ok(self) -> bool:
        return not self.violations


def check_plan(problem: PeriodicRoutingProblem, plan: PeriodicRoutingResult, tol: float = 1e-6) -> PlanCheck:
    """Check constraints (1)–(4) of :mod:`problem` on ``plan`` and recompute its costs."""
    bad: list[str] = []
    n, t = problem.n, len(problem.days)
    if len(plan.patterns) != n:
        bad.append(f"{len(plan.patterns)} patterns given for {n} customers")
    visits: dict[int, list[int]] = {i: [] for i in range(1, n + 1)}
    per_day = Counter(route.day for route in plan.routes)
    for d, count in per_day.items():
        if not 0 <= d < t:
            bad.append(f"route on day {d}, outside 0..{t - 1}")
        elif count > problem.days[d].vehicles:
            bad.append(f"day {d}: {count} routes for {problem.days[d].vehicles} vehicles")
    travel = 0.0
    for d, day in enumerate(problem.days):  # vehicles with no reported route still travel s_d → f_d
        if day.start != day.finish:
            for _ in range(day.vehicles - per_day[d]):
                travel += _check_route(
                    problem, d, (), (), float(problem.cost[day.start, day.finish]), bad, tol
                )
    for route in plan.routes:
        travel += _check_route(problem, route.day, route.customers, route.starts, route.cost, bad, tol)
        for i in route.customers:
            if 1 <= i <= n:
                visits[i].append(route.day)
    dropped = {d.customer for d in plan.dropped}
    penalty = 0.0
    for i in range(1, n + 1):
        customer = problem.customers[i - 1]
        chosen = plan.patterns[i - 1] if i <= len(plan.patterns) else None
        days = sorted(visits[i])
        if chosen is None:
            if days:
                bad.append(f"customer {i} has no pattern but is visited on days {days}")
            if i not in dropped:
                bad.append(f"customer {i} has no pattern and is not reported dropped")
            if customer.drop_penalty is None:
                bad.append(f"mandatory customer {i} is not visited")
            else:
                penalty += customer.drop_penalty
            continue
        if tuple(chosen) not in customer.patterns:
            bad.append(f"customer {i}: pattern {chosen} is not allowed")
        if days != sorted(chosen):
            bad.append(f"customer {i}: visited on days {days}, pattern {tuple(chosen)}")
        if i in dropped:
            bad.append(f"customer {i} is reported dropped but has a pattern")
    if abs(travel - plan.travel_cost) > tol * max(1.0, abs(travel)):
        bad.append(f"reported travel cost {plan.travel_cost:.6f}, recomputed {travel:.6f}")
    if abs(penalty - plan.penalty_cost) > tol * max(1.0, abs(penalty)):
        bad.append(f"reported penalty cost {plan.penalty_cost:.6f}, recomputed {penalty:.6f}")
    return PlanCheck(travel, penalty, tuple(bad))


def _check_route(
    problem: PeriodicRoutingProblem,
    d: int,
    customers: tuple[int, ...],
    starts: tuple[float, ...],
    cost: float,
    bad: list[str],
    tol: float,
) -> float:
    """Check one route's load, windows and end of day against its reported start times; its cost."""
    n = problem.n
    where = f"day {d} route {list(customers)}"
    if any(not 1 <= i <= n for i in customers):
        bad.append(f"{where}: customer index outside 1..{n}")
        return 0.0
    if len(set(customers)) != len(customers):
        bad.append(f"{where}: a customer is visited twice on one day")
    if len(starts) != len(customers):
        bad.append(f"{where}: {len(starts)} start times for {len(customers)} visits")
        starts = (0.0,) * len(customers)
    if not 0 <= d < len(problem.days):
        return sum(float(problem.cost[a, b]) for a, b in itertools.pairwise((0, *customers, 0)))
    day = problem.days[d]
    path = (day.start, *customers, day.finish)
    length = sum(float(problem.cost[a, b]) for a, b in itertools.pairwise(path))
    if abs(length - cost) > tol * max(1.0, length):
        bad.append(f"{where}: reported cost {cost:.6f}, recomputed {length:.6f}")
    load = sum(problem.customers[i - 1].demand for i in customers)
    if load > day.capacity + tol:
        bad.append(f"{where}: load {load:g} exceeds capacity {day.capacity:g}")
    tau = problem.travel_time
    ready = 0.0  # earliest time the vehicle can start the next service
    prev = day.start
    for i, start in zip(customers, starts, strict=False):
        customer = problem.customers[i - 1]
        early, late = customer.time_window if customer.time_window else (0.0, float("inf"))
        if start < ready + tau[prev, i] - tol:
            bad.append(f"{where}: customer {i} starts at {start:g}, before it can be reached")
        if start < early - tol or start > late + tol:
            bad.append(f"{where}: customer {i} starts at {start:g}, outside its window [{early:g}, {late:g}]")
        ready = start + customer.service
        prev = i
    back = ready + tau[prev, day.finish]
    if back > day.end + tol:
        bad.append(
            f"{where}: reaches its finish {day.finish} at {back:g}, after the end of the day {day.end:g}"
        )
    return length
