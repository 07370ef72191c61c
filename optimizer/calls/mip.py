"""The same multiple-choice knapsack as a plain MIP, for HiGHS or CP-SAT: the cross-check of mckp.py.

    max  Σ_a Σ_{k=L_a..U_a} v_ak · y_ak
    s.t. (1) Σ_k y_ak = 1                           for every item a (one level per account)
         (2) Σ_{a in g} Σ_k k · t_a · y_ak ≤ C_g     for every group g (rep's minutes)
         (3) y_ak ∈ {0, 1}

HiGHS (through scipy.optimize.milp) takes v as is. CP-SAT needs integers: v is scaled to hundredths
(cents) and rounded, the objective and bound are scaled back, so CP-SAT solves a model within
0.005 × (number of items) of this one; the levels it returns are valued exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from .. import status
from ..result import SolveInfo, SolverOptions
from .mckp import MckpInstance

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MipSolution:
    levels: IntArray | None
    info: SolveInfo


def _columns(instance: MckpInstance) -> tuple[IntArray, IntArray]:
    """(item, level) of every binary y_ak."""
    counts = instance.upper - instance.lower + 1
    item = np.repeat(np.arange(instance.group.shape[0]), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    level = instance.lower[item] + np.arange(item.shape[0]) - start
    return item, level


def solve_mip(
    instance: MckpInstance, options: SolverOptions, engine: Literal["highs", "cpsat"] = "highs"
) -> MipSolution:
    """Solve the MIP above; the levels are None when no plan was found in the time limit."""
    if engine == "cpsat":
        return _cpsat(instance, options)
    return _highs(instance, options)


def _levels_from(
    instance: MckpInstance, item: IntArray, level: IntArray, chosen: npt.NDArray[np.bool_]
) -> IntArray:
    levels = instance.lower.copy()
    levels[item[chosen]] = level[chosen]
    return levels


def _highs(instance: MckpInstance, options: SolverOptions) -> MipSolution:
    started = time.perf_counter()
    item, level = _columns(instance)
    m, groups = instance.group.shape[0], instance.groups
    columns = np.arange(item.shape[0])
    cost = -instance.value[item, level]
    # (1) one level per item
    one = csr_array((np.ones(columns.shape[0]), (item, columns)), shape=(m, columns.shape[0]))
    # (2) each group's minutes; items outside every group weigh nothing
    served = instance.group[item] >= 0
    weight = (level * instance.unit[item]).astype(float)
    hours = csr_array(
        (weight[served], (instance.group[item][served], columns[served])), shape=(groups, columns.shape[0])
    )
    result = milp(
        cost,
        constraints=[
            LinearConstraint(one, 1.0, 1.0),
            LinearConstraint(hours, -np.inf, instance.capacity.astype(float)),
        ],
        integrality=np.ones(columns.shape[0]),
        bounds=Bounds(0.0, 1.0),
        options={
            "time_limit": options.time_limit_seconds,
            "mip_rel_gap": options.relative_gap,
            "disp": False,
        },
    )
    runtime = time.perf_counter() - started
    levels = None
    objective = None
    if result.x is not None:
        levels = _levels_from(instance, item, level, result.x > 0.5)
        objective = instance.total_value(levels)
    bound = -float(result.mip_dual_bound) if getattr(result, "mip_dual_bound", None) is not None else None
    outcome = status.highs(result)
    info = SolveInfo(
        "HiGHS MIP",
        outcome.status,
        "max",
        objective,
        bound,
        runtime,
        time_limit_hit=outcome.limit_hit,
        message=str(result.message),
    )
    return MipSolution(levels, info)


def _cpsat(instance: MckpInstance, options: SolverOptions) -> MipSolution:
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    item, level = _columns(instance)
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"y{c}") for c in range(item.shape[0])]
    by_item: list[list[int]] = [[] for _ in range(instance.group.shape[0])]
    for c, a in enumerate(item):
        by_item[a].append(c)
    # (1) one level per item
    for columns in by_item:
        model.add_exactly_one(y[c] for c in columns)
    # (2) each group's minutes
    by_group: list[list[int]] = [[] for _ in range(instance.groups)]
    for c, a in enumerate(item):
        if instance.group[a] >= 0 and level[c] > 0:
            by_group[instance.group[a]].append(c)
    for g, columns in enumerate(by_group):
        model.add(
            sum(int(level[c] * instance.unit[item[c]]) * y[c] for c in columns) <= int(instance.capacity[g])
        )
    cents = np.rint(instance.value[item, level] * 100.0).astype(np.int64)
    model.maximize(sum(int(cents[c]) * y[c] for c in range(item.shape[0])))
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False  # Ctrl-C stays Python's: outputs are cleaned up
    solver.parameters.max_time_in_seconds = options.time_limit_seconds
    solver.parameters.num_workers = max(1, options.workers)
    solver.parameters.random_seed = options.seed
    solver.parameters.relative_gap_limit = options.relative_gap
    code = solver.solve(model)
    runtime = time.perf_counter() - started
    levels = None
    objective = bound = None
    if status.cpsat(code).status.has_solution:
        chosen = np.array([solver.boolean_value(v) for v in y], dtype=bool)
        levels = _levels_from(instance, item, level, chosen)
        objective = instance.total_value(levels)
        bound = solver.best_objective_bound / 100.0
    info = SolveInfo(
        "CP-SAT MIP",
        status.cpsat(code).status,
        "max",
        objective,
        bound,
        runtime,
        time_limit_hit=runtime >= options.time_limit_seconds * 0.99,
        message=solver.status_name(code),
    )
    return MipSolution(levels, info)
