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

from ...result import Fix, Infeasibility, Value
from .exact import solve_exact
from .problem import IntArray, TerritoryProblem

Search = Callable[[TerritoryProblem], "IntArray | None"]
Cause = tuple[tuple[str, Value], ...]  # facts of the argument behind a floor: cause=unit_alone, cause_unit=…


@dataclass(frozen=True)
class ToleranceAnalysis:
    floor: float  # proven: no plan with common tolerance below this
    achieved: float | None  # a plan meeting this common tolerance was found (None: none found)
    plan: IntArray | None  # that plan
    cause: Cause  # what sets the floor, as facts (rendered by optimizer.words)

    @property
    def exact(self) -> bool:
        return self.achieved is not None and self.achieved <= self.floor + 1e-9


def screen(problem: TerritoryProblem) -> list[Infeasibility]:
    """Rules that no plan can meet whatever the tolerances: components, locks, the cap."""
    assert problem.edges is not None  # arrays once TerritoryProblem is built
    assert problem.locks is not None and problem.previous is not None
    found: list[Infeasibility] = []
    if problem.contiguous:
        n = problem.n
        graph = coo_matrix(
            (np.ones(len(problem.edges)), (problem.edges[:, 0], problem.edges[:, 1])), shape=(n, n)
        )
        count, label = connected_components(graph, directed=False)
        if count > problem.p:
            found.append(
                Infeasibility.of(
                    "contiguity_parts",
                    None,
                    float(count - problem.p),
                    "territories",
                    (Fix("add", "territories", count - problem.p), Fix("add", "links")),
                    parts=int(count),
                    territories=problem.p,
                )
            )
        for k in range(problem.p):
            parts = np.unique(label[problem.locks == k])
            if len(parts) > 1:
                found.append(
                    Infeasibility.of(
                        "contiguity_locks",
                        {"territory": k},
                        float(len(parts) - 1),
                        "separate parts",
                        (Fix("release", f"locks@territory={k}"),),
                        parts=len(parts),
                    )
                )
    forced = problem.move_basis_weight[
        (problem.locks >= 0) & (problem.previous >= 0) & (problem.locks != problem.previous)
    ].sum()
    if forced > problem.move_budget * (1 + 1e-9) + 1e-12:
        base = problem.move_basis_weight[problem.previous >= 0].sum()
        share = float(forced / base)
        found.append(
            Infeasibility.of(
                "cap_locks",
                None,
                float(100 * (forced - problem.move_budget) / base),
                "percentage points of the moved share",
                (Fix("set", "cap", _ceil(share, 2), problem.max_moved_share), Fix("release", "locks")),
                forced=share,
            )
        )
    return found


def _ceil(value: float, digits: int) -> float:
    """``value`` rounded up to ``digits`` decimals (a fix must reach the floor, not fall short of it)."""
    scale = 10.0**digits
    return float(np.ceil(value * scale - 1e-6) / scale)


def tolerance_floor(problem: TerritoryProblem) -> tuple[float, Cause]:
    """A proven lower bound on τ* and its cause (0 and no cause when the simple arguments give nothing)."""
    mu = problem.targets
    best = 0.0
    cause: Cause = ()
    for e in np.flatnonzero(problem.balanced):
        if mu[e] <= 0:
            continue
        t = problem.tolerance[e]
        assert t is not None
        i = int(np.argmax(problem.activity[:, e]))
        single = problem.activity[i, e] / mu[e] - 1.0
        if single > t and single > best:
            best = single
            cause = (
                ("cause", "unit_alone"),
                ("cause_unit", i),
                ("cause_share", float(problem.activity[i, e] / mu[e])),
            )
        for k in range(problem.p):
            locked = problem.activity[problem.locks == k, e].sum()
            over = locked / mu[e] - 1.0
            if over > t and over > best:
                best, cause = (
                    over,
                    (("cause", "locked"), ("cause_territory", k), ("cause_share", float(locked / mu[e]))),
                )
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


def _keeps_cap(problem: TerritoryProblem, plan: IntArray) -> bool:
    """Whether the plan moves no more than the cap allows (the locks' own moves always count as allowed)."""
    assert problem.locks is not None and problem.previous is not None  # arrays once TerritoryProblem is built
    had = problem.previous >= 0
    locked = problem.locks >= 0
    forced = problem.move_basis_weight[had & locked & (problem.locks != problem.previous)].sum()
    moved = problem.move_basis_weight[had & (plan != problem.previous)].sum()
    return bool(moved <= max(problem.move_budget, forced) * (1 + 1e-9) + 1e-9)


def _widened(problem: TerritoryProblem, tau: float) -> TerritoryProblem:
    return problem.with_tolerance([None if t is None else max(t, tau) for t in problem.tolerance])


def smallest_tolerance(
    problem: TerritoryProblem, seconds: float, exact: bool, search: Search | None, hint: IntArray | None
) -> ToleranceAnalysis:
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
                return ToleranceAnalysis(
                    max(floor, lower), achieved, plan, cause or (("cause", "exact_time"),)
                )
            if out.objective <= nxt + 1e-12:
                tau = float(out.objective)
                return ToleranceAnalysis(
                    tau, tau, out.assignment, cause if abs(tau - floor) < 1e-9 else (("cause", "exact"),)
                )
        return ToleranceAnalysis(np.inf, None, None, (("cause", "conflict"),))
    if hint is not None and not _keeps_cap(problem, hint):
        hint = None  # a closest plan relaxes the tolerance only, never the reassignment cap
    achieved = plan_tolerance(problem, hint) if hint is not None else None
    plan = hint
    if search is not None and (achieved is None or achieved > floor + 1e-9):
        trial = search(_widened(problem, floor))
        if trial is not None:
            return ToleranceAnalysis(floor, floor, trial, cause)
    return ToleranceAnalysis(floor, achieved, plan, cause or (("cause", "search"),))


def explain_tolerance(
    problem: TerritoryProblem, analysis: ToleranceAnalysis, clock: bool = False
) -> list[Infeasibility]:
    """One explanation per measure whose tolerance is below τ*; ``clock``: the time limit, not the work
    budget, ended the search (what is unproven then says so)."""
    out: list[Infeasibility] = []
    low = analysis.floor
    high = analysis.achieved if analysis.achieved is not None else np.inf
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        name = problem.measure_names[e]
        if high <= t + 1e-12:
            continue
        widen = (Fix("set", f"tolerance:{name}", _ceil(high, 3), t),) if np.isfinite(high) else ()
        if low <= t + 1e-12:  # nothing proven: the search (or its budget) fell short, not the rules
            out.append(Infeasibility.of(
                "balance", None, 100.0 * (high - t) if np.isfinite(high) else 0.0,
                "percentage points of tolerance (none found, none proven impossible)",
                (Fix("set", "option:--time-limit"), *widen),
                measure=name, tolerance=t, floor=low, achieved=float(high), proven=False, exact=False,
                clock=clock,
            ))  # fmt: skip
            continue
        if analysis.exact:
            widen = (Fix("set", f"tolerance:{name}", _ceil(low, 3), t),)
        out.append(Infeasibility.of(
            "balance", None, 100.0 * (max(low, t) - t), "percentage points of tolerance (proven)", widen,
            measure=name, tolerance=t, floor=max(low, t), achieved=float(high), proven=True, exact=analysis.exact,
            **dict(analysis.cause),
        ))  # fmt: skip
    return out
