"""Multistart driver of the territory local searches: starts, restarts, the best plan, the work budget.

Each restart r runs with seed (seed · 1 000 003 + r) and is independent of the others, so the outcome
depends only on the problem, the seed and the restart budget — not on the clock or on the number of
threads — unless the wall-clock limit cuts the run short (then ``time_limit_hit`` is set).
Starts: the previous plan (completed and made connected) when there is one — every start when a cap
limits the moved share —, otherwise plans grown from dispersed seeds (or rep homes). After the first
``scratch`` restarts, each restart r instead perturbs the best plan of restarts 0..r−2 (iterated local
search): one territory — the widest for the diameter objective every other time — and up to two of its
neighbours are dissolved and regrown from new seeds. The lag of two restarts lets two threads run side by
side and still gives the same plans as one thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from ...result import SolverOptions
from .diameter_kernels import all_diameters, construct_greedy_diameter
from .diameter_search import improve
from .kernels import balance_of, build_members, build_totals, components_repair, connect_locked
from .prepare import SearchArrays
from .problem import IntArray, TerritoryProblem
from .sum_search import centre_costs, grow, median_centres, penalty_search


@dataclass(frozen=True)
class TerritorySettings:
    """Work budget and search parameters (deterministic; the time limit in SolverOptions is a safety net).

    restarts: independent starts. imax: moves without improvement that end a tabu phase. amax: rounds of
    the diameter search's alternation. tenure: tabu tenure of the diameter search as a multiple of p
    (at least 2 moves). tenure_sum: the same for the sum search, multiplied by 1, 2, ½, 4 in turn over
    the restarts (at most half the units).
    median_rounds: re-centring rounds of the p-median search. scratch: restarts from new starts before the
    restarts that perturb the best plan (none when the search starts from a given plan, e.g. the LP's).
    exact_max_units, exact_max_cells: regions up to this many units and units × territories are solved
    by the exact model first. exact_nodes: its branch-and-bound nodes (the work budget; the LP-and-fix
    model's too). exact_seconds: its share of the wall-clock safety net.
    ``restarts`` and ``exact_nodes`` are scaled by ``SolverOptions.effort`` (:meth:`scaled`); on a region of
    n > full_units units the restarts are cut by (full_units / n)², at least ``fewest``, because a
    restart's moves and each move's neighbourhood both grow with n (measured: about 1 s a restart at 860
    units, 11 s at 4,000).
    """

    restarts: int = 16
    imax: int = 500
    amax: int = 10
    tenure: float = 0.5
    tenure_sum: float = 1.0
    median_rounds: int = 12
    scratch: int = 8
    exact_max_units: int = 24
    exact_max_cells: int = 10_000
    exact_nodes: int = 2_000
    exact_seconds: float = 0.5
    full_units: int = 1_500
    fewest: int = 2

    def scaled(self, effort: float, units: int) -> TerritorySettings:
        """These settings with the work budget (restarts, nodes) times ``effort``, and the restarts cut on
        a region of more than ``full_units`` units (at least one restart and one node)."""
        size = min(1.0, (self.full_units / max(units, 1)) ** 2)
        restarts = max(min(self.fewest, self.restarts), round(self.restarts * size))
        return replace(
            self,
            restarts=max(1, round(restarts * effort)),
            exact_nodes=max(1, round(self.exact_nodes * effort)),
        )


@dataclass(frozen=True)
class SearchOutcome:
    assignment: IntArray | None
    objective: float  # objective of the plan (C + λ·disruption; diameter in km for "diameter")
    excess: float  # balance excess B of the plan (0 = balanced)
    restarts: int
    time_limit_hit: bool


def _dispersed_seeds(arr: SearchArrays, rng: np.random.Generator, taken: np.ndarray) -> IntArray:
    """Units spread by sampled max–min dispersion for territories without a locked unit."""
    n, p = len(arr.xy), arr.p
    seeds = -np.ones(p, dtype=np.int64)
    chosen = [int(u) for u in np.flatnonzero(taken >= 0)]
    sample = max(2, int(np.sqrt(n)))
    for k in range(p):
        if np.any(taken == k):
            continue
        free = np.flatnonzero((taken < 0) & (np.isin(np.arange(n), seeds, invert=True)))
        cand = rng.choice(free, size=min(sample, len(free)), replace=False) if chosen else rng.choice(free, 1)
        if chosen:
            d = np.linalg.norm(arr.xy[cand][:, None, :] - arr.xy[chosen][None, :, :], axis=2).min(axis=1)
            pick = int(cand[int(np.argmax(d))])
        else:
            pick = int(cand[0])
        seeds[k] = pick
        chosen.append(pick)
    return seeds


def _site_cost(problem: TerritoryProblem, arr: SearchArrays, assign: IntArray) -> np.ndarray:
    """Assignment cost c[i, k] to each territory's home, or to its current 1-median unit."""
    if problem.objective == "home":
        assert problem.homes is not None
        sites = np.asarray(problem.homes, dtype=float)
    else:
        sites = arr.xy[median_centres(assign, arr.xy, arr.weight, arr.p)]
    return centre_costs(arr.xy, arr.weight, np.ascontiguousarray(sites), arr.lam_v, arr.prev)


def _start(problem: TerritoryProblem, arr: SearchArrays, r: int, seed: int) -> IntArray:
    """Start plan of restart r: the previous plan (completed, locks applied, connected) or a grown plan."""
    rng = np.random.default_rng(seed)
    n, p = problem.n, problem.p
    use_previous = bool(np.any(arr.prev >= 0)) and (r == 0 or problem.max_moved_share is not None)
    assign = np.where(arr.locked, arr.locks, arr.prev if use_previous else -1).astype(np.int64)
    if problem.objective == "diameter" and not use_previous:
        assign = construct_greedy_diameter(arr.xy, arr.act, arr.invmu, arr.ptr, arr.idx, p, arr.locks, seed)
        if arr.contiguous:
            sites = np.array([arr.xy[assign == k].mean(axis=0) for k in range(p)])
            cost = centre_costs(arr.xy, arr.weight, sites, arr.lam_v, arr.prev)
            connect_locked(assign, arr.locks, p, arr.ptr, arr.idx)
            components_repair(assign, p, arr.ptr, arr.idx, arr.act, arr.locked, cost)
        return assign
    if problem.objective == "home":
        assert problem.homes is not None
        cost = centre_costs(
            arr.xy, arr.weight, np.ascontiguousarray(problem.homes, dtype=float), arr.lam_v, arr.prev
        )
        for k in range(p):  # a home's territory starts at one of the free units nearest to it
            if not np.any(assign == k):
                free = np.flatnonzero(assign < 0)
                near = free[np.argsort(cost[free, k], kind="stable")[:3]]
                assign[int(near[0] if r == 0 else rng.choice(near))] = k
    else:
        seeds = _dispersed_seeds(arr, rng, assign)
        for k in range(p):
            if seeds[k] >= 0:
                assign[seeds[k]] = k
        sites = np.array([arr.xy[np.flatnonzero(assign == k)].mean(axis=0) for k in range(p)])
        cost = centre_costs(arr.xy, arr.weight, sites, arr.lam_v, arr.prev)
    grow(assign, cost, arr.act, arr.invmu, arr.ptr, arr.idx, p, seed)
    if arr.contiguous:
        connect_locked(assign, arr.locks, p, arr.ptr, arr.idx)
        components_repair(assign, p, arr.ptr, arr.idx, arr.act, arr.locked, cost)
    assert np.all(assign >= 0) and n == len(assign)
    return assign


def _perturb(problem: TerritoryProblem, arr: SearchArrays, base: IntArray, r: int, seed: int) -> IntArray:
    """Dissolve one territory and up to two neighbours of ``base``; regrow them from new seeds."""
    rng = np.random.default_rng(seed)
    p = arr.p
    assign = base.copy()
    k0 = int(rng.integers(p))
    if problem.objective == "diameter" and r % 2 == 0:
        members, size, _ = build_members(assign, p)
        work = np.empty((2, len(assign) + 1), dtype=np.int64)
        k0 = int(np.argmax(all_diameters(members, size, arr.xy, work[0], work[1])[0]))
    assert problem.edges is not None  # an array once TerritoryProblem is built
    u, v = problem.edges.T if len(problem.edges) else (arr.idx[:0], arr.idx[:0])
    touching = np.unique(np.concatenate([assign[v][assign[u] == k0], assign[u][assign[v] == k0]]))
    touching = touching[touching != k0]
    chosen = [k0, *rng.choice(touching, size=min(2, len(touching)), replace=False).tolist()]
    assign[np.isin(assign, chosen) & ~arr.locked] = -1
    sites = np.array(
        [arr.xy[assign == k].mean(axis=0) if np.any(assign == k) else arr.xy.mean(axis=0) for k in range(p)]
    )
    cost = centre_costs(arr.xy, arr.weight, sites, arr.lam_v, arr.prev)
    if problem.objective == "diameter":
        assign = construct_greedy_diameter(arr.xy, arr.act, arr.invmu, arr.ptr, arr.idx, p, assign, seed)
    else:
        seeds = _dispersed_seeds(arr, rng, assign)
        assign[seeds[seeds >= 0]] = np.flatnonzero(seeds >= 0)
        grow(assign, cost, arr.act, arr.invmu, arr.ptr, arr.idx, p, seed)
    if arr.contiguous:
        connect_locked(assign, arr.locks, p, arr.ptr, arr.idx)
        components_repair(assign, p, arr.ptr, arr.idx, arr.act, arr.locked, cost)
    return assign


def _run_one(
    problem: TerritoryProblem,
    arr: SearchArrays,
    settings: TerritorySettings,
    r: int,
    seed: int,
    base: IntArray | None,
) -> tuple[IntArray, float, float]:
    """One restart: start (or perturb ``base``), improve; returns (plan, objective, balance excess)."""
    assign = _start(problem, arr, r, seed) if base is None else _perturb(problem, arr, base, r, seed)
    p = arr.p
    tenure = max(2, round(settings.tenure * p))
    if problem.objective != "diameter":  # restarts cycle through tenures: ×1, ×2, ×½, ×4 the base
        tenure = max(2, min(problem.n // 2, round(settings.tenure_sum * p * (1.0, 2.0, 0.5, 4.0)[r % 4])))
    args = (arr.act, arr.mu, arr.tolmu, arr.invmu, arr.ptr, arr.idx, arr.locked, arr.contiguous)
    if problem.objective == "diameter":
        d2, b, _ = improve(
            arr.xy,
            *args,
            arr.prev,
            arr.mvw,
            arr.budget,
            p,
            assign,
            tenure,
            settings.imax,
            settings.amax,
            25,
            0.0,
            seed,
        )
        moved = (arr.prev >= 0) & (assign != arr.prev)
        return assign, float(np.sqrt(d2)) + float(arr.lam_v[moved].sum()), float(b) + _over_cap(arr, assign)
    extra = np.zeros((0, 0), dtype=np.int64)
    centres = np.full(p, -2, dtype=np.int64)
    c, b = np.inf, np.inf
    for round_ in range(settings.median_rounds if problem.objective == "median" else 1):
        cost = _site_cost(problem, arr, assign)
        if not arr.contiguous:
            extra = np.ascontiguousarray(np.argsort(cost, axis=1, kind="stable")[:, :2].astype(np.int64))
        beta = max(1e-9, float(cost[np.arange(len(assign)), assign].sum()) / p)
        if r > 0:  # restarts differ in their first penalty weight too (0.1× to 10×)
            beta *= 10.0 ** np.random.default_rng(seed + round_).uniform(-1.0, 1.0)
        c, b, _ = penalty_search(
            cost,
            *args,
            extra,
            arr.prev,
            arr.mvw,
            arr.budget,
            arr.cap_weight,
            p,
            assign,
            tenure,
            settings.imax,
            beta,
            seed + round_,
        )
        if problem.objective == "median":
            new = median_centres(assign, arr.xy, arr.weight, p)
            if np.array_equal(new, centres):
                break
            centres = new
    c, b = _evaluate(problem, arr, assign)
    return assign, c, b


def _evaluate(problem: TerritoryProblem, arr: SearchArrays, assign: IntArray) -> tuple[float, float]:
    """(objective, balance excess + cap excess) of a plan of the sum objectives (home, median)."""
    cost = _site_cost(problem, arr, assign)
    c = float(cost[np.arange(len(assign)), assign].sum())
    b = float(balance_of(build_totals(assign, arr.act, arr.p), arr.mu, arr.tolmu, arr.invmu))
    return c, b + _over_cap(arr, assign)


def _over_cap(arr: SearchArrays, assign: IntArray) -> float:
    """The moved amount above the cap, as a share of the base (0 within the cap)."""
    moved = float(arr.mvw[(arr.prev >= 0) & (assign != arr.prev)].sum())
    return arr.cap_weight * max(0.0, moved - arr.budget) if moved > arr.budget + 1e-9 else 0.0


def _restart(
    problem: TerritoryProblem,
    arr: SearchArrays,
    settings: TerritorySettings,
    job: tuple[int, int, IntArray | None],
) -> tuple[IntArray, float, float]:
    """One restart (a picklable job for ``SolverOptions.map``)."""
    return _run_one(problem, arr, settings, *job)


def _rank(objective: float, excess: float, restart: int) -> tuple[float, float, int]:
    """The order of plans in :func:`multistart`: balanced first, then the balance excess if unbalanced,
    else the objective, then the restart index."""
    return (1.0 if excess > 1e-9 else 0.0, excess if excess > 1e-9 else objective, restart)


def multistart(
    problem: TerritoryProblem,
    arr: SearchArrays,
    settings: TerritorySettings,
    options: SolverOptions,
    deadline: float,
    start: IntArray | None = None,
    limit_at: float = np.inf,
) -> SearchOutcome:
    """Run ``settings.restarts`` restarts, ``options.workers`` at a time through ``options.map`` (the
    caller's executor; one after another without one); keep the best plan by (unbalanced?, balance excess
    if unbalanced, objective, restart index). Restart i perturbs the best of restarts 0..i−2, so batches
    of at most two after the fresh starts give the same plans whatever runs them. A ``start`` plan counts
    as restart −1: every restart then perturbs the best plan so far (no fresh starts). No batch begins
    after ``deadline``, nor one that would end past ``limit_at`` (the solve's wall clock) if it takes as
    long as the batch before it: a restart runs to its end once begun."""
    best: tuple[float, float, int] | None = None
    best_plan: IntArray | None = None
    best_obj, best_b = np.inf, np.inf
    keys: list[tuple[float, float, int]] = []
    plans: list[IntArray] = []
    done = 0
    hit = False
    workers = max(1, int(options.workers))
    scratch = settings.scratch
    if start is not None:
        obj, b = _evaluate(problem, arr, start)
        best = _rank(obj, b, -1)
        best_plan, best_obj, best_b, scratch = start, obj, b, 0
        keys.append(best)
        plans.append(start)

    def base_of(i: int) -> IntArray | None:
        """The plan restart i perturbs: the best of restarts −1..i−2 (None while still starting afresh)."""
        if i < scratch or (start is None and i < 2):
            return None
        last = max(i - 2, -1)  # the start (−1) is there from the first restart
        return plans[min((j for j in range(len(keys)) if keys[j][2] <= last), key=lambda j: keys[j])]

    restart = partial(_restart, problem, arr, settings)
    r = 0
    batch_seconds = 0.0
    while r < settings.restarts:
        now = time.monotonic()
        if now >= deadline or now + batch_seconds > limit_at:
            hit = True
            break
        width = workers if r + workers <= scratch else min(workers, 2)
        batch = list(range(r, min(settings.restarts, r + width)))
        jobs = [(i, (options.seed * 1_000_003 + i) % (2**31 - 1), base_of(i)) for i in batch]
        outs = list(options.map(restart, jobs))
        batch_seconds = time.monotonic() - now
        for i, (plan, obj, b) in zip(batch, outs, strict=True):
            key = _rank(obj, b, i)
            keys.append(key)
            plans.append(plan)
            if best is None or key < best:
                best, best_plan, best_obj, best_b = key, plan, obj, b
        r += len(batch)
        done = r
        options.report("territory search", done, settings.restarts, f"best {best_obj:,.2f}")
    return SearchOutcome(best_plan, float(best_obj), float(best_b), done, hit)
