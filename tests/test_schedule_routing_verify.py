"""The independent plan verifier: a correct plan passes, and each kind of violation is caught."""

from __future__ import annotations

import dataclasses

import pytest

from salesplan.optimizer.result import SolveInfo, SolveStatus
from salesplan.optimizer.schedule.routing import (
    DayRoute,
    DroppedCustomer,
    PeriodicRoutingProblem,
    PeriodicRoutingResult,
    RoutingCustomer,
    RoutingDay,
    check_plan,
)

# depot at the origin; customers 1 (3, 0), 2 (3, 4), 3 (0, 4): the square's round trip costs 14
XY = [(0, 0), (3, 0), (3, 4), (0, 4)]


def problem() -> PeriodicRoutingProblem:
    customers = (
        RoutingCustomer(patterns=((0, 1),), demand=2.0, service=1.0),
        RoutingCustomer(patterns=((0,), (1,)), demand=2.0, time_window=(4.0, 9.0)),
        RoutingCustomer(patterns=((1,),), demand=1.0, drop_penalty=7.0),
    )
    days = (RoutingDay(vehicles=1, capacity=5.0, max_duration=20.0), RoutingDay(vehicles=2, capacity=5.0))
    return PeriodicRoutingProblem.from_coordinates(XY, customers, days)


def route(pb: PeriodicRoutingProblem, day: int, customers: tuple[int, ...], vehicle: int = 0) -> DayRoute:
    starts, end = pb.schedule(customers, day)
    load = sum(pb.customers[i - 1].demand for i in customers)
    return DayRoute(day, vehicle, customers, starts, pb.route_cost(customers, day), load, end)


def plan(pb: PeriodicRoutingProblem, **changes: object) -> PeriodicRoutingResult:
    """Customer 1 on days 0 and 1, customer 2 on day 0 after 1, customer 3 dropped (penalty 7)."""
    routes = (route(pb, 0, (1, 2)), route(pb, 1, (1,)))
    travel = sum(r.cost for r in routes)
    info = SolveInfo("test", SolveStatus.FEASIBLE, "min", travel + 7.0, None, 0.0)
    base = PeriodicRoutingResult(
        info, ((0, 1), (0,), None), routes, (DroppedCustomer(3, False, 7.0, "test"),), travel, 7.0
    )
    return dataclasses.replace(base, **changes)


def test_correct_plan_passes_and_costs_are_recomputed() -> None:
    pb = problem()
    check = check_plan(pb, plan(pb))
    assert check.ok, check.violations
    assert check.travel_cost == pytest.approx(3 + 4 + 5 + 6)
    assert check.total_cost == pytest.approx(18 + 7)


def violations(pb: PeriodicRoutingProblem, result: PeriodicRoutingResult) -> str:
    found = check_plan(pb, result).violations
    assert found, "the verifier missed a violation"
    return " | ".join(found)


def test_pattern_not_allowed() -> None:
    pb = problem()
    routes = (route(pb, 0, (1,)), route(pb, 1, (1, 2)))
    result = plan(pb, routes=routes, patterns=((0, 1), (1,), None), travel_cost=sum(r.cost for r in routes))
    assert check_plan(pb, result).ok  # (1,) is allowed for customer 2
    pb2 = dataclasses.replace(pb.customers[1], patterns=((0,),))
    strict = PeriodicRoutingProblem(pb.cost, (pb.customers[0], pb2, pb.customers[2]), pb.days)
    assert "not allowed" in violations(strict, result)


def test_visit_days_differ_from_pattern() -> None:
    pb = problem()
    assert "customer 2: visited on days [0], pattern (1,)" in violations(
        pb, plan(pb, patterns=((0, 1), (1,), None))
    )


def test_missing_visit_and_mandatory_drop() -> None:
    pb = problem()
    routes = (route(pb, 0, (1,)), route(pb, 1, (1,)))
    result = plan(pb, routes=routes, travel_cost=sum(r.cost for r in routes), patterns=((0, 1), None, None))
    text = violations(pb, result)
    assert "mandatory customer 2 is not visited" in text
    assert "not reported dropped" in text


def test_twice_on_one_day() -> None:
    pb = problem()
    routes = (route(pb, 0, (1, 2)), route(pb, 1, (1,)), route(pb, 1, (1,), vehicle=1))
    text = violations(pb, plan(pb, routes=routes, travel_cost=sum(r.cost for r in routes)))
    assert "visited on days [0, 1, 1]" in text


def test_too_many_routes() -> None:
    pb = problem()
    routes = (route(pb, 0, (1,)), route(pb, 0, (2,), vehicle=1), route(pb, 1, (1,)))
    text = violations(pb, plan(pb, routes=routes, travel_cost=sum(r.cost for r in routes)))
    assert "2 routes for 1 vehicles" in text


def test_capacity() -> None:
    pb = problem()
    routes = (route(pb, 0, (1, 2)), route(pb, 1, (1, 3)))
    heavy = dataclasses.replace(pb.customers[2], demand=4.0)
    pb_heavy = PeriodicRoutingProblem(pb.cost, (*pb.customers[:2], heavy), pb.days)
    result = plan(
        pb,
        routes=routes,
        patterns=((0, 1), (0,), (1,)),
        dropped=(),
        penalty_cost=0.0,
        travel_cost=sum(r.cost for r in routes),
    )
    assert check_plan(pb, result).ok
    assert "load 6 exceeds capacity 5" in violations(pb_heavy, result)


def test_time_window_and_unreachable_start() -> None:
    pb = problem()
    late = route(pb, 0, (1, 2))
    moved = dataclasses.replace(late, starts=(late.starts[0], 9.5))
    text = violations(pb, plan(pb, routes=(moved, route(pb, 1, (1,)))))
    assert "outside its window" in text
    early = dataclasses.replace(late, starts=(0.5, late.starts[1]))
    assert "before it can be reached" in violations(pb, plan(pb, routes=(early, route(pb, 1, (1,)))))


def test_end_of_day() -> None:
    pb = problem()
    short = PeriodicRoutingProblem(pb.cost, pb.customers, (RoutingDay(1, 5.0, 12.0), pb.days[1]))
    assert "after the end of the day" in violations(short, plan(pb))


def test_reported_costs() -> None:
    pb = problem()
    assert "reported travel cost" in violations(pb, plan(pb, travel_cost=1.0))
    assert "reported penalty cost" in violations(pb, plan(pb, penalty_cost=0.0))
    wrong = dataclasses.replace(route(pb, 1, (1,)), cost=2.0)
    result = plan(pb, routes=(route(pb, 0, (1, 2)), wrong), travel_cost=12.0 + 2.0)
    assert "reported cost 2.000000" in violations(pb, result)


def test_dropped_customer_with_a_pattern() -> None:
    pb = problem()
    result = plan(pb, dropped=(DroppedCustomer(3, False, 7.0, "x"), DroppedCustomer(2, True, None, "x")))
    assert "reported dropped but has a pattern" in violations(pb, result)
