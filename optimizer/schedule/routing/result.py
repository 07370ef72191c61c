"""What the periodic routing engine returns: patterns, day routes with visit times, drops, cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...result import Infeasibility, SolveInfo

if TYPE_CHECKING:
    from .problem import PeriodicRoutingProblem
    from .verify import PlanCheck


@dataclass(frozen=True)
class DayRoute:
    """One vehicle's route on one day: customers in visiting order, service start times, totals.

    ``starts`` is the earliest schedule leaving the day's start (the depot, or a place) at time 0
    (waiting only for windows); ``end`` is the time the route reaches the day's finish. On a day that
    finishes elsewhere than it starts, a vehicle that visits no one has a route too: no customers, the
    cost and duration of the trip from the start to the finish.
    """

    day: int
    vehicle: int
    customers: tuple[int, ...]
    starts: tuple[float, ...]
    cost: float
    load: float
    end: float


@dataclass(frozen=True)
class DroppedCustomer:
    """A customer left out of the plan, whether it was mandatory, its penalty, and why."""

    customer: int
    mandatory: bool
    penalty: float | None
    reason: str


@dataclass(frozen=True)
class PeriodicRoutingResult:
    """The plan: chosen pattern per customer (``patterns[i - 1]``, None when dropped), routes, drops.

    ``travel_cost`` sums the routes (idle vehicles' trips included); ``penalty_cost`` the drop penalties of dropped optional customers;
    ``info.objective`` is their sum (mandatory customers that could not be fitted carry no penalty,
    the status says INFEASIBLE or UNKNOWN and ``infeasibilities`` explains).
    """

    info: SolveInfo
    patterns: tuple[tuple[int, ...] | None, ...]
    routes: tuple[DayRoute, ...]
    dropped: tuple[DroppedCustomer, ...]
    travel_cost: float
    penalty_cost: float
    infeasibilities: tuple[Infeasibility, ...] = ()

    @property
    def total_cost(self) -> float:
        return self.travel_cost + self.penalty_cost

    def day_routes(self, day: int) -> tuple[DayRoute, ...]:
        """The routes of one day."""
        return tuple(route for route in self.routes if route.day == day)

    def check(self, problem: PeriodicRoutingProblem) -> PlanCheck:
        """Independent feasibility check and cost recomputation (see :func:`verify.check_plan`)."""
        from .verify import check_plan

        return check_plan(problem, self)

    def summary(self) -> str:
        lines = [self.info.summary(), f"travel {self.travel_cost:,.2f} + penalties {self.penalty_cost:,.2f}"]
        lines += [f"dropped customer {d.customer}: {d.reason}" for d in self.dropped]
        lines += [str(item) for item in self.infeasibilities]
        return "\n".join(lines)
