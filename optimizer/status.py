"""Solver statuses decoded in one place: a table per solver family, read by every model that calls it.

HiGHS is called through ``scipy.optimize.milp`` and ``linprog`` (status 0 optimal, 1 iteration, node or
time limit, 2 infeasible, 3 unbounded, 4 other); CP-SAT through ``ortools.sat.python.cp_model``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from .result import SolveStatus


@dataclass(frozen=True)
class Outcome:
    """What a solver's answer means for us: the status, whether a limit stopped it, and its words."""

    status: SolveStatus
    limit_hit: bool
    text: str


# scipy.optimize.milp / linprog (HiGHS): status code → (status with a solution, status without, limit?)
HIGHS: dict[int, tuple[SolveStatus, SolveStatus, bool, str]] = {
    0: (SolveStatus.OPTIMAL, SolveStatus.UNKNOWN, False, "optimal"),
    1: (SolveStatus.FEASIBLE, SolveStatus.UNKNOWN, True, "iteration, node or time limit reached"),
    2: (SolveStatus.INFEASIBLE, SolveStatus.INFEASIBLE, False, "infeasible"),
    3: (SolveStatus.UNKNOWN, SolveStatus.UNKNOWN, False, "unbounded"),
    4: (SolveStatus.FEASIBLE, SolveStatus.UNKNOWN, False, "numerical difficulties"),
}

CPSAT: dict[Any, tuple[SolveStatus, str]] = {
    cp_model.OPTIMAL: (SolveStatus.OPTIMAL, "optimal"),
    cp_model.FEASIBLE: (SolveStatus.FEASIBLE, "feasible, stopped by a limit"),
    cp_model.INFEASIBLE: (SolveStatus.INFEASIBLE, "infeasible"),
    cp_model.MODEL_INVALID: (SolveStatus.UNKNOWN, "model invalid"),
    cp_model.UNKNOWN: (SolveStatus.UNKNOWN, "stopped by a limit before any solution"),
}


def highs(result: Any) -> Outcome:
    """The outcome of a ``scipy.optimize.milp`` or ``linprog`` result (a solution is ``result.x``)."""
    with_x, without_x, limit, text = HIGHS.get(int(result.status), HIGHS[4])
    return Outcome(with_x if getattr(result, "x", None) is not None else without_x, limit, text)


def cpsat(code: Any) -> Outcome:
    """The outcome of ``CpSolver.solve``: FEASIBLE means a limit stopped the proof."""
    status, text = CPSAT.get(code, (SolveStatus.UNKNOWN, "unknown status"))
    return Outcome(status, code in (cp_model.FEASIBLE, cp_model.UNKNOWN), text)
