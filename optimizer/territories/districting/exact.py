"""Exact mixed-integer model of the territory problem for small regions (HiGHS via scipy.optimize.milp).

Variables: x_ik = 1 when unit i is in territory k. Constraints, numbered as in ``problem``:
  (1) Σ_k x_ik = 1 for every unit; Σ_i x_ik ≥ 1 for every territory;
  (2) (1 − t_e) μ_e ≤ Σ_i a_ie x_ik ≤ (1 + t_e) μ_e for balanced measures;
  (3) contiguity by a single-commodity flow per territory: one root r_ik per territory sends one unit of
      flow to every other member along edges inside the territory (f_uvk ≤ (n − 1) x_uk, (n − 1) x_vk);
  (4) locks as variable bounds;  (5) Σ_{r_i ≥ 0} v_i (1 − x_{i, r_i}) ≤ cap.
Objective: home Σ c_ik x_ik; median Σ w_i d_ij z_ijk with centre choice y_jk (Σ_j y_jk = 1, y_jk ≤ x_jk,
Σ_j z_ijk = x_ik, z_ijk ≤ y_jk); diameter D ≥ d_ij (x_ik + x_jk − 1); plus λ Σ v_i (1 − x_{i, r_i}).
Tolerance mode minimises τ instead, with |Σ_i a_ie x_ik − μ_e| ≤ τ μ_e for the measures in ``widen``.
Without homes, locks or a previous plan the territories are interchangeable, and x_ik = 0 for k > i
removes the relabelled copies of each plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp
from scipy.sparse import coo_matrix

from ... import status
from ...result import SolveStatus
from .bounds import home_cost
from .geometry import distance_matrix
from .problem import IntArray, TerritoryProblem


@dataclass(frozen=True)
class ExactOutcome:
    status: str  # "optimal", "feasible" (time limit with a plan), "infeasible", "unknown"
    assignment: IntArray | None
    objective: float | None
    bound: float | None
    clock: bool = False  # the wall clock stopped HiGHS (not the node budget nor the gap)


class _Model:
    """Sparse rows and variable blocks of one MILP."""

    def __init__(self) -> None:
        self.size = 0
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.row_lb: list[float] = []
        self.row_ub: list[float] = []

    def add_vars(self, count: int, lb: float, ub: float, integer: bool) -> np.ndarray:
        index = np.arange(self.size, self.size + count)
        self.size += count
        self.lb.append(np.full(count, lb))
        self.ub.append(np.full(count, ub))
        self.integer.append(np.full(count, 1 if integer else 0))
        return index

    def add_row(self, cols: np.ndarray, vals: np.ndarray, lo: float, hi: float) -> None:
        self.rows.append(np.full(len(cols), len(self.row_lb)))
        self.cols.append(np.asarray(cols))
        self.vals.append(np.asarray(vals, dtype=float))
        self.row_lb.append(lo)
        self.row_ub.append(hi)

    def solve(
        self, cost: np.ndarray, lb: np.ndarray, ub: np.ndarray, seconds: float, gap: float, nodes: int | None
    ) -> OptimizeResult:
        a = coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(len(self.row_lb), self.size),
        ).tocsr()
        return milp(
            cost,
            integrality=np.concatenate(self.integer),
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(a, np.array(self.row_lb), np.array(self.row_ub)),
            options={"time_limit": max(0.1, seconds), "mip_rel_gap": gap, "disp": False}
            | ({} if nodes is None else {"node_limit": max(1, int(nodes))}),
        )


def solve_exact(
    problem: TerritoryProblem,
    seconds: float,
    gap: float = 1e-6,
    widen: tuple[int, ...] | None = None,
    tau_min: float = 0.0,
    nodes: int | None = None,
    fixed: IntArray | None = None,
) -> ExactOutcome:
    """Solve the model (or, with ``widen``, the smallest common tolerance τ ≥ tau_min of those measures).

    ``nodes`` is the deterministic work budget (branch-and-bound nodes; None: no limit), ``seconds`` the
    wall-clock safety net; ``fixed[i] ≥ 0`` fixes unit i to that territory (the LP-and-fix heuristic).
    """
    assert problem.edges is not None and problem.locks is not None  # arrays once TerritoryProblem is built
    assert problem.previous is not None and problem.weight is not None and problem.move_weight is not None
    n, p = problem.n, problem.p
    mdl = _Model()
    x = mdl.add_vars(n * p, 0.0, 1.0, True).reshape(n, p)
    cost_parts: dict[int, float] = {}
    for i in range(n):  # (1) every unit in exactly one territory
        mdl.add_row(x[i], np.ones(p), 1.0, 1.0)
    for k in range(p):  # (1) every territory non-empty
        mdl.add_row(x[:, k], np.ones(n), 1.0, np.inf)
    mu = problem.targets
    tau = mdl.add_vars(1, tau_min, np.inf, False)[0] if widen is not None else -1
    for e in np.flatnonzero(problem.balanced) if widen is None else range(problem.m):
        a = problem.activity[:, e]
        for k in range(p):
            if widen is not None and e in widen:  # (2) |total − μ| ≤ τ μ for the widened measures
                mdl.add_row(np.append(x[:, k], tau), np.append(a, -mu[e]), -np.inf, mu[e])
                mdl.add_row(np.append(x[:, k], tau), np.append(a, mu[e]), mu[e], np.inf)
            elif problem.tolerance[e] is not None:  # (2) total within the band of measure e
                t = problem.tolerance[e]
                assert t is not None
                mdl.add_row(x[:, k], a, (1 - t) * mu[e], (1 + t) * mu[e])
    if problem.contiguous:  # (3) a root per territory feeds one unit of flow to every other member
        root = mdl.add_vars(n * p, 0.0, 1.0, True).reshape(n, p)
        arcs = np.vstack([problem.edges, problem.edges[:, ::-1]])
        flow = mdl.add_vars(len(arcs) * p, 0.0, n - 1.0, False).reshape(len(arcs), p)
        for k in range(p):
            mdl.add_row(root[:, k], np.ones(n), 1.0, 1.0)
            for i in range(n):
                mdl.add_row(np.array([root[i, k], x[i, k]]), np.array([1.0, -1.0]), -np.inf, 0.0)
            for a_, (u, v) in enumerate(arcs.tolist()):
                for end in (u, v):
                    mdl.add_row(np.array([flow[a_, k], x[end, k]]), np.array([1.0, -(n - 1.0)]), -np.inf, 0.0)
            for i in range(n):
                into = np.flatnonzero(arcs[:, 1] == i)
                out = np.flatnonzero(arcs[:, 0] == i)
                cols = np.concatenate([flow[into, k], flow[out, k], [x[i, k], root[i, k]]])
                vals = np.concatenate([np.ones(len(into)), -np.ones(len(out)), [-1.0, float(n)]])
                mdl.add_row(cols, vals, 0.0, np.inf)
    had = np.flatnonzero(problem.previous >= 0)
    if problem.max_moved_share is not None and len(had):  # (5) moved share within the cap
        basis = problem.move_basis_weight[had]
        forced = problem.move_basis_weight[
            (problem.locks >= 0) & (problem.previous >= 0) & (problem.locks != problem.previous)
        ].sum()
        mdl.add_row(
            x[had, problem.previous[had]], -basis, -np.inf, max(problem.move_budget, forced) - basis.sum()
        )
    # objective
    if widen is None:
        if problem.objective != "home":
            lam_v = problem.disruption_weight * problem.move_weight
            for h in had:  # λ v_h (1 − x_{h, r_h}); the constant is added back below
                cost_parts[int(x[h, problem.previous[h]])] = -float(lam_v[h])
            d = distance_matrix(problem.xy)
            if problem.objective == "median":
                y = mdl.add_vars(n * p, 0.0, 1.0, True).reshape(n, p)
                z = mdl.add_vars(n * n * p, 0.0, 1.0, False).reshape(n, n, p)
                for k in range(p):  # one centre per territory, a member of it
                    mdl.add_row(y[:, k], np.ones(n), 1.0, 1.0)
                    for j in range(n):
                        mdl.add_row(np.array([y[j, k], x[j, k]]), np.array([1.0, -1.0]), -np.inf, 0.0)
                    for i in range(n):  # each member is served by the centre of its territory
                        mdl.add_row(np.append(z[i, :, k], x[i, k]), np.append(np.ones(n), -1.0), 0.0, 0.0)
                        for j in range(n):
                            mdl.add_row(np.array([z[i, j, k], y[j, k]]), np.array([1.0, -1.0]), -np.inf, 0.0)
                            cost_parts[int(z[i, j, k])] = float(problem.weight[i] * d[i, j])
            else:
                diam = mdl.add_vars(1, 0.0, np.inf, False)[0]
                cost_parts[int(diam)] = 1.0
                iu, ju = np.triu_indices(n, 1)
                for k in range(p):  # the diameter covers every pair that shares a territory
                    for ui, uj in zip(iu, ju, strict=True):
                        mdl.add_row(
                            np.array([diam, x[ui, k], x[uj, k]]),
                            np.array([1.0, -d[ui, uj], -d[ui, uj]]),
                            -d[ui, uj],
                            np.inf,
                        )
    else:
        cost_parts[int(tau)] = 1.0
    constant = (
        float((problem.disruption_weight * problem.move_weight)[had].sum())
        if widen is None and problem.objective != "home"
        else 0.0
    )
    cost = np.zeros(mdl.size)
    for col, val in cost_parts.items():
        cost[col] = val
    if widen is None and problem.objective == "home":
        cost[x.ravel()] = home_cost(problem).ravel()
    lb, ub = np.concatenate(mdl.lb), np.concatenate(mdl.ub)
    locked = np.flatnonzero(problem.locks >= 0)
    ub[x[locked].ravel()] = 0.0  # (4) locked units stay in their territory
    ub[x[locked, problem.locks[locked]]] = 1.0
    lb[x[locked, problem.locks[locked]]] = 1.0
    if not problem.has_labels:  # symmetry: unit i only in territories 0..i
        for i in range(min(n, p)):
            ub[x[i, i + 1 :]] = 0.0
    if fixed is not None:
        held = np.flatnonzero(fixed >= 0)
        ub[x[held].ravel()] = 0.0
        ub[x[held, fixed[held]]] = 1.0
        lb[x[held, fixed[held]]] = 1.0
    started = time.monotonic()
    res = mdl.solve(cost, lb, ub, seconds, gap, nodes)
    clock = time.monotonic() - started >= 0.99 * max(0.1, seconds)
    outcome = status.highs(res)
    if outcome.status is SolveStatus.INFEASIBLE:
        return ExactOutcome("infeasible", None, None, None)
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else float(bound) + constant
    if res.x is None:
        return ExactOutcome("unknown", None, None, bound, clock)
    assignment = np.argmax(np.asarray(res.x)[x].round(), axis=1).astype(np.int64)
    found = outcome.status.value if outcome.status.has_solution else "feasible"
    value = float(res.fun) + constant
    optimal = found == "optimal"
    return ExactOutcome(found, assignment, value, value if optimal else bound, clock and not optimal)
