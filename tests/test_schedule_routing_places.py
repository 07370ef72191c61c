"""Routes that start and finish away from the depot (places: hotels, overnight towns) in the routing
engine: hand-computed optima on a line, the brute force, the verifier, and unchanged plans when every
day runs from the depot and back."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from salesplan.optimizer.result import SolveInfo, SolverOptions, SolveStatus
from salesplan.optimizer.schedule.routing import (
    DayRoute,
    PeriodicRoutingProblem,
    PeriodicRoutingResult,
    RoutingCustomer,
    RoutingDay,
    RoutingParams,
    check_plan,
    solve_periodic_routing,
)
from salesplan.optimizer.schedule.routing.polish import polish_days

from .test_schedule_routing import brute_force, solve


def line(*x: float) -> list[tuple[float, float]]:
    """Points on the x axis: the depot first, then the customers, then the places."""
    return [(v, 0.0) for v in x]


# --- the model -----------------------------------------------------------------------------------


def test_start_and_finish_must_be_the_depot_or_a_place() -> None:
    customers = (RoutingCustomer(((0,),)), RoutingCustomer(((0,),)))
    xy = line(0, 10, 20, 30)  # depot, customers 1 and 2, place 3
    PeriodicRoutingProblem.from_coordinates(xy, customers, [RoutingDay(start=3, finish=0)], places=1)
    with pytest.raises(ValueError, match=r"day 0: start 1 must be the depot 0 or a place 3\.\.3"):
        PeriodicRoutingProblem.from_coordinates(xy, customers, [RoutingDay(start=1)], places=1)
    with pytest.raises(ValueError, match=r"day 1: finish 4 must be the depot 0 or a place 3\.\.3"):
        PeriodicRoutingProblem.from_coordinates(xy, customers, [RoutingDay(), RoutingDay(finish=4)], places=1)
    with pytest.raises(ValueError, match=r"finish 3 must be the depot 0 \(no places\)"):
        PeriodicRoutingProblem.from_coordinates(xy[:3], customers, [RoutingDay(finish=3)])
    with pytest.raises(ValueError, match=r"must be \(5, 5\) for the depot, 2 customers and 2 places"):
        PeriodicRoutingProblem.from_coordinates(xy, customers, [RoutingDay()], places=2)


def test_route_cost_and_schedule_run_from_the_days_start_to_its_finish() -> None:
    customers = (RoutingCustomer(((0,),), service=5.0), RoutingCustomer(((0,),), service=5.0))
    days = [RoutingDay(start=3, finish=0, max_duration=45.0)]
    problem = PeriodicRoutingProblem.from_coordinates(line(0, 10, 20, 30), customers, days, places=1)
    assert problem.route_cost((2, 1), 0) == 30.0
    assert problem.route_cost((2, 1)) == 40.0  # no day: from the depot and back
    assert problem.schedule((2, 1), 0) == ((10.0, 25.0), 40.0)
    assert problem.route_cost((), 0) == 30.0  # an empty route still travels from the start to the finish
    assert problem.route_fits(0, (2, 1)) and not problem.route_fits(0, (1, 2))  # 1, 2 reaches home at 60


# --- hand-computed optima --------------------------------------------------------------------------


def test_day_from_a_place_to_home_takes_the_line_in_one_sweep() -> None:
    # the rep wakes at the place (x = 30) and drives home (x = 0) past both customers: 10 + 10 + 10
    customers = (RoutingCustomer(((0,),), service=5.0), RoutingCustomer(((0,),), service=5.0))
    days = [RoutingDay(start=3, finish=0, max_duration=45.0)]
    problem = PeriodicRoutingProblem.from_coordinates(line(0, 10, 20, 30), customers, days, places=1)
    result = solve(problem)
    assert result.info.status is SolveStatus.FEASIBLE
    (route,) = result.routes
    assert route.customers == (2, 1)
    assert route.starts == (10.0, 25.0) and route.end == 40.0
    assert result.total_cost == pytest.approx(30.0)
    assert result.check(problem).ok


def test_two_day_trip_out_to_a_hotel_and_back() -> None:
    # customers at 40, 60, 120, 140, the hotel at 100; day 0 drives out (ends at 150), day 1 back (at
    # 200), visits take 10. Splitting 120 and 140 costs 40 + 80 extra, so one day takes both (+80, 280
    # in all) and then nothing else (180 + 20 = 200): day 1, since day 0 ends too early for it.
    customers = tuple(RoutingCustomer(((0,), (1,)), service=10.0) for _ in range(4))
    days = [
        RoutingDay(start=0, finish=5, max_duration=150.0),
        RoutingDay(start=5, finish=0, max_duration=200.0),
    ]
    problem = PeriodicRoutingProblem.from_coordinates(
        line(0, 40, 60, 120, 140, 100), customers, days, places=1
    )
    result = solve(problem)
    assert result.check(problem).ok
    assert result.total_cost == pytest.approx(280.0)
    assert result.total_cost == pytest.approx(brute_force(problem))
    assert [r.customers for r in result.day_routes(0)] == [(1, 2)]
    assert [r.customers for r in result.day_routes(1)] == [(3, 4)]


def far_customer(days: list[RoutingDay]) -> PeriodicRoutingProblem:
    """One mandatory customer at x = 100 (service 10) and a place at x = 90; days of 150."""
    customers = (RoutingCustomer(((0,), (1,)), service=10.0),)
    return PeriodicRoutingProblem.from_coordinates(line(0, 100, 90), customers, days, places=1)


def test_customer_beyond_a_day_trip_is_dropped_from_home_and_visited_from_a_place() -> None:
    # from home the round trip takes 100 + 10 + 100 = 210 > 150
    home = far_customer([RoutingDay(max_duration=150.0), RoutingDay(max_duration=150.0)])
    result = solve(home)
    assert result.info.status is SolveStatus.INFEASIBLE
    assert [d.customer for d in result.dropped] == [1]
    assert "after the end of the day" in result.dropped[0].reason
    # a night at the place: day 1 starts there and ends there (10 + 10 + 10)
    away = far_customer([RoutingDay(max_duration=150.0), RoutingDay(max_duration=150.0, start=2, finish=2)])
    result = solve(away)
    assert result.info.status is SolveStatus.FEASIBLE
    assert result.patterns == ((1,),)
    assert result.total_cost == pytest.approx(20.0)
    assert result.check(away).ok
    # driving out to the place on day 0: 100 + 10 on the way, 10 + 10 service (120 ≤ 150)
    out = far_customer([RoutingDay(max_duration=150.0, finish=2), RoutingDay(max_duration=150.0)])
    result = solve(out)
    assert result.patterns == ((0,),)
    assert result.total_cost == pytest.approx(110.0)
    assert result.check(out).ok


def test_empty_day_away_from_home_still_pays_the_drive() -> None:
    # customer 1 (x = 10) only on day 0 from home; day 1 brings the rep back from the place at x = 70
    customers = (RoutingCustomer(((0,),)),)
    days = [RoutingDay(), RoutingDay(start=2, finish=0)]
    problem = PeriodicRoutingProblem.from_coordinates(line(0, 10, 70), customers, days, places=1)
    result = solve(problem)
    assert result.info.status is SolveStatus.FEASIBLE
    assert result.info.objective == pytest.approx(20.0 + 70.0)
    assert result.travel_cost == pytest.approx(90.0)
    (idle,) = result.day_routes(1)
    assert idle.customers == () and idle.cost == 70.0 and idle.end == 70.0
    check = result.check(problem)
    assert check.ok and check.total_cost == pytest.approx(90.0)
    assert result.total_cost == pytest.approx(brute_force(problem))


def test_empty_day_whose_drive_does_not_fit_is_infeasible() -> None:
    customers = (RoutingCustomer(((0,),)),)
    days = [RoutingDay(), RoutingDay(start=2, finish=0, max_duration=50.0)]
    problem = PeriodicRoutingProblem.from_coordinates(line(0, 10, 70), customers, days, places=1)
    result = solve(problem)
    assert result.info.status is SolveStatus.INFEASIBLE
    (item,) = result.infeasibilities
    assert item.kind == "day_finish_unreachable" and item.ids == {"day": "1"}
    assert item.shortfall == pytest.approx(20.0)
    assert "takes 70.0 time units, the day ends at 50.0" in str(item)
    assert "reaches its finish 0 at 70, after the end of the day 50" in " ".join(
        result.check(problem).violations
    )


@pytest.mark.parametrize("seed", range(4))
def test_trips_match_the_brute_force(seed: int) -> None:
    # five customers, three days: out to place 6, on to place 7, home; two vehicles a day
    rng = np.random.default_rng(100 + seed)
    xy = rng.uniform(0, 100, size=(8, 2))
    customers = []
    for _ in range(5):
        patterns = list(itertools.combinations(range(3), int(rng.integers(1, 3))))
        keep = sorted(rng.choice(len(patterns), size=2, replace=False))
        customers.append(
            RoutingCustomer(
                tuple(patterns[k] for k in keep), float(rng.integers(0, 10)), float(rng.integers(1, 5))
            )
        )
    ends = [(0, 6), (6, 7), (7, 0)]
    days = [RoutingDay(vehicles=2, capacity=8.0, max_duration=250.0, start=s, finish=f) for s, f in ends]
    problem = PeriodicRoutingProblem.from_coordinates(xy, customers, days, places=2)
    result = solve(problem)
    check = result.check(problem)
    assert check.ok, check.violations
    assert result.total_cost == pytest.approx(brute_force(problem), abs=1e-6)
    assert check.total_cost == pytest.approx(result.total_cost, abs=1e-9)
    assert all(len(result.day_routes(d)) == 2 for d in range(3))  # idle vehicles are reported too


# --- the verifier ----------------------------------------------------------------------------------


def test_verifier_times_and_costs_a_route_to_its_finish() -> None:
    # the day drives from home (x = 0) past customer 1 (x = 10) to the place at x = 100, by 50
    customers = (RoutingCustomer(((0,),)),)
    problem = PeriodicRoutingProblem.from_coordinates(
        line(0, 10, 100), customers, [RoutingDay(max_duration=50.0, finish=2)], places=1
    )
    starts, end = problem.schedule((1,), 0)
    assert (starts, end) == ((10.0,), 100.0)
    route = DayRoute(0, 0, (1,), starts, problem.route_cost((1,), 0), 0.0, end)
    text = " ".join(check_plan(problem, one_day_plan((route,), 100.0)).violations)
    assert "day 0 route [1]: reaches its finish 2 at 100, after the end of the day 50" in text
    # the depot's round trip (cost 20) would fit the day but is not this day's route
    home = DayRoute(0, 0, (1,), (10.0,), 20.0, 0.0, 20.0)
    text = " ".join(check_plan(problem, one_day_plan((home,), 20.0)).violations)
    assert "reported cost 20.000000, recomputed 100.000000" in text


def one_day_plan(routes: tuple[DayRoute, ...], travel: float) -> PeriodicRoutingResult:
    """A plan that visits the one customer on day 0 by ``routes``."""
    info = SolveInfo("test", SolveStatus.FEASIBLE, "min", travel, None, 0.0)
    return PeriodicRoutingResult(info, ((0,),), routes, (), travel, 0.0)


def test_verifier_counts_the_drive_of_an_unreported_idle_vehicle() -> None:
    customers = (RoutingCustomer(((0,),)),)
    days = [RoutingDay(), RoutingDay(start=2, finish=0, max_duration=50.0)]
    problem = PeriodicRoutingProblem.from_coordinates(line(0, 10, 70), customers, days, places=1)
    result = solve(problem)
    visits = tuple(r for r in result.routes if r.customers)
    check = check_plan(problem, one_day_plan(visits, 20.0))
    assert check.travel_cost == pytest.approx(90.0)
    text = " ".join(check.violations)
    assert "reported travel cost 20.000000, recomputed 90.000000" in text
    assert "day 1 route []: reaches its finish 0 at 70, after the end of the day 50" in text


# --- PyVRP's day polish ----------------------------------------------------------------------------


def test_polish_keeps_the_days_start_and_finish() -> None:
    # from the place (20, 5) home (0, 0) past the four corners of a square: PyVRP must undo the crossing
    customers = tuple(RoutingCustomer(((0,),)) for _ in range(4))
    xy = [(0, 0), (10, 0), (0, 10), (10, 10), (5, -5), (20, 5)]
    problem = PeriodicRoutingProblem.from_coordinates(
        xy, customers, [RoutingDay(start=5, finish=0)], places=1
    )
    crossing = [[[1, 2, 4, 3]]]
    (route,) = polish_days(problem, crossing, 200, 1, math.inf)[0]
    assert sorted(route) == [1, 2, 3, 4]
    best = min(problem.route_cost(p, 0) for p in itertools.permutations(range(1, 5)))
    assert problem.route_cost(route, 0) == pytest.approx(best)
    assert problem.route_cost(route, 0) < problem.route_cost(crossing[0][0], 0) - 1.0


# --- nothing changes when every day runs from the depot and back ---------------------------------


def depot_instance(seed: int, n: int = 10, t: int = 3) -> PeriodicRoutingProblem:
    """Customers with windows, drop penalties, an asymmetric cost and separate durations."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n + 1, 2))
    cost = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(axis=2)) * rng.uniform(0.9, 1.1, size=(n + 1, n + 1))
    np.fill_diagonal(cost, 0.0)
    customers = []
    for _ in range(n):
        patterns = list(itertools.combinations(range(t), int(rng.integers(1, 3))))
        early = float(rng.uniform(0, 150))
        customers.append(
            RoutingCustomer(
                tuple(patterns[: int(rng.integers(1, len(patterns) + 1))]),
                service=float(rng.integers(0, 15)),
                demand=float(rng.integers(1, 5)),
                time_window=(early, early + 120.0) if rng.uniform() < 0.4 else None,
                drop_penalty=float(rng.uniform(50, 250)) if rng.uniform() < 0.3 else None,
            )
        )
    days = tuple(RoutingDay(vehicles=2, capacity=12.0, max_duration=400.0) for _ in range(t))
    return PeriodicRoutingProblem(cost, tuple(customers), days, duration=cost.T * 1.2)


# Plans of the engine before routes could start and finish away from the depot (objective as a hex
# float, routes in order), for seeds 0-2 with one run and with three raced runs
PINNED = {
    (0, 1): (
        "0x1.7770e61ddab92p+9",
        ((0, (8, 2, 4, 3)), (0, (10, 1, 9)), (1, (10, 1, 9)), (1, (5, 6, 8, 3, 2)), (2, (7, 5))),
    ),
    (0, 3): (
        "0x1.7770e61ddab92p+9",
        ((0, (10, 1, 9)), (0, (8, 2, 4, 3)), (1, (5, 6, 8, 3, 2)), (1, (10, 1, 9)), (2, (7, 5))),
    ),
    (1, 1): (
        "0x1.f9872cf4cdd4bp+9",
        ((0, (5, 3, 10, 4)), (0, (2, 8, 1)), (1, (6,)), (1, (5, 3, 10, 4)), (2, (2, 9, 8)), (2, (6,))),
    ),
    (1, 3): (
        "0x1.f9872cf4cdd4ap+9",
        ((0, (2, 8, 1)), (0, (5, 3, 10, 4)), (1, (5, 3, 10, 4)), (1, (6,)), (2, (2, 9, 8)), (2, (6,))),
    ),
    (2, 1): (
        "0x1.49f8a5340f5d6p+9",
        ((0, (10, 4)), (0, (6, 2, 1, 9, 3)), (1, (10, 7, 6, 4)), (1, (2, 1, 5, 9, 3))),
    ),
    (2, 3): (
        "0x1.49f8a5340f5d6p+9",
        ((0, (6, 2, 1, 9, 3)), (0, (10, 4)), (1, (10, 7, 6, 4)), (1, (2, 1, 5, 9, 3))),
    ),
}


def with_places(problem: PeriodicRoutingProblem, distances: list[float]) -> PeriodicRoutingProblem:
    """The same problem with places no day uses appended, each at the given distance from every node
    (a place next to everything would be every customer's nearest neighbour, were it taken for one)."""
    size = problem.n + 1 + len(distances)
    cost = np.zeros((size, size))
    duration = np.zeros((size, size))
    cost[: problem.n + 1, : problem.n + 1] = problem.cost
    duration[: problem.n + 1, : problem.n + 1] = problem.travel_time
    for k, distance in enumerate(distances, start=problem.n + 1):
        cost[k, :] = cost[:, k] = duration[k, :] = duration[:, k] = distance
        cost[k, k] = duration[k, k] = 0.0
    return PeriodicRoutingProblem(cost, problem.customers, problem.days, duration, places=len(distances))


@pytest.mark.parametrize(("seed", "runs"), sorted(PINNED))
def test_depot_days_give_the_plans_of_before(seed: int, runs: int) -> None:
    problem = depot_instance(seed)
    params = RoutingParams(effort=0.2, runs=runs, survivors=2)
    options = SolverOptions(time_limit_seconds=600.0, seed=seed)
    objective, routes = PINNED[seed, runs]
    for variant in (problem, with_places(problem, [0.001, 5000.0])):
        result = solve_periodic_routing(variant, options, params)
        assert float(result.info.objective).hex() == objective
        assert tuple((r.day, r.customers) for r in result.routes) == routes
        assert result.check(variant).ok
