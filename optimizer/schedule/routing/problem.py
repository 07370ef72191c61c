"""The periodic vehicle routing problem (PVRP) the visit scheduler hands to the routing engine.

Model (one rep's horizon; Christofides & Beasley 1984, Cordeau, Gendreau & Laporte 1997):

    minimise   Σ_d Σ_{routes k of day d} Σ_{(i,j) ∈ k} c_ij  +  Σ_{i dropped} π_i

    subject to
    (1) every customer i with π_i = None takes exactly one pattern P ∈ 𝒫_i and is visited on every
        day of P, once that day, and on no other day; a customer with a penalty π_i may instead be
        dropped entirely (no visit at all);
    (2) day d runs at most m_d routes, each from the day's start s_d to its finish f_d (the depot 0
        or a place); a vehicle of a day with s_d ≠ f_d that visits no one still travels s_d → f_d
        (its empty route costs c_{s_d f_d});
    (3) the load of a route, Σ q_i over its visits, is at most Q_d;
    (4) each visit starts inside the customer's window [e_i, l_i] (waiting allowed), and when
        H_d > 0 every route, leaving s_d at time 0, reaches f_d by H_d; without windows this is
        travel + service ≤ H_d (the classic maximum route duration).

Symbols: depot 0, customers 1..n, places n+1..n+p (hotels, overnight towns: nodes where a day may
start or finish, never visited as customers); c_ij travel cost and τ_ij travel duration (may be
asymmetric; τ defaults to c); s_i service duration; q_i demand per visit; 𝒫_i allowed day patterns
(tuples of day indices 0..t−1); [e_i, l_i] window in the day's own clock (minutes from the day's
start, say); π_i drop penalty in cost units; per day d: m_d vehicles (0 on holidays), capacity Q_d,
end of day H_d (0 = no limit), start s_d and finish f_d (both the depot unless the day is part of a
multi-day trip). All times share one unit, all costs another.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RoutingCustomer:
    """One customer (account): its allowed day patterns and what a visit needs.

    ``patterns``: allowed day patterns, each a tuple of distinct day indices (one is chosen).
    ``service``: time spent at the customer per visit. ``demand``: load per visit.
    ``time_window``: (earliest, latest) start of service, in the day's clock; None = any time.
    ``drop_penalty``: cost of leaving the customer out entirely; None = mandatory.
    """

    patterns: tuple[tuple[int, ...], ...]
    service: float = 0.0
    demand: float = 0.0
    time_window: tuple[float, float] | None = None
    drop_penalty: float | None = None
    name: str = ""

    def __post_init__(self) -> None:
        patterns = tuple(tuple(int(d) for d in p) for p in self.patterns)
        object.__setattr__(self, "patterns", patterns)
        if not patterns:
            raise ValueError(f"customer {self.name!r}: at least one allowed day pattern is needed")
        for p in patterns:
            if not p or len(set(p)) != len(p):
                raise ValueError(f"customer {self.name!r}: pattern {p} must list distinct days")
        if self.service < 0 or self.demand < 0:
            raise ValueError(f"customer {self.name!r}: service and demand must be ≥ 0")
        if self.time_window is not None:
            early, late = self.time_window
            if not early <= late:
                raise ValueError(f"customer {self.name!r}: time window {self.time_window} is empty")
        if self.drop_penalty is not None and not self.drop_penalty >= 0:
            raise ValueError(f"customer {self.name!r}: drop penalty must be ≥ 0 or None")


@dataclass(frozen=True)
class RoutingDay:
    """One day of the horizon: vehicles (reps) available, their capacity, the end of the day, and
    where the day's routes begin and end.

    ``max_duration`` H_d: routes must reach their finish by H_d (0 = no limit). ``start`` s_d and
    ``finish`` f_d: node where every route of the day begins at time 0 and where it ends — the depot 0
    or a place node n+1..n+p of the problem (a night away from home).
    """

    vehicles: int = 1
    capacity: float = math.inf
    max_duration: float = 0.0
    start: int = 0
    finish: int = 0

    def __post_init__(self) -> None:
        if self.vehicles < 0 or not self.capacity >= 0 or not self.max_duration >= 0:
            raise ValueError(f"day {self}: vehicles, capacity and max_duration must be ≥ 0")

    @property
    def end(self) -> float:
        """End of the day H_d, or +inf without a limit."""
        return self.max_duration if self.max_duration > 0 else math.inf


_LISTS: weakref.WeakKeyDictionary[PeriodicRoutingProblem, tuple] = weakref.WeakKeyDictionary()


def _lists(
    problem: PeriodicRoutingProblem,
) -> tuple[list[list[float]], list[float], list[float | None], list[float], list[float]]:
    """Travel times (rows of Python floats) and, by node, earliest start, latest start (None: no window),
    service and demand, as :meth:`PeriodicRoutingProblem.schedule` reads them; kept per problem."""
    found = _LISTS.get(problem)
    if found is None:
        found = (
            problem.travel_time.tolist(),
            [0.0] + [c.time_window[0] if c.time_window else 0.0 for c in problem.customers],
            [None] + [c.time_window[1] if c.time_window is not None else None for c in problem.customers],
            [0.0] + [c.service for c in problem.customers],
            [0.0] + [c.demand for c in problem.customers],
        )
        _LISTS[problem] = found
    return found


@dataclass(frozen=True, eq=False)
class PeriodicRoutingProblem:
    """A PVRP instance: matrices over depot 0, customers 1..n and places n+1..n+p, the customers, the days.

    ``customers[i - 1]`` is customer i (row/column i of the matrices); ``places`` p counts the nodes
    after the customers where a day may start or finish (:class:`RoutingDay`). ``duration`` defaults
    to ``cost``.
    """

    cost: FloatMatrix
    customers: tuple[RoutingCustomer, ...]
    days: tuple[RoutingDay, ...]
    duration: FloatMatrix | None = None
    places: int = 0

    def __post_init__(self) -> None:
        cost = _frozen_matrix(self.cost, "cost")
        duration = cost if self.duration is None else _frozen_matrix(self.duration, "duration")
        n = len(self.customers)
        if self.places < 0:
            raise ValueError(f"places must be ≥ 0, not {self.places}")
        size = n + 1 + self.places
        if cost.shape != (size, size) or duration.shape != (size, size):
            raise ValueError(
                f"cost and duration must be {(size, size)} for the depot, {n} customers and {self.places} places"
            )
        object.__setattr__(self, "cost", cost)
        object.__setattr__(self, "customers", tuple(self.customers))
        object.__setattr__(self, "days", tuple(self.days))
        object.__setattr__(self, "duration", None if self.duration is None else duration)
        t = len(self.days)
        ends = f"the depot 0 or a place {n + 1}..{size - 1}" if self.places else "the depot 0 (no places)"
        for d, day in enumerate(self.days):
            for what, node in (("start", day.start), ("finish", day.finish)):
                if node != 0 and not n < node < size:
                    raise ValueError(f"day {d}: {what} {node} must be {ends}")
        for i, customer in enumerate(self.customers, start=1):
            for p in customer.patterns:
                if min(p) < 0 or max(p) >= t:
                    raise ValueError(f"customer {i}: pattern {p} uses a day outside 0..{t - 1}")

    @property
    def n(self) -> int:
        """Number of customers."""
        return len(self.customers)

    @property
    def travel_time(self) -> FloatMatrix:
        """The duration matrix (the cost matrix when none was given)."""
        return self.cost if self.duration is None else self.duration

    def ends(self, day: int | None) -> tuple[int, int]:
        """Start and finish node of the routes of ``day``; (0, 0), the depot, for ``day=None``."""
        if day is None:
            return 0, 0
        plan = self.days[day]
        return plan.start, plan.finish

    def schedule(self, customers: Sequence[int], day: int | None = None) -> tuple[tuple[float, ...], float]:
        """Earliest service starts of a route leaving the day's start at time 0, and the time it reaches
        the day's finish (``day=None``: from the depot and back)."""
        tau = self.travel_time
        prev, finish = self.ends(day)
        now, starts = 0.0, []
        for i in customers:
            customer = self.customers[i - 1]
            early = customer.time_window[0] if customer.time_window else 0.0
            start = max(now + float(tau[prev, i]), early)
            starts.append(start)
            now, prev = start + customer.service, i
        return tuple(starts), now + float(tau[prev, finish])

    def route_fits(self, day: int, customers: Sequence[int], tol: float = 1e-9) -> bool:
        """Whether a route of ``day`` (from its start to its finish) respects the day's capacity, the
        windows and the end of the day."""
        return self.timed(day, customers, tol) is not None

    def timed(
        self, day: int, customers: Sequence[int], tol: float = 1e-9
    ) -> tuple[tuple[float, ...], float] | None:
        """:meth:`schedule` of a route of ``day`` that fits (:meth:`route_fits`), else None."""
        plan = self.days[day]
        if sum(self.customers[i - 1].demand for i in customers) > plan.capacity + tol:
            return None
        starts, end = self.schedule(customers, day)
        for i, start in zip(customers, starts, strict=True):
            window = self.customers[i - 1].time_window
            if window is not None and start > window[1] + tol:
                return None
        return (starts, end) if end <= plan.end + tol else None

    def insertions(self, day: int, route: Sequence[int], tol: float = 1e-9) -> Callable[[int, int], bool]:
        """``fits(node, pos)``: :meth:`route_fits` of ``route`` with ``node`` inserted at ``pos``, by the same
        arithmetic in the same order (so the same answer to the last bit), with the part of the route
        before ``pos`` timed once for every position instead of again for each."""
        tau, early, close, service, demand = _lists(self)
        plan = self.days[day]
        capacity, last = plan.capacity + tol, plan.end + tol
        now, prev = 0.0, self.ends(day)[0]
        finish = self.ends(day)[1]
        load: float = 0
        good = True
        states = [(now, prev, load, good)]  # after route[:k]: clock, last node, load, every window kept
        for i in route:
            load = load + demand[i]
            start = max(now + tau[prev][i], early[i])
            good = good and not (close[i] is not None and start > close[i] + tol)  # type: ignore[operator]
            now, prev = start + service[i], i
            states.append((now, prev, load, good))

        def fits(node: int, pos: int) -> bool:
            now, prev, load, good = states[pos]
            if not good:
                return False
            load = load + demand[node]
            for i in route[pos:]:
                load = load + demand[i]
            if load > capacity:
                return False
            for i in itertools.chain((node,), route[pos:]):
                start = max(now + tau[prev][i], early[i])
                bound = close[i]
                if bound is not None and start > bound + tol:
                    return False
                now, prev = start + service[i], i
            return now + tau[prev][finish] <= last

        return fits

    def route_cost(self, customers: Sequence[int], day: int | None = None) -> float:
        """Travel cost start → customers → finish of ``day`` (``day=None``: depot → customers → depot);
        an empty route costs c[start, finish]."""
        start, finish = self.ends(day)
        path = [start, *customers, finish]
        return float(sum(self.cost[a, b] for a, b in itertools.pairwise(path)))

    @classmethod
    def from_coordinates(
        cls,
        xy: Sequence[tuple[float, float]] | npt.ArrayLike,
        customers: Sequence[RoutingCustomer],
        days: Sequence[RoutingDay],
        places: int = 0,
    ) -> PeriodicRoutingProblem:
        """Euclidean costs = durations between planar points; ``xy[0]`` is the depot, then the customers,
        then the ``places``."""
        pts = np.asarray(xy, dtype=float)
        diff = pts[:, None, :] - pts[None, :, :]
        return cls(np.sqrt((diff**2).sum(axis=2)), tuple(customers), tuple(days), places=places)


def _frozen_matrix(matrix: npt.ArrayLike, name: str) -> FloatMatrix:
    array = np.array(matrix, dtype=np.float64)
    if array.ndim != 2 or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be a square matrix of finite values ≥ 0")
    array.setflags(write=False)
    return array
