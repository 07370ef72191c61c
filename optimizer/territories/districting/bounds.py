"""Lower bounds on the territory objective, each from a relaxation of the model in ``problem``.

* home — LP relaxation (HiGHS through scipy.optimize.linprog) of the assignment model with balance,
  locks, non-empty territories, the reassignment cap and the disruption term; only contiguity is dropped.
  An infeasible LP proves the problem infeasible.
* median — Lagrangian bound of the balanced p-median (see ``lagrangian``), by subgradient ascent with
  Polyak steps towards the best known plan (Held, Wolfe & Crowder 1974).
* diameter — the largest of three combinatorial bounds, each a fact every feasible plan obeys:
  (a) of any p + 1 units two share a territory, so D* ≥ the smallest pairwise distance among p + 1
      units (chosen by farthest-point traversal and swap improvement);
  (b) the territory of unit i holds at least (1 − t_e) μ_e of every balanced measure e within distance
      D* of i, so D* ≥ the radius around i that first gathers that much (largest over i and e);
  (c) units locked to the same territory are at most D* apart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from ... import status
from ...result import SolveStatus
from .geometry import distance_matrix
from .lagrangian import initial_multipliers, lagrangian_step
from .problem import TerritoryProblem


@dataclass(frozen=True)
class Bound:
    value: float | None  # proven lower bound on the objective, None when none could be computed
    method: str
    infeasible: bool = False  # the relaxation itself is infeasible: so is the problem
    solution: np.ndarray | None = None  # the relaxation's optimum x[i, k] where it has one (home: the LP)


def home_cost(problem: TerritoryProblem) -> np.ndarray:
    """c[i, k] = w_i · d(i, home_k) + λ · v_i · [k ≠ r_i, r_i ≥ 0] (km, objective units)."""
    assert problem.homes is not None
    assert problem.weight is not None and problem.move_weight is not None and problem.previous is not None
    cost = problem.weight[:, None] * distance_matrix(problem.xy, problem.homes)
    had = problem.previous >= 0
    cost[had] += (problem.disruption_weight * problem.move_weight[had])[:, None]
    cost[np.flatnonzero(had), problem.previous[had]] -= problem.disruption_weight * problem.move_weight[had]
    return cost


def home_bound(problem: TerritoryProblem, seconds: float) -> Bound:
    """LP relaxation of the home-distance model without contiguity."""
    assert problem.locks is not None and problem.previous is not None  # arrays once TerritoryProblem is built
    n, p = problem.n, problem.p
    cost = home_cost(problem).ravel()
    var = np.arange(n * p).reshape(n, p)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[float] = []
    r = 0
    mu = problem.targets
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        for k in range(p):  # territory k within its band on measure e (two rows)
            for sign, bound in ((1.0, (1 + t) * mu[e]), (-1.0, -(1 - t) * mu[e])):
                rows.append(np.full(n, r))
                cols.append(var[:, k])
                vals.append(sign * problem.activity[:, e])
                rhs.append(bound)
                r += 1
    for k in range(p):  # every territory gets at least one unit
        rows.append(np.full(n, r))
        cols.append(var[:, k])
        vals.append(-np.ones(n))
        rhs.append(-1.0)
        r += 1
    had = np.flatnonzero(problem.previous >= 0)
    if problem.max_moved_share is not None and len(had):  # moved share within the cap
        basis = problem.move_basis_weight[had]
        rows.append(np.full(len(had), r))
        cols.append(var[had, problem.previous[had]])
        vals.append(-basis)
        forced = problem.move_basis_weight[
            (problem.locks >= 0) & (problem.previous >= 0) & (problem.locks != problem.previous)
        ].sum()
        rhs.append(max(problem.move_budget, forced) - basis.sum())
        r += 1
    a_ub = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n * p))
    # every unit in exactly one territory
    a_eq = coo_matrix((np.ones(n * p), (np.repeat(np.arange(n), p), var.ravel())), shape=(n, n * p))
    upper = np.ones((n, p))
    lower = np.zeros((n, p))
    locked = np.flatnonzero(problem.locks >= 0)
    upper[locked] = 0.0
    upper[locked, problem.locks[locked]] = 1.0
    lower[locked, problem.locks[locked]] = 1.0
    res = linprog(
        cost,
        A_ub=a_ub.tocsr(),
        b_ub=np.array(rhs),
        A_eq=a_eq.tocsr(),
        b_eq=np.ones(n),
        bounds=np.column_stack([lower.ravel(), upper.ravel()]),
        method="highs",
        options={"time_limit": max(1.0, seconds)},
    )
    outcome = status.highs(res)
    if outcome.status is SolveStatus.INFEASIBLE:
        return Bound(None, "lp", infeasible=True)
    if outcome.status is not SolveStatus.OPTIMAL:
        return Bound(None, "lp")
    value = float(res.fun) - 1e-7 * max(1.0, abs(float(res.fun)))
    return Bound(value, "lp", solution=np.asarray(res.x, dtype=float).reshape(n, p))


def median_bound(
    problem: TerritoryProblem, upper: float | None, seconds: float, iterations: int = 1000
) -> Bound:
    """Best Lagrangian value found within ``iterations`` subgradient steps (or ``seconds``)."""
    assert problem.weight is not None  # an array once TerritoryProblem is built
    stop = time.monotonic() + seconds
    n, p = problem.n, problem.p
    cw = np.ascontiguousarray(problem.weight[:, None] * distance_matrix(problem.xy))
    bal = np.flatnonzero(problem.balanced)
    mu = problem.targets[bal]
    scale = np.where(mu > 0, mu, 1.0)
    act = np.ascontiguousarray(problem.activity[:, bal] / scale)  # shares of the target: rows of O(1)
    tol = problem.tolerance_array[bal]
    low, up = (1 - tol) * mu / scale, (1 + tol) * mu / scale
    lam = initial_multipliers(cw, p)
    pp = np.zeros((n, len(bal)))
    pm = np.zeros((n, len(bal)))
    g_lam, g_pp, g_pm = np.empty(n), np.empty((n, len(bal))), np.empty((n, len(bal)))
    best = -np.inf
    theta, stall = 2.0, 0
    target = upper if upper is not None and np.isfinite(upper) else None
    for _ in range(iterations):
        value = lagrangian_step(cw, act, low, up, lam, pp, pm, p, g_lam, g_pp, g_pm)
        if not np.isfinite(best) or value > best + 1e-9 * max(1.0, abs(best)):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 40:
                theta, stall = theta / 2, 0
        # projected components of π at zero with a negative slope do not move
        g_pp[(pp <= 0) & (g_pp < 0)] = 0.0
        g_pm[(pm <= 0) & (g_pm < 0)] = 0.0
        norm = float((g_lam**2).sum() + (g_pp**2).sum() + (g_pm**2).sum())
        if norm < 1e-12 or theta < 1e-4 or time.monotonic() > stop:
            break
        aim = target if target is not None else 1.05 * abs(value) + 1.0
        if aim - value <= 1e-6 * max(1.0, abs(aim)):
            break
        step = theta * (aim - value) / norm
        lam += step * g_lam
        pp = np.maximum(0.0, pp + step * g_pp)
        pm = np.maximum(0.0, pm + step * g_pm)
    return Bound(float(best) if np.isfinite(best) else None, "lagrangian")


def _dispersion(d: np.ndarray, count: int, starts: int) -> float:
    """Largest min pairwise distance found among ``count`` units (farthest-point traversal + swaps)."""
    n = len(d)
    if count > n:
        return np.inf  # more territories than units cannot happen (validated), kept for safety
    best = 0.0
    first = np.unique(np.linspace(0, n - 1, num=min(starts, n)).astype(int))
    for s in first:
        chosen = [int(s)]
        near = d[s].copy()
        while len(chosen) < count:
            j = int(np.argmax(near))
            chosen.append(j)
            near = np.minimum(near, d[j])
        for _ in range(10):  # swap improvement: replace the unit of the closest pair if it helps
            sub = d[np.ix_(chosen, chosen)] + np.diag(np.full(count, np.inf))
            value = float(sub.min())
            a = int(np.argmin(sub.min(axis=1)))
            rest = [c for i, c in enumerate(chosen) if i != a]
            cand = d[rest].min(axis=0)
            j = int(np.argmax(cand))
            if cand[j] <= value + 1e-12:
                break
            chosen = [*rest, j]
        sub = d[np.ix_(chosen, chosen)] + np.diag(np.full(count, np.inf))
        best = max(best, float(sub.min()))
    return best


def diameter_bound(problem: TerritoryProblem) -> Bound:
    d = distance_matrix(problem.xy)
    n, p = problem.n, problem.p
    value = _dispersion(d, p + 1, 32) if p < n else 0.0
    order = np.argsort(d, axis=1, kind="stable")
    dist_sorted = np.take_along_axis(d, order, axis=1)
    mu = problem.targets
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        need = (1 - t) * mu[e] * (1 - 1e-12)
        if need <= 0:
            continue
        reach = np.cumsum(problem.activity[order, e], axis=1)
        first = np.argmax(reach >= need, axis=1)
        value = max(value, float(dist_sorted[np.arange(n), first].max()))
    for k in range(p):
        units = np.flatnonzero(problem.locks == k)
        if len(units) > 1:
            value = max(value, float(d[np.ix_(units, units)].max()))
    return Bound(value, "geometry")
