"""Why a territory problem has no plan, and the smallest balance tolerance that has one.

Smallest tolerance: τ* = min { τ ≥ 0 : some plan meets |T_ke − μ_e| ≤ max(t_e, τ) μ_e for every balanced
measure e, with every other rule of the model kept }. Measures with t_e < τ* must be widened to τ*; no
plan exists below it, one exists at it. Computed
  * exactly for small regions — the exact model minimising τ over the measures whose tolerance is at or
    below the current breakpoint (sorted tolerances), one solve per breakpoint at most;
  * otherwise as an interval: a proven floor (one unit alone above a territory's band: a_ie/μ_e − 1; the
    units locked to one territory above its band: L_ke/μ_e − 1) and the tolerance a found plan meets;
    when the search meets the floor itself, the interval closes and τ* is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ...result import Infeasibility
from .exact import solve_exact
from .problem import IntArray, TerritoryProblem

Search = Callable[[TerritoryProblem], "IntArray | None"]


@dataclass(frozen=True)
class ToleranceAnalysis:
    floor: float  # proven: no plan with common tolerance below this
    achieved: float | None  # a plan meeting this common tolerance was found (None: none found)
    plan: IntArray | None  # that plan
    cause: str  # what sets the floor, in words

    @property
    def exact(self) -> bool:
        return self.achieved is not None and self.achieved <= self.floor + 1e-9


def screen(problem: TerritoryProblem, region: str) -> list[Infeasibility]:
    """Rules that no plan can meet whatever the tolerances: components, locks, the cap."""
    found: list[Infeasibility] = []
    if problem.contiguous:
        n = problem.n
        graph = coo_matrix((np.ones(len(problem.edges)), (problem.edges[:, 0], problem.edges[:, 1])), shape=(n, n))
        count, label = connected_components(graph, directed=False)
        if count > problem.p:
            found.append(Infeasibility(
                "contiguity", region, float(count - problem.p), "territories",
                f"the adjacency has {count} separate parts but only {problem.p} territories: add "
                f"{count - problem.p} reps or adjacency links between the parts"))
        for k in range(problem.p):
            parts = np.unique(label[problem.locks == k])
            if len(parts) > 1:
                found.append(Infeasibility(
                    "contiguity with locks", f"{region}, territory {k}", float(len(parts) - 1), "separate parts",
                    f"units locked to territory {k} lie in {len(parts)} unconnected parts: unlock some"))
    forced = problem.move_basis_weight[(problem.locks >= 0) & (problem.previous >= 0)
                                       & (problem.locks != problem.previous)].sum()
    if forced > problem.move_budget * (1 + 1e-9) + 1e-12:
        base = problem.move_basis_weight[problem.previous >= 0].sum()
        found.append(Infeasibility(
            "reassignment cap", region, float(100 * (forced - problem.move_budget) / base),
            "percentage points of the moved share",
            f"locks alone move {forced / base:.1%}; raise the cap to at least that or release those locks"))
    return found


def tolerance_floor(problem: TerritoryProblem) -> tuple[float, str]:
    """A proven lower bound on τ* and its cause (0 when the simple arguments give nothing)."""
    mu = problem.targets
    best, cause = 0.0, ""
    for e in np.flatnonzero(problem.balanced):
        if mu[e] <= 0:
            continue
        t = problem.tolerance[e]
        assert t is not None
        name = problem.measure_names[e]
        i = int(np.argmax(problem.activity[:, e]))
        single = problem.activity[i, e] / mu[e] - 1.0
        if single > t and single > best:
            best, cause = single, f"unit {i} alone has {problem.activity[i, e] / mu[e]:.0%} of a territory's {name} target"
        for k in range(problem.p):
            locked = problem.activity[problem.locks == k, e].sum()
            over = locked / mu[e] - 1.0
            if over > t and over > best:
                best, cause = over, f"units locked to territory {k} hold {locked / mu[e]:.0%} of its {name} target"
    return best, cause


def plan_tolerance(problem: TerritoryProblem, assignment: IntArray) -> float:
    """The smallest common τ the plan meets (measures already within their own tolerance ignored)."""
    totals = np.zeros((problem.p, problem.m))
    np.add.at(totals, assignment, problem.activity)
    mu = problem.targets
    dev = np.abs(totals - mu) / np.where(mu > 0, mu, 1.0)
    worst = 0.0
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        if dev[:, e].max() > t * (1 + 1e-12):
            worst = max(worst, float(dev[:, e].max()))
    return worst


def _widened(problem: TerritoryProblem, tau: float) -> TerritoryProblem:
    return problem.with_tolerance([None if t is None else max(t, tau) for t in problem.tolerance])


def smallest_tolerance(problem: TerritoryProblem, seconds: float, exact: bool, search: Search | None,
                       hint: IntArray | None) -> ToleranceAnalysis:
    """τ* exactly (small regions, ``exact``) or as an interval (floor, tolerance of the best plan)."""
    floor, cause = tolerance_floor(problem)
    if exact:
        tols = sorted({t for t in problem.tolerance if t is not None})
        lower = 0.0
        for j, level in enumerate(tols):
            widen = tuple(e for e, t in enumerate(problem.tolerance) if t is not None and t <= level)
            out = solve_exact(problem, seconds, widen=widen, tau_min=level)
            nxt = tols[j + 1] if j + 1 < len(tols) else np.inf
            if out.status == "infeasible":
                continue
            if out.status != "optimal" or out.objective is None or out.assignment is None:
                lower = max(lower, out.bound if out.bound is not None else level)
                plan = out.assignment
                achieved = plan_tolerance(problem, plan) if plan is not None else None
                return ToleranceAnalysis(max(floor, lower), achieved, plan, cause or "exact model (time limit)")
            if out.objective <= nxt + 1e-12:
                tau = float(out.objective)
                return ToleranceAnalysis(tau, tau, out.assignment, cause if abs(tau - floor) < 1e-9 else
                                         "no plan meets a smaller tolerance (exact model)")
        return ToleranceAnalysis(np.inf, None, None, "no plan exists at any tolerance (other rules conflict)")
    achieved = plan_tolerance(problem, hint) if hint is not None else None
    plan = hint
    if search is not None and (achieved is None or achieved > floor + 1e-9):
        trial = search(_widened(problem, floor))
        if trial is not None:
            return ToleranceAnalysis(floor, floor, trial, cause)
    return ToleranceAnalysis(floor, achieved, plan, cause or "search did not meet a smaller tolerance")


def explain_tolerance(problem: TerritoryProblem, analysis: ToleranceAnalysis, region: str) -> list[Infeasibility]:
    """One explanation per measure whose tolerance is below τ*."""
    out: list[Infeasibility] = []
    low = analysis.floor
    high = analysis.achieved if analysis.achieved is not None else np.inf
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        name = problem.measure_names[e]
        if high <= t + 1e-12:
            continue
        if low <= t + 1e-12:  # nothing proven: the search (or its time) fell short, not the rules
            met = f"; ±{high:.2%} is met by the plan found" if np.isfinite(high) else ""
            out.append(Infeasibility(
                f"balance of {name}", region, 100.0 * (high - t) if np.isfinite(high) else 0.0,
                "percentage points of tolerance (none found, none proven impossible)",
                f"no plan within ±{t:.2%} was found in the search's time and work budget, and none is proven "
                f"impossible: raise --time-limit, or widen the {name} tolerance{met}",
            ))  # fmt: skip
            continue
        if analysis.exact:
            advice = f"widen the {name} tolerance to ±{low:.2%}, the smallest that can be met ({analysis.cause})"
        elif np.isfinite(high):
            advice = (f"widen the {name} tolerance: no plan below ±{max(low, t):.2%} exists ({analysis.cause}); "
                      f"±{high:.2%} is met by the plan found")
        else:
            advice = f"the {name} tolerance cannot be met by any plan found; no plan below ±{max(low, t):.2%}"
        out.append(Infeasibility(f"balance of {name}", region, 100.0 * (max(low, t) - t),
                                 "percentage points of tolerance (proven)", advice))
    return out
