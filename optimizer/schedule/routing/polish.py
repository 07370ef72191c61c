"""Re-optimise each day's routes with PyVRP (Wouda, Lan & Kool 2024, INFORMS J. Comput.), visits fixed.

With the day's customers fixed, day d is a capacitated VRP with time windows and a fleet of m_d
whose routes run from the day's start s_d to its finish f_d: PyVRP's depots are those two nodes (one
depot when s_d = f_d), its vehicle type starts at the first and ends at the second. PyVRP's iterated
local search starts from our routes (warm start) and runs a fixed number of iterations. PyVRP works
on integers, so data are scaled by 1000 and rounded *conservatively* (durations and demands up,
windows, capacity and day ends inwards); the new routes are re-checked in doubles and kept only when
feasible and cheaper — cheaper counting the trip s_d → f_d of every idle vehicle, which PyVRP itself
does not charge.
"""

from __future__ import annotations

import math
import time

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, Solution, VehicleType, solve
from pyvrp.stop import MaxIterations

from .problem import PeriodicRoutingProblem

SCALE = 1000.0
NO_LATEST = int(np.iinfo(np.int64).max)  # PyVRP's default latest time (no time window), passed explicitly


def polish_days(
    problem: PeriodicRoutingProblem,
    routes: list[list[list[int]]],
    iterations: int,
    seed: int,
    deadline: float,
) -> list[list[list[int]]]:
    """Each day's routes, replaced by PyVRP's when those are feasible and cheaper; no day is started
    after ``deadline`` (seconds since the epoch, as ``time.time()``)."""
    out = []
    for d, day_routes in enumerate(routes):
        customers = sorted(c for route in day_routes for c in route)
        best = day_routes
        if len(customers) >= 3 and time.time() < deadline:
            new = _polish_day(problem, d, day_routes, customers, iterations, seed)
            if (
                new is not None
                and _day_cost(problem, d, new) < _day_cost(problem, d, day_routes) - 1e-9
                and all(problem.route_fits(d, r) for r in new)
            ):
                best = new
        out.append(best)
    return out


def _day_cost(problem: PeriodicRoutingProblem, d: int, routes: list[list[int]]) -> float:
    """Travel of the day's routes, with the trip s_d → f_d of each idle vehicle when s_d ≠ f_d."""
    day = problem.days[d]
    idle = day.vehicles - len(routes) if day.start != day.finish else 0
    return sum(problem.route_cost(r, d) for r in routes) + idle * float(problem.cost[day.start, day.finish])


def _polish_day(
    problem: PeriodicRoutingProblem,
    d: int,
    day_routes: list[list[int]],
    customers: list[int],
    iterations: int,
    seed: int,
) -> list[list[int]] | None:
    day = problem.days[d]
    ends = [day.start] if day.start == day.finish else [day.start, day.finish]
    idx = np.array([*ends, *customers])
    cost = np.rint(problem.cost[np.ix_(idx, idx)] * SCALE).astype(np.int64)
    tau = np.ceil(problem.travel_time[np.ix_(idx, idx)] * SCALE - 1e-6).astype(np.int64)
    has_load = math.isfinite(day.capacity)
    clients: list[Client] = []
    for i in customers:
        c = problem.customers[i - 1]
        early, late = 0, NO_LATEST
        if c.time_window is not None:
            early = math.ceil(c.time_window[0] * SCALE - 1e-6)
            late = math.floor(c.time_window[1] * SCALE + 1e-6)
        clients.append(
            Client(
                location=len(ends) + len(clients),
                delivery=[math.ceil(c.demand * SCALE - 1e-6)] if has_load else [],
                service_duration=math.ceil(c.service * SCALE - 1e-6),
                tw_early=early,
                tw_late=late,
            )
        )
    end = math.floor(day.end * SCALE + 1e-6) if math.isfinite(day.end) else NO_LATEST
    vehicle = VehicleType(
        num_available=day.vehicles,
        capacity=[math.floor(day.capacity * SCALE + 1e-6)] if has_load else [],
        start_depot=0,
        end_depot=len(ends) - 1,
        tw_late=end,
    )
    data = ProblemData(
        locations=[Location(0.0, 0.0) for _ in idx],
        clients=clients,
        depots=[Depot(k, tw_late=end) for k in range(len(ends))],
        vehicle_types=[vehicle],
        distance_matrices=[cost],
        duration_matrices=[tau],
    )
    position = {c: k for k, c in enumerate(customers)}  # PyVRP's client index (0-based)
    init = Solution(data, [[position[c] for c in route] for route in day_routes])
    result = solve(data, MaxIterations(iterations), seed=seed, collect_stats=False, initial_solution=init)
    if not result.best.is_feasible():
        return None
    # a route's activities include its start and end depot; only client activities map to customers
    return [[customers[a.idx] for a in route if a.is_client()] for route in result.best.routes()]
