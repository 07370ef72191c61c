"""Lower bounds on the territory objective, each from a relaxation of the model in ``problem``.

* home — LP relaxation (HiGHS through scipy.optimize.linprog) of the assignment model with balance,
  locks, non-empty territories, the reassignment cap and the disruption term; only contiguity is dropped.
  An infeasible LP proves the problem infeasible.
* median — Lagrangian bound of the balanced p-median (see ``lagrangian``), by subgradient ascent with
  Polyak steps towards the best known plan (Held, Wolfe & Crowder 1974).
* diameter — the largest of four combinatorial bounds, each a fact every feasible plan obeys:
  (a) of any p + 1 units two share a territory, so D* ≥ the smallest pairwise distance among p + 1
      units (chosen by farthest-point traversal and swap improvement);
  (b) the territory of unit i holds at least (1 − t_e) μ_e of every balanced measure e within distance
      D* of i, so D* ≥ the radius around i that first gathers that much (largest over i and e);
  (c) units locked to the same territory are at most D* apart;
  (d) lens clique: the territory of unit i is a set S ∋ i of diameter ≤ D* holding L_e = (1 − t_e) μ_e
      of every measure, so D* ≥ D_i = the smallest diameter of such a set. D_i is computed exactly per
      measure (and for Σ_e a_ie / L_e ≥ #measures, which every territory also meets): S's farthest pair
      (a, b) at δ = d(a, b) puts S in the lens {x : d(x, a) ≤ δ, d(x, b) ≤ δ, d(x, i) ≤ δ}; the line ab
      cuts the lens into two halves of diameter ≤ δ, so the units of the lens farther than δ apart form
      a bipartite graph and the heaviest S is the lens minus a minimum weight vertex cover = a maximum
      flow (Clark, Colbourn & Johnson 1990, "Unit disk graphs", Discrete Math. 86: maximum cliques of
      unit disk graphs). Pairs are tried by increasing δ from (b)'s radius; the first whose heaviest set
      holds every L_e is D_i. The flow is checked (a feasible flow on capacities rounded down), so an
      imperfect flow can only weaken the bound. Where units sit in a corner, a set of diameter D holds
      far less than the disk of radius D of (b): on del-n5000-k50 (b) gives 165.90, (d) 171.85.
      Computed on every unit that no disk of the bound's diameter through it (32 directions) fills with
      every L_e — a unit that such a disk fills has D_i at most the bound and cannot raise it — by
      decreasing radius (b), until a quarter of the bound's time passes without a raise. Skipping units
      only lowers a maximum, so neither the screen nor the clock needs a proof; ranking by (b) alone
      missed units: on del-n10000-k100 the 48 of largest radius gave 115.50, where unit 9976 (rank 89, a
      sparse stretch of the right edge) gives 116.06; 46 of 10,000 units fail the screen at 115.50.
No n × n matrix is held for the diameter bound: k-d tree neighbours and distance rows, so it runs on
10,000 units.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

from ... import status
from ...result import SolveStatus
from .cover_flow import conflict_flow
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
    problem: TerritoryProblem,
    upper: float | None,
    seconds: float,
    iterations: int = 1000,
    balance_step: float = 2.0,
) -> Bound:
    """Best Lagrangian value found within ``iterations`` subgradient steps (or ``seconds``).

    Every centre's balance multipliers π_j move along ρ_j's own subgradient (``lagrangian_step``), not
    only the p open ones, at ``balance_step`` times the Polyak step of λ. Moving only the open ones left
    the closed centres' ρ_j at their unbalanced value, so centres opened that their balance rows would
    refuse and the ascent stalled: on c500-p10-1 at 13,932 (4,000 steps: 13,934) against 15,773 for the
    LP relaxation (PDLP's duals, to which this Lagrangian is equal); every π_j moving gives 15,145 in
    1,000 steps at step 1 and 15,338 at step 2 (on 9-unit instances step 2 is as close to the LP as 1,
    step 4 falls to half of it). Any λ and π ≥ 0 give a
    valid bound (weak duality), so the step rule decides only how good it is.
    """
    assert problem.weight is not None  # an array once TerritoryProblem is built
    stop = time.monotonic() + seconds
    n, p = problem.n, problem.p
    # cwt[j, i] = w_i d_ij: d is symmetric, so λ's start (per unit i, from w_i d_ij over j) reads column i
    cwt = distance_matrix(problem.xy)
    lam = problem.weight * initial_multipliers(cwt, p)
    cwt *= problem.weight[None, :]
    bal = np.flatnonzero(problem.balanced)
    mu = problem.targets[bal]
    scale = np.where(mu > 0, mu, 1.0)
    act = np.ascontiguousarray(problem.activity[:, bal] / scale)  # shares of the target: rows of O(1)
    tol = problem.tolerance_array[bal]
    low, up = (1 - tol) * mu / scale, (1 + tol) * mu / scale
    pp = np.zeros((n, len(bal)))
    pm = np.zeros((n, len(bal)))
    g_lam, g_pp, g_pm = np.empty(n), np.empty((n, len(bal))), np.empty((n, len(bal)))
    best = -np.inf
    theta, stall = 2.0, 0
    target = upper if upper is not None and np.isfinite(upper) else None
    for _ in range(iterations):
        value = lagrangian_step(cwt, act, low, up, lam, pp, pm, p, g_lam, g_pp, g_pm)
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
        pp = np.maximum(0.0, pp + balance_step * step * g_pp)
        pm = np.maximum(0.0, pm + balance_step * step * g_pm)
    return Bound(float(best) if np.isfinite(best) else None, "lagrangian")


def _distances_from(xy: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """(len(rows), n) distances from the units ``rows`` to every unit: the rows of the n × n matrix
    (the same arithmetic as ``distance_matrix``, so the same values) without holding it."""
    return distance_matrix(xy[rows], xy)


def _dispersion(xy: np.ndarray, count: int, starts: int, stop: float = np.inf) -> float:
    """Largest min pairwise distance found among ``count`` units (farthest-point traversal + swaps), over
    ``starts`` starts or as many as begin before ``stop`` (at least one)."""
    n = len(xy)
    if count > n:
        return np.inf  # more territories than units cannot happen (validated), kept for safety
    best = 0.0
    first = np.unique(np.linspace(0, n - 1, num=min(starts, n)).astype(int))
    for number, s in enumerate(first):
        if number and time.monotonic() > stop:
            break
        chosen = [int(s)]
        near = _distances_from(xy, np.array([s]))[0]
        while len(chosen) < count:
            j = int(np.argmax(near))
            chosen.append(j)
            near = np.minimum(near, _distances_from(xy, np.array([j]))[0])
        for _ in range(10):  # swap improvement: replace the unit of the closest pair if it helps
            sub = distance_matrix(xy[chosen]) + np.diag(np.full(count, np.inf))
            value = float(sub.min())
            a = int(np.argmin(sub.min(axis=1)))
            rest = [c for i, c in enumerate(chosen) if i != a]
            cand = _distances_from(xy, np.array(rest)).min(axis=0)
            j = int(np.argmax(cand))
            if cand[j] <= value + 1e-12:
                break
            chosen = [*rest, j]
        sub = distance_matrix(xy[chosen]) + np.diag(np.full(count, np.inf))
        best = max(best, float(sub.min()))
    return best


def _gathering_radius(xy: np.ndarray, tree: cKDTree, activity: np.ndarray, need: float) -> np.ndarray:
    """Per unit i the distance to the nearest unit at which the closed disk around i first holds ``need``
    of ``activity`` (the neighbours from a k-d tree, k doubled for the units it does not yet reach)."""
    n = len(xy)
    radius = np.full(n, np.inf)
    todo = np.arange(n)
    k = min(n, 64)
    while len(todo):
        _, near = tree.query(xy[todo], k=k)
        near = near.reshape(len(todo), -1)
        # the same arithmetic as distance_matrix, so that dense and k-d tree runs agree to the bit
        dx = xy[todo, 0][:, None] - xy[near, 0]
        dy = xy[todo, 1][:, None] - xy[near, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        order = np.argsort(dist, axis=1, kind="stable")
        dist = np.take_along_axis(dist, order, axis=1)
        reach = np.cumsum(activity[np.take_along_axis(near, order, axis=1)], axis=1)
        hit = reach[:, -1] >= need
        first = np.argmax(reach >= need, axis=1)
        radius[todo[hit]] = dist[np.flatnonzero(hit), first[hit]]
        if k == n:
            break  # the rest never gathers ``need``: no territory could hold them (left at infinity)
        todo = todo[~hit]
        k = min(n, 2 * k)
    return radius


def _clique_weight_ceiling(
    weight: np.ndarray, left: np.ndarray, right: np.ndarray, conflict: np.ndarray, total: float, need: float
) -> float:
    """≥ the largest weight of a set of units with no ``conflict`` pair between ``left`` and ``right``:
    total − (min weight vertex cover of the bipartite conflict graph) ≤ total − any feasible flow
    (König–Egerváry). The flow is on capacities rounded down to integers, checked here, and stopped once
    it shows the ceiling is below ``need``."""
    scale = float(2**40) / max(total, 1e-300)
    cap_left = np.floor(weight[left] * scale).astype(np.int64)
    cap_right = np.floor(weight[right] * scale).astype(np.int64)
    enough = int(np.floor(max(0.0, total - need) * scale)) + 1
    flow = conflict_flow(conflict, cap_left, cap_right, enough)
    feasible = (
        bool((flow >= 0).all())
        and not flow[~conflict].any()
        and bool((flow.sum(axis=1) <= cap_left).all())
        and bool((flow.sum(axis=0) <= cap_right).all())
    )
    if not feasible:  # never happens with a correct kernel; without a checked flow, no set is excluded
        return total
    return total - float(flow.sum()) / scale


def _disk_filled(
    xy: np.ndarray,
    tree: cKDTree,
    activity: np.ndarray,
    need: np.ndarray,
    diameter: float,
    units: np.ndarray,
    directions: int = 32,
) -> np.ndarray:
    """Per unit of ``units``: True when a disk of diameter ``diameter`` through it (one of ``directions``
    directions) holds ``need`` of every measure — a set of that diameter around it exists (a screen)."""
    radius = 0.5 * diameter * (1 - 1e-9)
    filled = np.zeros(len(units), dtype=bool)
    for angle in np.linspace(0.0, 2 * np.pi, directions, endpoint=False):
        todo = np.flatnonzero(~filled)
        if not len(todo):
            break
        centre = xy[units[todo]] + radius * (1 - 1e-6) * np.array([np.cos(angle), np.sin(angle)])
        inside = tree.query_ball_point(centre, radius)
        count = np.array([len(members) for members in inside], dtype=np.int64)
        flat = np.fromiter(itertools.chain.from_iterable(inside), dtype=np.int64, count=int(count.sum()))
        owner = np.repeat(np.arange(len(todo)), count)
        held = np.zeros((len(todo), activity.shape[1]))
        np.add.at(held, owner, activity[flat])
        filled[todo[(held >= need).all(axis=1)]] = True
    return filled


def _fits_in_a_disk(xy: np.ndarray, activity: np.ndarray, need: np.ndarray, diameter: float) -> bool:
    """True when some disk of diameter ``diameter`` through unit 0 (16 directions tried) holds ``need``
    of every measure: a set of that diameter exists, so unit 0 cannot prove more (a shortcut, no proof)."""
    radius = 0.5 * diameter * (1 - 1e-9)
    for angle in np.linspace(0.0, 2 * np.pi, 16, endpoint=False):
        centre = xy[0] + radius * (1 - 1e-6) * np.array([np.cos(angle), np.sin(angle)])
        inside = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1]) <= radius
        if (activity[inside].sum(axis=0) >= need).all():
            return True
    return False


def _lens_diameter(
    xy: np.ndarray, weight: np.ndarray, need: np.ndarray, low: float, high: float, stop: float
) -> float:
    """≤ the smallest diameter of a set of the units ``xy`` that contains unit 0 and holds ``need[c]`` of
    every weight column c; ``xy`` must hold every unit within ``high`` of unit 0, and no set of diameter
    below ``low`` may hold ``need``. Returns ``high`` when no set up to ``high`` does (the bound is then
    ``high``), or the last diameter proven too small when ``stop`` passes.

    Every set S of diameter δ has a farthest pair (a, b), d(a, b) = δ, and lies in the lens
    {x : d(x, a) ≤ δ, d(x, b) ≤ δ}; the line ab cuts the lens into two halves of diameter ≤ δ, so the
    pairs of S's candidates farther than δ apart all cross the line and the largest such S is a maximum
    independent set of a bipartite graph (Clark, Colbourn & Johnson 1990, maximum clique of a unit disk
    graph). The pairs are tried in increasing δ; the first whose largest set holds ``need`` in every column
    is the answer."""
    if (weight[0] >= need).all():
        return 0.0  # unit 0 alone is such a set: it has no farthest pair to enumerate
    dist = distance_matrix(xy)
    a_all, b_all = np.triu_indices(len(xy), 1)
    delta = dist[a_all, b_all]
    keep = (delta >= low) & (delta <= high) & (dist[0, a_all] <= delta) & (dist[0, b_all] <= delta)
    order = np.argsort(delta[keep], kind="stable")
    a_all, b_all, delta = a_all[keep][order], b_all[keep][order], delta[keep][order]
    proven = low
    chunk = 512
    for begin in range(0, len(delta), chunk):
        if time.monotonic() > stop:
            return proven
        a, b, dd = a_all[begin : begin + chunk], b_all[begin : begin + chunk], delta[begin : begin + chunk]
        inside = (dist[a] <= dd[:, None]) & (dist[b] <= dd[:, None]) & (dist[0][None, :] <= dd[:, None])
        totals = inside.astype(float) @ weight
        for row in np.flatnonzero((totals >= need).all(axis=1)):
            members = np.flatnonzero(inside[row])
            pa, pb = xy[a[row]], xy[b[row]]
            side = (pb[0] - pa[0]) * (xy[members, 1] - pa[1]) - (pb[1] - pa[1]) * (xy[members, 0] - pa[0])
            left, right = members[side > 0], members[side <= 0]
            conflict = dist[np.ix_(left, right)] > dd[row]
            if all(
                _clique_weight_ceiling(weight[:, c], left, right, conflict, totals[row, c], need[c])
                >= need[c]
                for c in range(weight.shape[1])
            ):
                return float(dd[row])
        proven = float(dd[-1])  # every pair up to here holds too little: so does every set up to here
    return high


def diameter_bound(problem: TerritoryProblem, upper: float | None = None, seconds: float = 10.0) -> Bound:
    """The largest of the combinatorial bounds in the module docstring, named after the one that gives it.

    ``upper``: a known plan's diameter (the lens search stops there: no unit needs a larger territory);
    the lens bound runs on the units the disk screen leaves, by decreasing gathering radius.
    No n × n matrix is held: distances come row by row or from a k-d tree.
    """
    stop = time.monotonic() + seconds
    xy = np.ascontiguousarray(problem.xy, dtype=float)
    n, p = problem.n, problem.p
    tree = cKDTree(xy)
    mu = problem.targets
    measures: list[int] = []
    needs: list[float] = []
    for e in np.flatnonzero(problem.balanced):
        t = problem.tolerance[e]
        assert t is not None
        least = float((1 - t) * mu[e] * (1 - 1e-12))
        if least > 0:
            measures.append(int(e))
            needs.append(least)
    radius = np.zeros(n)
    for measure, least in zip(measures, needs, strict=True):
        radius = np.maximum(radius, _gathering_radius(xy, tree, problem.activity[:, measure], least))
    parts = {"radius": float(radius.max())}  # (b): the lens search starts from it
    # (a) before the lens search where it is cheap (well under a second), so that the search skips the
    # units it cannot raise; else (10,000 units: seconds, and the least of the four there) on the time left
    dispersion_first = n * p <= DISPERSION_FIRST_CELLS
    if dispersion_first:
        parts["dispersion"] = _dispersion(xy, p + 1, 32, stop) if p < n else 0.0
    locked = 0.0
    for k in range(p):
        units = np.flatnonzero(problem.locks == k)
        if len(units) > 1:
            locked = max(locked, float(distance_matrix(xy[units]).max()))
    parts["locks"] = locked
    value = max(parts.values())
    high = upper if upper is not None and np.isfinite(upper) else 2.0 * value
    if measures and high > value and np.isfinite(value):
        # each measure alone, and their sum in shares of the need: a territory holds all at once
        act = problem.activity[:, measures]
        weight = np.column_stack([act, (act / np.array(needs)).sum(axis=1)])
        need_all = np.append(np.array(needs), len(needs) * (1 - 1e-12))
        lens = 0.0
        # the units the screen leaves at the bound so far, by decreasing radius; screened again (only
        # those left) each time the lens bound rises, so that a raise prunes the rest at once
        screened = value
        order = np.argsort(-radius, kind="stable")
        need_each = np.array(needs)
        order = order[~_disk_filled(xy, tree, act, need_each, screened, order)]
        at = 0
        # searches that raise nothing stop after a quarter of the bound's time since the last raise: the
        # screen leaves units whose lens value stays below the bound (the lens relaxes a territory holding
        # all measures at once); on del-n2500-k12 34 interior units at 2-6 s each, none above the bound
        raised_at = time.monotonic()
        while at < len(order):
            now = time.monotonic()
            if now > stop or now - raised_at > FRUITLESS_SHARE * seconds:
                break
            if lens > screened:
                screened = lens
                rest = order[at:]
                order = np.concatenate(
                    [order[:at], rest[~_disk_filled(xy, tree, act, need_each, lens, rest)]]
                )
                continue
            i = order[at]
            at += 1
            # first within 15 % above the bound (a ninth of the pairs at twice the radius); only a unit
            # that no set up to there serves is searched again up to ``high``
            low = radius[i]
            for reach in (min(high, 1.15 * max(value, lens)), high):
                if reach <= low:
                    continue
                near = np.array(tree.query_ball_point(xy[i], reach * (1 + 1e-9) + 1e-9), dtype=np.int64)
                local = np.concatenate([[i], near[near != i]])
                if _fits_in_a_disk(xy[local], act[local], need_each, max(value, lens)):
                    break  # unit i has a territory of the bound's diameter: it cannot raise the bound
                fruitless = raised_at + FRUITLESS_SHARE * seconds
                found = _lens_diameter(xy[local], weight[local], need_all, low, reach, min(stop, fruitless))
                if found > lens:
                    lens, raised_at = found, time.monotonic()
                if found < reach:
                    break  # D_i found (or the clock stopped the search)
                low = reach  # no set up to reach: the search goes on from there
        parts["lens"] = lens
        value = max(value, lens)
    if not dispersion_first:
        parts["dispersion"] = _dispersion(xy, p + 1, 32, stop) if p < n else 0.0
        value = max(value, parts["dispersion"])
    name = max(parts, key=lambda key: parts[key])
    return Bound(value, f"geometry: {BOUND_NAMES[name]}")


FRUITLESS_SHARE = 0.25  # of the diameter bound's seconds, for lens searches since the last raise
DISPERSION_FIRST_CELLS = 250_000  # units × territories: del-n5000-k50 takes 0.2 s, del-n10000-k100 4 s

BOUND_NAMES = {  # the parts of the module docstring's diameter bound: (a), (b), (c), (d)
    "dispersion": "p + 1 units apart",
    "radius": "gathering radius",
    "locks": "locked units",
    "lens": "lens clique",
}
