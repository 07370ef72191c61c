"""Periodic vehicle routing (PVRP): day patterns and daily routes for one rep's horizon.

``solve_periodic_routing(problem, options, params) -> PeriodicRoutingResult``; ``check_plan`` verifies
any plan independently. The model is stated in :mod:`.problem`, the method in :mod:`.solve`.
"""

from .problem import PeriodicRoutingProblem, RoutingCustomer, RoutingDay
from .result import DayRoute, DroppedCustomer, PeriodicRoutingResult
from .solve import RoutingParams, solve_periodic_routing, warm_up
from .verify import PlanCheck, check_plan

__all__ = [
    "DayRoute",
    "DroppedCustomer",
    "PeriodicRoutingProblem",
    "PeriodicRoutingResult",
    "PlanCheck",
    "RoutingCustomer",
    "RoutingDay",
    "RoutingParams",
    "check_plan",
    "solve_periodic_routing",
    "warm_up",
]
