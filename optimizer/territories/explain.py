"""What the alignment adds to the engine's explanations of a region without a plan.

1. A counting floor on the balance tolerance. Whatever the plan, some territory holds at least ⌈n/p⌉
   accounts and some at most ⌊n/p⌋, so for every balanced measure e (a_(1) ≤ … ≤ a_(n) sorted)

       τ_e ≥ Σ_{j ≤ ⌈n/p⌉} a_(j) / μ_e − 1     and     τ_e ≥ 1 − Σ_{j > n − ⌊n/p⌋} a_(j) / μ_e.

   It proves what a search cannot: e.g. 45 accounts of equal workload among 20 reps leave some rep with
   3 accounts, +33 % over the mean, whatever the plan.

2. The smallest reassignment cap. When a region has no plan, the tolerance may be fine and the cap on moved accounts the real obstacle:
the previous alignment is so far out of balance that fixing it needs more moves than the cap allows. The
engine then suggests a wider tolerance; this module adds the other fix, the smallest cap:

    minimise   Σ_{i: r_i ≥ 0} b_i · (1 − x_{i r_i})                     moved amount (b_i = 1 or value)
    subject to Σ_k x_ik = 1                              ∀ i              (1) one territory per account
               (1 − t_e) μ_e ≤ Σ_i a_ie x_ik ≤ (1 + t_e) μ_e  ∀ k, balanced e  (2) balance
               Σ_i x_ik ≥ 1                              ∀ k              (3) no empty territory
               x_{i ℓ_i} = 1                             ∀ locked i       (4) locks
               x_ik ∈ {0, 1}

and s* = optimum / Σ_{r_i ≥ 0} b_i. Contiguity is dropped (a relaxation), so s* is a proven floor: no cap
below it has a plan; with contiguity the plan may need more. Solved with HiGHS (scipy.optimize.milp);
when the time limit stops it, the proven floor (its dual bound) is reported.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from .. import status
from ..result import Fix, Infeasibility, SolveStatus, Value
from .districting.problem import TerritoryProblem
from .districting.result import TerritoryResult as DistrictingResult


def count_floor(problem: TerritoryProblem) -> tuple[float, int, tuple[tuple[str, Value], ...]]:
    """(floor, measure, cause facts) of the counting argument (1); floor 0 and measure −1 when it gives
    nothing."""
    n, p = problem.n, problem.p
    most, least = -(-n // p), n // p
    best, measure = 0.0, -1
    cause: tuple[tuple[str, Value], ...] = ()
    for e in np.flatnonzero(problem.balanced):
        mu = float(problem.targets[e])
        t = problem.tolerance[e]
        if mu <= 0 or t is None:
            continue
        a = np.sort(problem.activity[:, e])
        low_sum = float(a[:most].sum())
        high_sum = float(a[n - least :].sum()) if least else 0.0
        for value, kind, count, share in (
            (low_sum / mu - 1.0, "count_most", most, low_sum / mu),
            (1.0 - high_sum / mu, "count_least", least, high_sum / mu),
        ):
            if value > t + 1e-12 and value > best:
                best, measure = value, int(e)
                cause = (("cause", kind), ("cause_count", count), ("cause_units", n), ("cause_share", share))
    return best, measure, cause


def sharpen_tolerance(problem: TerritoryProblem, result: DistrictingResult) -> DistrictingResult:
    """The engine's result with the counting floor applied: proven infeasible, the explanation sharpened.

    Only when the engine found no plan and the counting floor is above the floor the engine proved (its
    explanation's shortfall, or the tolerance itself when it proved nothing).
    """
    floor, e, cause = count_floor(problem)
    if result.assignment is not None or result.info.status.has_solution or e < 0:
        return result
    name, t = problem.measure_names[e], problem.tolerance[e]
    assert t is not None
    theirs = [i for i in result.infeasibilities if i.kind == "balance" and i.fact("measure") == name]
    if floor <= t + max((i.shortfall / 100.0 for i in theirs), default=0.0) + 1e-9:
        return result
    achieved = None if result.smallest_tolerance is None else result.smallest_tolerance[e]
    target = f"tolerance:{name}"
    fixes: tuple[Fix, ...]
    if achieved is None:
        fixes = (
            Fix("set", target, math.ceil(floor * 1000 - 1e-6) / 1000, t),
            Fix("add", "territories", None),
        )
        exact = False
    elif achieved > floor + 1e-9:
        fixes = (
            Fix("set", target, math.ceil(achieved * 1000 - 1e-6) / 1000, t),
            Fix("add", "territories", None),
        )
        exact = False
    else:
        fixes = (Fix("set", target, math.ceil(floor * 1000 - 1e-6) / 1000, t),)
        exact = True
    item = Infeasibility.of(
        "balance", None, 100.0 * (floor - t), "percentage points of tolerance (proven)", fixes,
        measure=name, tolerance=t, floor=floor, achieved=float("inf") if achieved is None else float(achieved),
        proven=True, exact=exact, **dict(cause),
    )  # fmt: skip
    kept = tuple(i for i in result.infeasibilities if i not in theirs)
    info = replace(result.info, status=SolveStatus.INFEASIBLE, message="tolerance cannot be met")
    return replace(result, info=info, infeasibilities=(item, *kept))


def smallest_cap(problem: TerritoryProblem, seconds: float) -> float | None:
    """Proven floor s* on the moved share needed for balance (None: no plan at any cap, or none found)."""
    n, p = problem.n, problem.p
    previous, locks = np.asarray(problem.previous), np.asarray(problem.locks)  # normalised by the problem
    had = np.flatnonzero(previous >= 0)
    basis = problem.move_basis_weight
    base = float(basis[had].sum())
    if base <= 0:
        return None
    var = np.arange(n * p).reshape(n, p)
    cost = np.zeros(n * p)
    cost[var[had, previous[had]]] = -basis[had]  # keeping an account saves its move
    rows, cols, vals, low, high = [], [], [], [], []
    mu = problem.targets
    r = 0
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        for k in range(p):  # (2) territory k within its band on measure e
            rows.append(np.full(n, r))
            cols.append(var[:, k])
            vals.append(problem.activity[:, e])
            low.append((1 - t) * mu[e])
            high.append((1 + t) * mu[e])
            r += 1
    for k in range(p):  # (3) every territory gets an account
        rows.append(np.full(n, r))
        cols.append(var[:, k])
        vals.append(np.ones(n))
        low.append(1.0)
        high.append(np.inf)
        r += 1
    for i in range(n):  # (1) every account in exactly one territory
        rows.append(np.full(p, r))
        cols.append(var[i])
        vals.append(np.ones(p))
        low.append(1.0)
        high.append(1.0)
        r += 1
    matrix = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, n * p)
    )
    lower, upper = np.zeros((n, p)), np.ones((n, p))
    locked = np.flatnonzero(locks >= 0)  # (4) locks
    upper[locked] = 0.0
    upper[locked, locks[locked]] = 1.0
    lower[locked, locks[locked]] = 1.0
    result = milp(
        cost,
        constraints=LinearConstraint(matrix.tocsr(), np.array(low), np.array(high)),
        integrality=np.ones(n * p),
        bounds=Bounds(lower.ravel(), upper.ravel()),
        options={"time_limit": max(0.5, seconds), "disp": False},
    )
    dual = getattr(result, "mip_dual_bound", None)
    if status.highs(result).status is SolveStatus.OPTIMAL and result.fun is not None:
        kept = -float(result.fun)
    elif dual is not None and math.isfinite(dual):
        kept = -float(dual)  # at most this much can stay: a floor on the moved amount
    else:
        return None
    return max(0.0, (base - kept) / base)


def cap_explanation(problem: TerritoryProblem, seconds: float) -> Infeasibility | None:
    """'raise max_moved_share to s*' when balance needs more moves than the cap allows, else None."""
    cap = problem.max_moved_share
    if cap is None or cap >= 1.0:
        return None
    floor = smallest_cap(problem, seconds)
    if floor is None or floor <= cap + 1e-9:
        return None
    suggested = min(1.0, math.ceil(floor * 100 - 1e-6) / 100)
    basis = "accounts" if problem.moved_basis == "units" else "value"
    fixes = (
        Fix("set", "cap", suggested, cap),
        *tuple(
            Fix("set", f"tolerance:{name}", None, t)
            for name, t in zip(problem.measure_names, problem.tolerance, strict=True)
            if t is not None
        ),
    )
    return Infeasibility.of(
        "reassignment_cap", None, 100.0 * (floor - cap), "percentage points of the moved share", fixes,
        floor=floor, basis=basis, contiguous=problem.contiguous,
    )  # fmt: skip
