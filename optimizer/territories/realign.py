"""Re-alignment on the call plan's values and hours: territories that see what the calls need.

The districting model (solve.py) aligns on compactness and balance at the planned visits; it does not see
what an account is worth with each rep, nor whether that rep has the hours. Once the call plan and the
schedule have run, rep r's part of the call plan is an exact multiple-choice knapsack over its accounts S:

    V_r(S) = max  Σ_{a∈S} [v_a^r(k_a) − P · t_a^r · (L_a − k_a)⁺]                  (currency/month)
             s.t. Σ_{a∈S} t_a^r · k_a ≤ C_r + O_r − Σ_{a∈S} o_a,   0 ≤ k_a ≤ U_a^r, integer

    v_a^r(k) = m_a S_a(k) / 12 − k · t_a^r / 60 · p_r     visit profit at rep r's cost per hour p_r
    t_a^r    = ⌈visit minutes_a + τ_a^r⌉                  τ: travel per visit with rep r — measured on the
                                                          schedule's routes for the account's rep, for
                                                          another rep the estimate of optimizer/workload.py
                                                          (2·home/stops + hop), its hop taken to the nearest
                                                          account of r's territory, scaled by r's
                                                          measured/estimated ratio
    U_a^r    = the tier maximum, 0 when r's day trip does not reach a (its visits could not happen)
    o_a      = minutes per month of the account's chosen opportunities (they go with the account);
               C_r the rep's capacity in the call plan (opportunity reserve and calibration trim taken
               off), O_r = Σ o_a over the rep's accounts in that plan
    P        = a price per missed minimum minute above any profit difference: the fewest tier-minimum
               minutes missed first, then the highest profit — the call plan's own rule (calls/solve.py)

Σ_r V_r is the call plan's objective for the alignment (test: it equals the call plan's profit at the
plan's alignment). The search **iterates** territories and calls; it is not a joint model:

1. reach first: an account its rep's day trip does not reach, that another rep of the region reaches,
   goes to the reaching rep with the largest gain — outside the balance rule and, unless the account
   could have stayed with its current rep, outside the move budget (the districting stage's forced moves);
2. then single moves (a: r → s) and swaps (a: r → s, b: s → r) between reps of a region, first
   improvement in the order of their Lagrangian estimate g_s(a) − g_r(a) (g: the account's best level
   at the rep's shadow price), applied when they raise Σ_r V_r by more than ε and keep: the locks, the
   reach of the receiving rep, the move cap (policy.reassignment.max_moved_share over the accounts that
   could stay), contiguity when asked, and every balanced measure — executed workload W_r = (minutes of
   the rep's visits + its opportunity minutes) / 60 per month, and potential — within max(tolerance,
   the largest deviation when the search started): never worse than the plan it starts from.

What is proven on return: no single move or swap between two reps of a region raises Σ_r V_r within
those rules — every candidate evaluated exactly (two knapsacks re-solved) when a region has at most
EXHAUSTIVE candidates of a kind; above, the SCREENED best by the estimate are evaluated exactly and the
result says "screened" (``proven`` False). The pipeline re-plans calls, opportunities and the schedule
after every realignment, so the travel of moved accounts is measured again on their new routes. A
screened search chases gains of the order of that measurement's noise, so the pipeline runs step 2 on
such regions in its first SCREENED_ROUNDS rounds only; step 1, and the regions searched exhaustively, go
on every round.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ..calls.mckp import MckpInstance, solve_mckp
from ..calls.problem import CallProblem
from ..data import PlanData, unit_sphere
from ..result import SolverOptions
from ..workload import stops_per_day

if TYPE_CHECKING:
    from ..plan import Plan

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

EXHAUSTIVE = 1000  # candidates of one kind (moves, swaps) in a region that are all evaluated exactly
SCREENED = 40  # above that, the best ones by their estimate that are evaluated exactly
# A gain below this share of the two reps' profit (or 1 currency unit) is none: the travel of a moved
# account is an estimate until its new routes are measured (calibrated within 5 %), so smaller gains are
# noise that would make the rounds swap accounts back and forth.
MIN_GAIN_SHARE = 0.005
SCREENED_ROUNDS = 2  # pipeline rounds in which regions too large for EXHAUSTIVE are searched
MAX_CHANGES = 2000  # moves and swaps per region at most (a guard; the search stops at a local optimum)


@dataclass(frozen=True)
class Move:
    """One applied change: ``account`` goes from ``from_rep`` to ``to_rep`` (for a swap, ``partner``
    goes the other way); ``gain``: the call plan's profit changes by that much (currency/month, the price
    of missed minimums left out); ``recovered``: tier-minimum minutes per month the call plan no longer
    misses (the search takes a change that keeps minimums even when profit falls)."""

    kind: str  # "reach", "move" or "swap"
    account: str
    from_rep: str
    to_rep: str
    gain: float
    partner: str | None = None
    recovered: float = 0.0


@dataclass(frozen=True)
class Realignment:
    """The realigned alignment and what the search did (module docstring)."""

    rep_of: dict[str, str]
    moves: tuple[Move, ...]
    value_before: float  # the call plan's profit, currency/month, at the alignment handed in
    value_after: float
    short_before: float  # tier-minimum minutes per month the call plan misses
    short_after: float
    proven: bool  # every candidate move and swap evaluated exactly
    evaluated: int  # candidates evaluated exactly
    travel: dict[str, float]  # τ per account with its rep of ``rep_of`` (minutes per visit)
    stuck: dict[str, str]  # account → why no rep that reaches it can take it
    bound: float | None  # ≥ the call plan's profit of any alignment (Lagrangian, module docstring)

    def summary(self) -> str:
        kinds: dict[str, int] = defaultdict(int)
        for m in self.moves:
            kinds[m.kind] += 1
        done = ", ".join(f"{n} {k}{'es' if k == 'reach' else 's'}" for k, n in sorted(kinds.items()))
        proof = (
            "no single move or swap between reps of a region raises the call plan's value"
            if self.proven
            else "local optimum over the screened moves and swaps"
        )
        return (
            f"realigned on the call plan's values: {done or 'no change'}; value "
            f"{self.value_before:,.0f} → {self.value_after:,.0f}/month"
            + (
                f", tier minimums short {self.short_before / 60:,.1f} → {self.short_after / 60:,.1f} h/month"
                if self.short_before or self.short_after
                else ""
            )
            + f"; {proof} "
            f"({self.evaluated} candidates evaluated exactly)"
        )


@dataclass(frozen=True)
class _Solved:
    """One rep's knapsack over a set of accounts: V_r, the minutes its visits use, the multiplier λ
    (value per minute) and the tier-minimum minutes it misses."""

    value: float
    used: int
    multiplier: float
    short: int


@dataclass
class _Region:
    """One region's accounts (rows) and reps (columns) in the search's arrays (module docstring)."""

    rows: IntArray  # account index in the scenario per row
    rep_ids: tuple[str, ...]
    unit: IntArray  # (n, p) t_a^r
    upper: IntArray  # (n, p) U_a^r
    low: IntArray  # (n,) L_a (the tier minimum)
    base: FloatArray  # (n, K+1) m_a S_a(k) / 12
    cost: FloatArray  # (p,) cost per hour
    gross: IntArray  # (p,) C_r, whole minutes per month
    reserve: FloatArray  # (p,) O_r, minutes per month
    extra: FloatArray  # (n,) o_a, minutes per month
    potential: FloatArray  # (n,)
    reach: npt.NDArray[np.bool_]  # (n, p)
    barred: npt.NDArray[np.bool_]  # (n, p): the account may not go to that rep (it left it this plan)
    assign: IntArray  # (n,) rep column of each row
    previous: IntArray  # (n,) rep column of the current rep when it may stay ("kept"), else −1
    kept: npt.NDArray[np.bool_]  # (n,) the current rep may keep it: moves count against the cap
    locked: npt.NDArray[np.bool_]
    move_weight: FloatArray  # (n,) the cap's basis
    cap: float | None
    tolerance: tuple[float | None, float | None]  # workload, potential
    neighbours: list[list[int]] | None  # adjacency rows when territories must be connected
    travel: FloatArray  # (n, p) τ_a^r
    price: float = 0.0  # P
    cache: dict[tuple[int, bytes], _Solved] = field(default_factory=dict)

    def members(self, k: int) -> IntArray:
        return np.flatnonzero(self.assign == k)

    def minimum(self, k: int, rows: IntArray | slice) -> IntArray:
        """L_a with rep k: the tier minimum where k's day trip reaches the account, else 0 (the call
        plan plans no visit it cannot make, and misses no minimum for it)."""
        return np.where(self.reach[rows, k], self.low[rows], 0)

    def levels(
        self, k: int, rows: IntArray | slice, per_minute: float = 0.0, shortfall: bool = True
    ) -> FloatArray:
        """Per row and visit level k_a = 0..K with rep k: m_a S_a(k_a)/12 − k_a t_a^k (p_k/60 + per_minute),
        less P per tier-minimum minute missed when ``shortfall`` (the one value table every price reads)."""
        levels = np.arange(self.base.shape[1], dtype=float)
        unit = self.unit[rows, k].astype(float)
        value = self.base[rows] - levels[None, :] * (unit * (self.cost[k] / 60.0 + per_minute))[:, None]
        if shortfall:
            missed = np.maximum(0, self.minimum(k, rows)[:, None] - levels[None, :]) * unit[:, None]
            value = value - self.price * missed
        return value

    def value(self, k: int, rows: IntArray) -> _Solved:
        """V_k over ``rows`` (exact, cached)."""
        rows = np.sort(rows)
        key = (k, rows.tobytes())
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        # C_r + (O_r − Σ o_a) in whole minutes; the difference is 0 at the plan's own alignment, where the
        # capacity must be the call plan's to the minute (its minimums may fill it exactly)
        change = float(self.reserve[k]) - float(self.extra[rows].sum())
        capacity = max(0, int(self.gross[k]) + math.floor(change + 1e-6))
        m = len(rows)
        if m == 0:
            out = _Solved(0.0, 0, 0.0, 0)
            self.cache[key] = out
            return out
        unit = self.unit[rows, k]
        value = self.levels(k, rows)
        instance = MckpInstance(
            np.zeros(m, np.int64), np.zeros(m, np.int64), self.upper[rows, k].astype(np.int64),
            unit.astype(np.int64), value, np.array([capacity], np.int64),
        )  # fmt: skip
        solution = solve_mckp(instance, SolverOptions(time_limit_seconds=math.inf), stage="realign")
        used = int(instance.used_minutes(solution.levels)[0])
        short = np.maximum(0, self.minimum(k, rows) - solution.levels) * unit
        out = _Solved(float(solution.value[0]), used, float(solution.multiplier[0]) / 60.0, int(short.sum()))
        self.cache[key] = out
        return out


@dataclass(frozen=True)
class CallPlanFacts:
    """What the search reads of a call plan (see :func:`realign`)."""

    problem: CallProblem  # the call plan's model: response curves, margins, tier bounds
    rep_of: Mapping[str, str]  # account → rep
    travel: Mapping[str, float]  # τ per account with its rep (minutes per visit)
    capacity: Mapping[str, float]  # rep → hours per month, after the opportunity reserve and the trim
    opportunity_minutes: Mapping[str, float]  # account → minutes per month of its chosen opportunities
    barred: frozenset[tuple[str, str]] = frozenset()  # (account, rep) pairs the search may not use
    screened: bool = True  # also search the regions too large to evaluate every move (step 2)


def _region_models(data: PlanData, facts: CallPlanFacts) -> Iterator[_Region]:
    """The search's arrays for every region with reps."""
    problem, rep_of, travel = facts.problem, facts.rep_of, facts.travel
    capacity, opportunity_minutes, barred = facts.capacity, facts.opportunity_minutes, facts.barred
    rules = data.rules
    top = rules.max_visits_per_month
    levels = np.arange(top + 1, dtype=float)
    stops = stops_per_day(data)
    index = {a: i for i, a in enumerate(problem.account_ids)}
    for _region, block in data.region_travel.items():
        reps = [data.reps[int(k)] for k in block.reps]
        if not reps:
            continue
        rep_ids = tuple(r.id for r in reps)
        column = {r: k for k, r in enumerate(rep_ids)}
        rows = block.accounts.astype(np.int64)
        accounts = [data.accounts[int(a)] for a in rows]
        assign = np.array([column.get(rep_of.get(a.id) or "", -1) for a in accounts], dtype=np.int64)
        if (assign < 0).any():
            continue  # an account without a rep of its region: the districting stage explains it
        n, p = len(accounts), len(reps)
        estimate = 2.0 * np.asarray(block.minutes, dtype=float) / stops + _neighbour_minutes(
            data, rows, assign, p
        )
        measured = np.array([travel.get(a.id, math.nan) for a in accounts], dtype=float)
        own = estimate[np.arange(n), assign]
        ratio = np.ones(p)
        for k in range(p):
            mine = (assign == k) & np.isfinite(measured)
            if mine.any() and own[mine].sum() > 0:
                ratio[k] = float(measured[mine].sum() / own[mine].sum())
        trip = estimate * ratio[None, :]
        known = np.isfinite(measured)
        trip[np.flatnonzero(known), assign[known]] = measured[known]
        visit = np.array([a.visit_minutes for a in accounts], dtype=float)
        unit = np.maximum(1, np.ceil(visit[:, None] + trip - 1e-9)).astype(np.int64)
        prob = np.array([index[a.id] for a in accounts], dtype=np.int64)
        tier_min = problem.tier_min[prob]
        high = np.maximum(tier_min, np.minimum(problem.tier_max[prob], top))
        reach = np.asarray(block.reachable, dtype=bool)
        upper = np.where(reach, high[:, None], 0).astype(np.int64)
        sales = np.array([problem.curves[int(i)].sales(levels) for i in prob], dtype=float).reshape(
            n, top + 1
        )
        base = problem.margin[prob, None] * sales / 12.0
        cost = np.array([r.cost_per_hour for r in reps], dtype=float)
        extra = np.array([opportunity_minutes.get(a.id, 0.0) for a in accounts], dtype=float)
        gross = np.array([math.floor(60.0 * capacity.get(r, 0.0) + 1e-6) for r in rep_ids], dtype=np.int64)
        reserve = np.array([float(extra[assign == k].sum()) for k in range(p)])
        any_reach = np.asarray(reach.any(axis=1), dtype=np.bool_)
        origin_kept = np.array(
            [
                a.current_rep in column
                and (data.reaches(data.rep_by_id[a.current_rep or ""], a) or not bool(any_reach[i]))
                for i, a in enumerate(accounts)
            ],
            dtype=np.bool_,
        )
        previous = np.array(
            [
                column[a.current_rep or ""] if kept else -1
                for a, kept in zip(accounts, origin_kept, strict=True)
            ],
            dtype=np.int64,
        )
        weight = (
            np.ones(n) if rules.moved_basis == "accounts" else np.array([a.current_sales for a in accounts])
        )
        if weight.sum() <= 0:
            weight = np.ones(n)
        region_model = _Region(
            rows=rows,
            rep_ids=rep_ids,
            unit=unit,
            upper=upper,
            low=tier_min.astype(np.int64),
            base=base,
            cost=cost,
            gross=gross,
            reserve=reserve,
            extra=extra,
            potential=np.array([a.potential for a in accounts], dtype=float),
            reach=reach,
            assign=assign,
            previous=previous,
            kept=origin_kept,
            locked=np.array([bool(a.locked_rep) for a in accounts], dtype=bool)
            | _year_locked(data, accounts),
            barred=np.array([[(a.id, r) in barred for r in rep_ids] for a in accounts], dtype=bool).reshape(
                n, p
            ),
            move_weight=weight,
            cap=rules.max_moved_share,
            tolerance=(rules.workload_tolerance, rules.potential_tolerance),
            neighbours=_neighbours(data, [a.id for a in accounts], n),
            travel=trip,
        )
        spread = float((base.max(axis=1) - base.min(axis=1)).sum())
        spread += float((upper.max(axis=1) * unit.max(axis=1) * cost.max() / 60.0).sum())
        region_model.price = 1.0 + spread
        yield region_model


def _neighbour_minutes(data: PlanData, rows: IntArray, assign: IntArray, p: int) -> FloatArray:
    """(n, p) minutes from each account to the nearest other account of each rep's territory (the hop
    of the workload estimate, taken in the territory the account would join; the region's nearest
    account where a rep has no other)."""
    accounts = [data.accounts[int(a)] for a in rows]
    lat = np.array([a.lat for a in accounts], dtype=float)
    lon = np.array([a.lon for a in accounts], dtype=float)
    points = unit_sphere(lat, lon)
    hop = np.array([data.hop_minutes[int(a)] for a in rows], dtype=float)
    out = np.repeat(hop[:, None], p, axis=1)
    for k in range(p):
        mine = np.flatnonzero(assign == k)
        if len(mine) < 2:
            continue
        tree = cKDTree(points[mine])
        _, nearest = tree.query(points, k=2)
        first = mine[nearest[:, 0]]
        other = np.where(first == np.arange(len(rows)), mine[nearest[:, 1]], first)
        out[:, k] = data.travel_model.minutes_from_coords(lat, lon, lat[other], lon[other])
    return out


def _year_locked(data: PlanData, accounts: list) -> npt.NDArray[np.bool_]:
    from .problem import year_capped

    return np.array([year_capped(data, a) for a in accounts], dtype=bool)


def _neighbours(data: PlanData, account_ids: list[str], n: int) -> list[list[int]] | None:
    mode = data.rules.contiguity
    if mode in (None, "none"):
        return None
    from .districting.geometry import delaunay_edges, project_equirectangular
    from .problem import _edges

    accounts = [data.account_by_id[a] for a in account_ids]
    lat = np.array([a.lat for a in accounts], dtype=float)
    lon = np.array([a.lon for a in accounts], dtype=float)
    xy = project_equirectangular(lat, lon, float(lat.mean()), float(lon.mean()))
    edges = _edges(data, tuple(account_ids), xy) if mode == "table" else delaunay_edges(xy)
    if edges is None:
        return None
    out: list[list[int]] = [[] for _ in range(n)]
    for i, j in np.asarray(edges).reshape(-1, 2).tolist():
        out[i].append(j)
        out[j].append(i)
    return out


def _best(gain: FloatArray, count: int) -> IntArray:
    """Indices of the ``count`` largest gains, largest first (ties: the earlier index first)."""
    if count <= 0 or not len(gain):
        return np.zeros(0, np.int64)
    part = np.argpartition(-gain, count - 1)[:count] if count < len(gain) else np.arange(len(gain))
    order = np.lexsort((part, -gain[part]))
    return part[order].astype(np.int64)


def _deviation(totals: FloatArray) -> float:
    mean = float(totals.mean()) if len(totals) else 0.0
    return float(np.abs(totals - mean).max() / mean) if mean > 0 else 0.0


class _Search:
    """The local search of one region (module docstring, steps 1 and 2)."""

    def __init__(self, region: _Region) -> None:
        self.region = region
        p = len(region.rep_ids)
        self.members = [region.members(k) for k in range(p)]
        solved = [region.value(k, self.members[k]) for k in range(p)]
        self.value = [v.value for v in solved]
        self.used = [v.used for v in solved]
        self.multiplier = [v.multiplier for v in solved]
        self.short = [v.short for v in solved]
        self.start = sum(self.value)
        self.start_short = sum(self.short)
        levels = np.arange(region.base.shape[1])
        self._within = [levels[None, :] <= region.upper[:, k][:, None] for k in range(p)]  # k_a ≤ U_a^k
        self.epsilon = 1.0
        self.ceiling = (
            None if region.tolerance[0] is None else max(region.tolerance[0], _deviation(self.workload())),
            None if region.tolerance[1] is None else max(region.tolerance[1], _deviation(self.potential())),
        )
        base = float(region.move_weight[region.kept].sum())
        self.budget = math.inf if region.cap is None or base <= 0 else region.cap * base + 1e-9
        self.evaluated = 0
        self.proven = True
        # kind, a, from, to, profit gain, partner, minimum minutes recovered
        self.changes: list[tuple[str, int, int, int, float, int, int]] = []
        self.stuck: dict[int, str] = {}  # row → why no rep that reaches it can take it

    # -- measures -------------------------------------------------------------------------------------
    def workload(self, used: list[int] | None = None) -> FloatArray:
        used = self.used if used is None else used
        extra = self.region.extra
        return np.array([(used[k] + float(extra[m].sum())) / 60.0 for k, m in enumerate(self.members)])

    def potential(self, members: list[IntArray] | None = None) -> FloatArray:
        members = self.members if members is None else members
        return np.array([float(self.region.potential[m].sum()) for m in members])

    def moved_weight(self, assign: IntArray) -> float:
        r = self.region
        moved = r.kept & (assign != r.previous)
        return float(r.move_weight[moved].sum())

    # -- evaluation -----------------------------------------------------------------------------------
    def _scores(self, k: int) -> FloatArray:
        """g_k(a) for every row: the account's best level at rep k's shadow price (module docstring)."""
        r = self.region
        lam = self.multiplier[k]
        value = np.where(self._within[k], r.levels(k, slice(None), lam), -np.inf)
        return value.max(axis=1) - lam * r.extra

    def _connected(self, rows: IntArray) -> bool:
        neighbours = self.region.neighbours
        if neighbours is None or len(rows) <= 1:
            return True
        inside = set(rows.tolist())
        start = next(iter(inside))
        seen, stack = {start}, [start]
        while stack:
            for j in neighbours[stack.pop()]:
                if j in inside and j not in seen:
                    seen.add(j)
                    stack.append(j)
        return len(seen) == len(inside)

    def _try(
        self, changes: list[tuple[int, int, int]], *, balance: bool = True, cap: bool = True
    ) -> tuple[float, bool, tuple]:
        """Exact gain of moving each (row, from, to) at once; whether the rules allow it (the balance
        ceilings and the move cap unless waived); the new state."""
        r = self.region
        assign = r.assign.copy()
        for a, _, s in changes:
            assign[a] = s
        touched = sorted({k for _, k, _ in changes} | {s for _, _, s in changes})
        members = list(self.members)
        for k in touched:
            members[k] = np.flatnonzero(assign == k)
        if any(len(members[k]) == 0 for k in touched):
            return -math.inf, False, ()
        if r.neighbours is not None and not all(self._connected(members[k]) for k in touched):
            return -math.inf, False, ()
        if cap and self.moved_weight(assign) > max(self.budget, self.moved_weight(r.assign)):
            return -math.inf, False, ()
        solved = {k: r.value(k, members[k]) for k in touched}
        self.evaluated += 1
        gain = sum(solved[k].value - self.value[k] for k in touched)
        used = list(self.used)
        for k in touched:
            used[k] = solved[k].used
        ok = True
        if balance:
            saved = self.members
            self.members = members
            work, pot = self.workload(used), self.potential(members)
            self.members = saved
            if self.ceiling[0] is not None and _deviation(work) > self.ceiling[0] + 1e-9:
                ok = False
            if self.ceiling[1] is not None and _deviation(pot) > self.ceiling[1] + 1e-9:
                ok = False
        return gain, ok, (assign, members, solved)

    def _apply(self, kind: str, changes: list[tuple[int, int, int]], gain: float, state: tuple) -> None:
        assign, members, solved = state
        self.region.assign = assign
        self.members = members
        short = sum(solved[k].short - self.short[k] for k in solved)
        for k, one in solved.items():
            self.value[k], self.used[k], self.multiplier[k], self.short[k] = (
                one.value, one.used, one.multiplier, one.short,
            )  # fmt: skip
        a, f, t = changes[0]
        partner = changes[1][0] if len(changes) > 1 else -1
        self.changes.append((kind, a, f, t, gain + self.region.price * short, partner, -short))

    def threshold(self, k: IntArray | int, s: IntArray | int) -> FloatArray:
        """The smallest gain that counts for a change between reps k and s (MIN_GAIN_SHARE)."""
        price = self.region.price
        profit = np.abs(np.array(self.value) + price * np.array(self.short))
        return np.maximum(1.0, MIN_GAIN_SHARE * (profit[k] + profit[s]))

    def bound(self, iterations: int = 100) -> float:
        """An upper bound on the call plan's profit (tier minimums dropped) over every alignment of the
        region that keeps the locks: the capacities relaxed with multipliers λ ≥ 0,

            L(λ) = Σ_r λ_r (C_r + O_r) + Σ_a max_r max_k [m_a S_a(k)/12 − k t_a^r (p_r/60 + λ_r) − λ_r o_a],

        each account at the rep and level that suit it best; minimised over λ by projected subgradient
        steps θ (L − target) / ‖g‖² (Polyak, target the search's profit; θ halves after five steps without
        a new best) from the reps' own multipliers, each capped at the most any visit earns per minute.
        Valid for any λ ≥ 0. min_λ L is the LP of the relaxed assignment, which on the bundled and
        generated regions these 100 steps reach to 0.01 % (the LP by HiGHS, tests); 40 plain Polyak steps
        from the call plan's multipliers stopped 14× above it where a rep's multiplier started at 1.5e7
        (a rep whose tier minimums fill its hours)."""
        r = self.region
        n, p = len(r.rows), len(r.rep_ids)
        visits = np.arange(1, r.base.shape[1], dtype=float)
        per_visit = ((r.base[:, 1:] - r.base[:, :1]) / visits[None, :]).max(axis=1, initial=0.0)
        most = float((np.maximum(per_visit, 0.0)[:, None] / np.maximum(r.unit, 1)).max(initial=0.0))
        lam = np.minimum(np.maximum(np.array(self.multiplier, dtype=float), 0.0), most)
        capacity = r.gross.astype(float) + r.reserve
        own = np.zeros((n, p), dtype=bool)
        own[np.arange(n), r.assign] = True
        allowed = np.where(r.locked[:, None], own, True)
        target = self.profit()
        best = math.inf
        step, stalled = 1.0, 0
        for _ in range(iterations):
            scores = np.full((n, p), -np.inf)
            minutes = np.zeros((n, p))
            for k in range(p):
                value = np.where(self._within[k], r.levels(k, slice(None), lam[k], shortfall=False), -np.inf)
                pick = value.argmax(axis=1)
                scores[:, k] = value[np.arange(n), pick] - lam[k] * r.extra
                minutes[:, k] = pick * r.unit[:, k] + r.extra
            scores = np.where(allowed, scores, -np.inf)
            choice = scores.argmax(axis=1)
            total = float(lam @ capacity + scores[np.arange(n), choice].sum())
            if total < best:
                best, stalled = total, 0
            else:
                stalled += 1
                if stalled == 5:
                    step, stalled = step / 2, 0
            load = np.bincount(choice, weights=minutes[np.arange(n), choice], minlength=p)
            slope = capacity - load  # ∂L/∂λ
            norm = float(slope @ slope)
            if norm <= 1e-12 or best - target <= 1e-9 * max(1.0, abs(target)):
                break
            lam = np.maximum(0.0, lam - step * (total - target) / norm * slope)
        return best

    def profit(self) -> float:
        """Σ_r V_r without the price of missed minimum minutes: the call plan's profit."""
        return sum(self.value) + self.region.price * sum(self.short)

    # -- steps ----------------------------------------------------------------------------------------
    def reach_first(self) -> None:
        """Step 1: every account its rep cannot reach goes to the reaching rep with the largest gain
        that misses no more tier-minimum minutes than before — by a move, else by a swap with an
        account of that rep which its old rep reaches. Balance does not bind; the move cap binds only
        an account (or a swap partner) that could have stayed with its current rep. An account no
        reaching rep can take is recorded with why (``stuck``). The swaps are all evaluated exactly up to
        SCREENED partners, above that the SCREENED best by the estimate of step 2 (bundled examples: at
        most 31 partners; 20,000 accounts with 20 reps a region: about 3,800, two knapsacks each)."""
        r = self.region
        for a in range(len(r.rows)):
            k = int(r.assign[a])
            if r.locked[a] or r.reach[a, k] or not r.reach[a].any():
                continue
            best: tuple[float, list[tuple[int, int, int]], tuple] | None = None
            targets = np.flatnonzero(r.reach[a] & ~r.barred[a]).tolist()
            for s in targets:
                free = not r.kept[a] or s == r.previous[a]
                best = self._better(best, [(a, k, s)], free)
            if best is None:
                pairs = [
                    (s, b)
                    for s in targets
                    for b in np.flatnonzero(
                        (r.assign == s) & r.reach[:, k] & ~r.barred[:, k] & ~r.locked
                    ).tolist()
                ]
                if len(pairs) > SCREENED:  # as in step 2 for a large region: the SCREENED best by estimate
                    scores, own, _ = self._estimates()
                    estimate = np.array([scores[a, s] - own[a] + scores[b, k] - own[b] for s, b in pairs])
                    pairs = [pairs[i] for i in _best(estimate, SCREENED)]
                for s, b in pairs:
                    free = (not r.kept[a] or s == r.previous[a]) and (not r.kept[b] or k == r.previous[b])
                    best = self._better(best, [(a, k, s), (b, s, k)], free)
            if best is not None:
                self._apply("reach", best[1], best[0], best[2])
            else:
                names = [r.rep_ids[s] for s in np.flatnonzero(r.reach[a])]
                who = (
                    f"{names[0]} reaches it but lacks"
                    if len(names) == 1
                    else f"{', '.join(names)} reach it but each lacks"
                )
                self.stuck[a] = (
                    f"{who} the hours for its minimum visits without missing other tier minimums "
                    "(no move or swap fits)"
                )

    def _better(
        self,
        best: tuple[float, list[tuple[int, int, int]], tuple] | None,
        changes: list[tuple[int, int, int]],
        free: bool,
    ) -> tuple[float, list[tuple[int, int, int]], tuple] | None:
        """``best`` or ``changes`` for a reach move, whichever gains more without missing more
        minimum minutes (None while nothing qualifies)."""
        gain, ok, state = self._try(changes, balance=False, cap=not free)
        if not ok or not state:
            return best
        solved = state[2]
        if sum(solved[k].short - self.short[k] for k in solved) > 0:
            return best
        if best is None or gain > best[0] + 1e-9:
            return (gain, changes, state)
        return best

    def _estimates(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """g_k(a) for every row and rep (n, p), each row's own g (n,), and each rep's duality gap
        L_k − V_k (p,), where L_k = λ_k (C_k + O_k) + Σ_{b∈S_k} g_k(b) ≥ V_k is the Lagrangian bound at the
        rep's own multiplier: a move's gain is at most its estimate plus the two reps' gaps."""
        r = self.region
        p = len(r.rep_ids)
        scores = np.column_stack([self._scores(k) for k in range(p)])
        own = scores[np.arange(len(r.rows)), r.assign]
        gap = np.array(
            [
                self.multiplier[k] * (float(r.gross[k]) + float(r.reserve[k]))
                + float(own[self.members[k]].sum())
                - self.value[k]
                for k in range(p)
            ]
        )
        return scores, own, np.maximum(gap, 0.0) + 1e-6 * np.abs(np.array(self.value))

    def _move_candidates(self) -> tuple[list[tuple[int, int]], int]:
        """Single moves (row, rep) that the rules allow and whose gain bound exceeds ε, by falling
        estimate — all of them, or the SCREENED best when there are more than EXHAUSTIVE — and how many
        there are."""
        r = self.region
        scores, own, gap = self._estimates()
        allowed = r.reach & ~r.barred & ~r.locked[:, None]
        allowed[np.arange(len(r.rows)), r.assign] = False
        rows, reps = np.nonzero(allowed)
        gain = scores[rows, reps] - own[rows]
        hopeful = gain + gap[r.assign[rows]] + gap[reps] > self.threshold(r.assign[rows], reps)
        rows, reps, gain = rows[hopeful], reps[hopeful], gain[hopeful]
        keep = _best(gain, len(gain) if len(gain) <= EXHAUSTIVE else SCREENED)
        return [(int(rows[i]), int(reps[i])) for i in keep], len(gain)

    def _swap_candidates(self) -> tuple[list[tuple[int, int]], int]:
        """Swaps (row a, row b) as :meth:`_move_candidates` does single moves."""
        r = self.region
        p = len(r.rep_ids)
        scores, own, gap = self._estimates()
        pairs: list[tuple[IntArray, IntArray, FloatArray]] = []
        total = 0
        for k in range(p):
            for s in range(k + 1, p):
                left = np.flatnonzero((r.assign == k) & r.reach[:, s] & ~r.barred[:, s] & ~r.locked)
                right = np.flatnonzero((r.assign == s) & r.reach[:, k] & ~r.barred[:, k] & ~r.locked)
                if not len(left) or not len(right):
                    continue
                gain = (
                    (scores[left, s] - own[left])[:, None] + (scores[right, k] - own[right])[None, :]
                ).ravel()
                a = np.repeat(left, len(right))
                b = np.tile(right, len(left))
                hopeful = np.flatnonzero(gain + gap[k] + gap[s] > self.threshold(k, s))
                total += len(hopeful)
                keep = hopeful[_best(gain[hopeful], min(len(hopeful), EXHAUSTIVE + 1))]
                pairs.append((a[keep], b[keep], gain[keep]))
        if not pairs:
            return [], 0
        a = np.concatenate([x[0] for x in pairs])
        b = np.concatenate([x[1] for x in pairs])
        gain = np.concatenate([x[2] for x in pairs])
        keep = _best(gain, len(gain) if total <= EXHAUSTIVE else SCREENED)
        return [(int(a[i]), int(b[i])) for i in keep], total

    def improve(self) -> None:
        """Step 2: first-improvement moves, then swaps, until none raises the value within the rules."""
        r = self.region
        while len(self.changes) < MAX_CHANGES:
            moves, count = self._move_candidates()
            screened_moves = count > len(moves)
            found = False
            for a, s in moves:
                k = int(r.assign[a])
                gain, ok, state = self._try([(a, k, s)])
                if ok and gain > self.threshold(k, s):
                    self._apply("move", [(a, k, s)], gain, state)
                    found = True
                    break
            if found:
                continue
            swaps, count = self._swap_candidates()
            screened_swaps = count > len(swaps)
            for a, b in swaps:
                k, s = int(r.assign[a]), int(r.assign[b])
                gain, ok, state = self._try([(a, k, s), (b, s, k)])
                if ok and gain > self.threshold(k, s):
                    self._apply("swap", [(a, k, s), (b, s, k)], gain, state)
                    found = True
                    break
            if not found:
                self.proven = not (screened_moves or screened_swaps)
                return
        self.proven = False


@dataclass(frozen=True)
class _Searched:
    """What one region's search found (:func:`_search_region`), for :func:`realign` to gather."""

    region: _Region
    changes: tuple[tuple[str, int, int, int, float, int, int], ...]
    stuck: dict[int, str]
    start: float
    start_short: float
    profit: float
    short: float
    evaluated: int
    proven: bool
    bound: float


def _search_region(job: tuple[_Region, bool]) -> _Searched:
    """Steps 1 and 2 of the module docstring on one region, and its bound (pure: regions are independent,
    so they may go to any executor and give the same alignment)."""
    region, screened = job
    search = _Search(region)
    proven = True
    if len(region.rep_ids) > 1:
        search.reach_first()
        large = len(region.rows) * (len(region.rep_ids) - 1) > EXHAUSTIVE
        if screened or not large:
            search.improve()
        else:
            proven = False
    region.cache.clear()  # the knapsacks evaluated: not worth sending back
    return _Searched(
        region, tuple(search.changes), dict(search.stuck), search.start, search.start_short,
        search.profit(), float(sum(search.short)), search.evaluated, proven and search.proven, search.bound(),
    )  # fmt: skip


def realign(data: PlanData, facts: CallPlanFacts, options: SolverOptions | None = None) -> Realignment:
    """The alignment after the search of the module docstring, region by region (deterministic; the
    regions go through ``options.map``, the run's executor, when given).

    ``facts.barred`` holds the reps an account left in an earlier round, so that rounds cannot move it
    back and forth.
    """
    rep_of, travel = facts.rep_of, facts.travel
    out = dict(rep_of)
    moves: list[Move] = []
    before = after = short_before = short_after = 0.0
    stuck: dict[str, str] = {}
    evaluated = 0
    proven = True
    new_travel = dict(travel)
    bound: float | None = 0.0
    served = 0
    jobs = [(region, facts.screened) for region in _region_models(data, facts)]
    found = options.map(_search_region, jobs) if options is not None else [_search_region(j) for j in jobs]
    for searched in found:
        region = searched.region
        served += len(region.rows)
        before += searched.start + region.price * searched.start_short
        after += searched.profit
        short_before += searched.start_short
        short_after += searched.short
        evaluated += searched.evaluated
        proven = proven and searched.proven
        ids = [data.accounts[int(a)].id for a in region.rows]
        for kind, a, f, t, gain, partner, recovered in searched.changes:
            moves.append(
                Move(
                    kind,
                    ids[a],
                    region.rep_ids[f],
                    region.rep_ids[t],
                    gain,
                    ids[partner] if partner >= 0 else None,
                    recovered,
                )
            )
        for row, k in enumerate(region.assign.tolist()):
            out[ids[row]] = region.rep_ids[k]
            new_travel[ids[row]] = float(region.travel[row, k])
        stuck.update({ids[row]: text for row, text in searched.stuck.items()})
        if bound is not None:
            bound += searched.bound
    if served < len(rep_of):
        bound = None  # a region the search could not read (an account without a rep of its region)
    return Realignment(
        out,
        tuple(moves),
        before,
        after,
        short_before,
        short_after,
        proven,
        evaluated,
        new_travel,
        stuck,
        bound,
    )


def realign_plan(
    plan: Plan,
    travel: Mapping[str, float],
    barred: frozenset[tuple[str, str]] = frozenset(),
    screened: bool = True,
    options: SolverOptions | None = None,
) -> Realignment:
    """:func:`realign` on a complete round of the pipeline: the call plan's model, capacities and chosen
    opportunities, with ``travel`` (τ per account, measured on the round's routes); ``options``: the
    run's executor for the regions."""
    from ..calls.problem import build_problem

    data = plan.data
    assert plan.calls is not None
    rep_of = plan.served()
    problem = build_problem(data, rep_of, plan.tiers, travel=travel, most=plan.most)
    capacity = {r.rep_id: r.hours_available for r in plan.calls.reps}
    months = max(data.horizon.months, 1e-9)
    minutes = {
        account: sum(data.opportunity_by_id[i].effort_hours for i in ids) * 60.0 / months
        for account, ids in plan.chosen_opportunities().items()
    }
    return realign(data, CallPlanFacts(problem, rep_of, travel, capacity, minutes, barred, screened), options)


MINUTE = 0.5  # tier-minimum minutes per month below this are no change in a reason


def _move_figures(move: Move, currency: str) -> str:
    """What a move changed in the call plan, in a planner's words: minimum visits kept, then profit."""
    profit = (
        f"the call plan earns {move.gain:+,.0f} {currency}/month more"
        if move.gain >= 0
        else f"the call plan's profit changes by {move.gain:+,.0f} {currency}/month"
    )
    if abs(move.recovered) <= MINUTE:
        return profit
    hours = abs(move.recovered) / 60.0
    kept = "keeps" if move.recovered > 0 else "misses"
    subject = "the swap" if move.kind == "swap" else "the move"
    return f"{subject} {kept} {hours:,.1f} h/month more of tier-minimum visits and {profit}"


def move_reasons(realignment: Realignment, before: Mapping[str, str], currency: str) -> dict[str, str]:
    """territories.csv's reason for every account the search moved away from its rep in ``before`` (the
    alignment handed in), or could not move (module docstring). The figures are the account's last move's
    own: an account moved twice is described by where it went last, with how often it moved."""
    last: dict[str, Move] = {}
    count: dict[str, int] = defaultdict(int)
    for m in realignment.moves:
        for account in (m.account, m.partner):
            if account:
                last[account] = m
                count[account] += 1
    out: dict[str, str] = {}
    for account, m in last.items():
        was, final = before.get(account, ""), realignment.rep_of[account]
        if was == final:
            continue
        figures = _move_figures(m, currency)
        if m.kind == "reach":
            out[account] = (
                f"its rep {was} cannot reach it in a day trip; {final} can and has the hours for its minimum "
                f"visits ({figures})"
            )
        elif m.kind == "swap":
            other = m.partner if m.account == account else m.account
            out[account] = (
                f"swapped with {other} (to {final}): {figures} — each account goes where the hours are worth "
                "more"
            )
        elif m.recovered > MINUTE:
            out[account] = f"moved to {final} so that more tier-minimum visits can be made: {figures}"
        else:
            out[account] = (
                f"moved for value to {final}: {figures}, the hours it took are worth more on other accounts"
            )
        if count[account] > 1:
            out[account] += f" (moved {count[account]} times in this re-alignment, from {was})"
    for account, why in realignment.stuck.items():
        rep = realignment.rep_of.get(account, "")
        out[account] = (
            f"its rep {rep} cannot reach it in a day trip; {why}, so its visits cannot be scheduled"
        )
    return out
