"""Call planning: how many visits per month each account gets, within every rep's selling hours.

Response curves (response.py, CALLPLAN/ADBUDG) → the model as arrays (problem.py) → an exact
multiple-choice knapsack per rep with a certificate (mckp.py) → the plan with shadow prices and
explanations (run.py, explain.py, result.py); sizing.py gives profit against headcount per region.
The same model as a plain MIP (mip.py) serves as the cross-check in tests and the benchmark.
"""

from .mckp import MckpInstance, MckpSolution, solve_mckp
from .problem import CallProblem, build_problem
from .response import ResponseCurve, fit_adbudg, response_of
from .result import AccountPlan, CallResult, PlanTotals, RegionPrice, RepPlan
from .sizing import SizingPoint, SizingResult, sizing_curve
from .solve import Calls, plan_calls, solve_calls

__all__ = [
    "AccountPlan",
    "CallProblem",
    "CallResult",
    "Calls",
    "MckpInstance",
    "MckpSolution",
    "PlanTotals",
    "RegionPrice",
    "RepPlan",
    "ResponseCurve",
    "SizingPoint",
    "SizingResult",
    "build_problem",
    "fit_adbudg",
    "plan_calls",
    "response_of",
    "sizing_curve",
    "solve_calls",
    "solve_mckp",
]
