"""Which day patterns can ever work, and proofs that a set of mandatory customers cannot all fit.

A pattern of customer i is usable when every one of its days d has a vehicle, holds one visit
(q_i ≤ Q_d), and allows the lone trip s_d → i → f_d from the day's start to its finish in time:
max(τ_{s_d i}, e_i) ≤ l_i and max(τ_{s_d i}, e_i) + s_i + τ_{i f_d} ≤ H_d. Any plan uses only usable patterns. Two counting arguments prove
infeasibility of the mandatory customers M (f_i = fewest visits over i's usable patterns):
load Σ_{i∈M} f_i q_i > Σ_d m_d Q_d, and service time Σ_{i∈M} f_i s_i > Σ_d m_d H_d.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...result import Fix, Infeasibility
from .problem import PeriodicRoutingProblem


@dataclass(frozen=True)
class Screening:
    """Usable patterns per customer (index i-1 for customer i), why some have none, and proofs."""

    patterns: tuple[tuple[tuple[int, ...], ...], ...]
    unusable: dict[int, str]
    proofs: tuple[Infeasibility, ...]


def _day_problem(problem: PeriodicRoutingProblem, i: int, d: int) -> str:
    """Why customer i cannot be visited on day d at all ('' when it can)."""
    customer = problem.customers[i - 1]
    day = problem.days[d]
    if day.vehicles == 0:
        return f"day {d} has no vehicle"
    if customer.demand > day.capacity + 1e-9:
        return f"demand {customer.demand:g} exceeds the capacity {day.capacity:g} of day {d}"
    tau = problem.travel_time
    early, late = customer.time_window if customer.time_window else (0.0, math.inf)
    start = max(tau[day.start, i], early)
    if start > late + 1e-9:
        return f"its window closes at {late:g} before it can be reached ({tau[day.start, i]:g})"
    back = start + customer.service + tau[i, day.finish]
    if back > day.end + 1e-9:
        return f"a lone visit on day {d} ends at {back:g}, after the end of the day {day.end:g}"
    return ""


def screen(problem: PeriodicRoutingProblem) -> Screening:
    """Filter every customer's patterns to the usable ones and look for counting proofs."""
    patterns: list[tuple[tuple[int, ...], ...]] = []
    unusable: dict[int, str] = {}
    need_load = 0.0
    need_time = 0.0
    for i, customer in enumerate(problem.customers, start=1):
        why = {d: _day_problem(problem, i, d) for p in customer.patterns for d in p}
        usable = tuple(p for p in customer.patterns if not any(why[d] for d in p))
        patterns.append(usable)
        if not usable:
            unusable[i] = "no allowed day pattern is usable: " + next(w for w in why.values() if w)
        elif customer.drop_penalty is None:
            f = min(len(p) for p in usable)
            need_load += f * customer.demand
            need_time += f * customer.service
    proofs: list[Infeasibility] = []
    for i, reason in unusable.items():
        if problem.customers[i - 1].drop_penalty is None:
            proofs.append(Infeasibility.of(
                "patterns_unusable", {"customer": i}, 1.0, "visits",
                (Fix("add", "patterns"), Fix("release", "window"), Fix("release", "mandatory")), reason=reason,
            ))  # fmt: skip
    have_load = sum(day.vehicles * day.capacity for day in problem.days)
    if need_load > have_load + 1e-9:
        proofs.append(Infeasibility.of(
            "vehicle_capacity", None, need_load - have_load, "load units",
            (Fix("add", "vehicles"), Fix("release", "mandatory")), need=need_load, have=have_load,
        ))  # fmt: skip
    have_time = sum(day.vehicles * day.end for day in problem.days)
    if need_time > have_time + 1e-9:
        proofs.append(Infeasibility.of(
            "working_time", None, need_time - have_time, "time units",
            (Fix("add", "working time"), Fix("release", "mandatory")), need=need_time, have=have_time,
        ))  # fmt: skip
    return Screening(tuple(patterns), unusable, tuple(proofs))
