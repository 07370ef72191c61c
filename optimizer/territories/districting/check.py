"""Independent check of a territory plan: every rule of the model re-verified, the objective recomputed.

Written apart from the solvers (plain numpy and scipy graph routines, no shared kernels), so that a
benchmark or a test can trust a plan only after this check agrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .problem import FloatArray, IntArray, TerritoryProblem

BALANCE_EPS = 1e-9  # relative slack on balance and cap comparisons (floating-point sums)


@dataclass(frozen=True)
class TerritoryCheck:
    """What the checker found. ``feasible`` is True when every rule (1)–(5) of the model holds."""

    feasible: bool
    problems: tuple[str, ...]
    totals: FloatArray  # (p, m) activity per territory
    deviation: FloatArray  # (p, m) (total − μ) / μ
    balance_violations: int  # (territory, measure) pairs outside their tolerance
    worst_balance_excess: float  # largest |deviation| − tolerance over balanced measures (≤ 0 when met)
    disconnected: tuple[int, ...]  # territories that are not connected (empty unless contiguity required)
    lock_violations: tuple[int, ...]  # units not in their locked territory
    moved: IntArray  # units with a previous territory that changed
    moved_share: float  # in the basis of the cap (value or units); 0 without a previous plan
    compactness: float  # C(x) of the objective
    disruption: float  # Σ v_i over moved units
    objective: float  # C(x) + λ · disruption
    centres: IntArray  # (p,) the unit minimising Σ w_i d(i, ·) in each territory
    max_radius: float  # largest distance from a unit to its territory's centre (or home)


def _components_ok(problem: TerritoryProblem, assignment: IntArray) -> list[int]:
    assert problem.edges is not None  # an array once TerritoryProblem is built
    n = problem.n
    u, v = problem.edges[:, 0], problem.edges[:, 1]
    same = assignment[u] == assignment[v]
    graph = coo_matrix((np.ones(int(same.sum())), (u[same], v[same])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    bad = []
    for k in range(problem.p):
        if len(np.unique(label[assignment == k])) > 1:
            bad.append(k)
    return bad


def check_plan(problem: TerritoryProblem, assignment: npt.ArrayLike) -> TerritoryCheck:
    """Check ``assignment`` (n territory indices) against every rule of ``problem``; recompute the objective."""
    assert problem.weight is not None and problem.move_weight is not None  # arrays once built
    assert problem.locks is not None and problem.previous is not None
    x = np.asarray(assignment, dtype=np.int64)
    problems: list[str] = []
    if x.shape != (problem.n,) or np.any((x < 0) | (x >= problem.p)):
        raise ValueError("assignment: one territory index 0..p−1 per unit")
    sizes = np.bincount(x, minlength=problem.p)
    empty = [k for k in range(problem.p) if sizes[k] == 0]
    if empty:
        problems.append(f"empty territories {empty}")
    # (2) balance
    totals = np.zeros((problem.p, problem.m))
    np.add.at(totals, x, problem.activity)
    mu = problem.targets
    safe_mu = np.where(mu > 0, mu, 1.0)
    deviation = (totals - mu) / safe_mu
    tol = problem.tolerance_array
    excess = np.abs(deviation) - tol[None, :]
    balanced = problem.balanced
    violations = int(np.sum((excess > BALANCE_EPS) & balanced[None, :]))
    worst = float(excess[:, balanced].max()) if balanced.any() else 0.0
    if violations:
        problems.append(f"{violations} balance violations (worst excess {worst:.4%})")
    # (3) contiguity
    disconnected = tuple(_components_ok(problem, x)) if problem.contiguous else ()
    if disconnected:
        problems.append(f"territories not connected: {list(disconnected)}")
    # (4) locks
    locked = problem.locks >= 0
    lock_bad = tuple(int(i) for i in np.flatnonzero(locked & (x != problem.locks)))
    if lock_bad:
        problems.append(f"{len(lock_bad)} locked units moved")
    # (5) reassignment cap
    had = problem.previous >= 0
    moved = np.flatnonzero(had & (x != problem.previous)).astype(np.int64)
    basis = problem.move_basis_weight
    base = float(basis[had].sum())
    moved_amount = float(basis[moved].sum())
    moved_share = moved_amount / base if base > 0 else 0.0
    if moved_amount > problem.move_budget * (1 + BALANCE_EPS) + BALANCE_EPS:
        problems.append(f"moved share {moved_share:.2%} above the cap {problem.max_moved_share:.2%}")
    # objective, recomputed from coordinates
    centres = np.zeros(problem.p, dtype=np.int64)
    radius = 0.0
    compact = 0.0
    for k in range(problem.p):
        members = np.flatnonzero(x == k)
        if len(members) == 0:
            centres[k] = -1
            continue
        pts = problem.xy[members]
        d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2))
        cost = problem.weight[members] @ d
        best = int(np.argmin(cost))
        centres[k] = members[best]
        if problem.objective == "home":
            assert problem.homes is not None
            to_home = np.sqrt(((pts - problem.homes[k]) ** 2).sum(axis=1))
            compact += float(problem.weight[members] @ to_home)
            radius = max(radius, float(to_home.max()))
        elif problem.objective == "median":
            compact += float(cost[best])
            radius = max(radius, float(d[best].max()))
        else:
            compact = max(compact, float(d.max()))
            radius = max(radius, float(d[best].max()))
    disruption = float(problem.move_weight[moved].sum())
    return TerritoryCheck(
        feasible=not problems,
        problems=tuple(problems),
        totals=totals,
        deviation=deviation,
        balance_violations=violations,
        worst_balance_excess=worst,
        disconnected=disconnected,
        lock_violations=lock_bad,
        moved=moved,
        moved_share=moved_share,
        compactness=compact,
        disruption=disruption,
        objective=compact + problem.disruption_weight * disruption,
        centres=centres,
        max_radius=radius,
    )
