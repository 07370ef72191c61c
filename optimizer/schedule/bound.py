"""A proven lower bound on a rep's schedule objective (travel minutes + penalties of visits left out).

Travel. Every visit of account a enters its route by one arc and leaves it by another; charging an arc
between two visits half to each, and an arc from or to home wholly to its visit, gives
travel ≥ Σ_visits h_a with h_a = min(τ_0a, min_j τ_ja / 2) + min(τ_a0, min_j τ_aj / 2), j over the
accounts that can precede (follow) a in some route — j → a only when the two share an allowed day and
the route (j, a) alone keeps both windows and the end of the day (more visits only make it later).
Every route also leaves home once and comes back once; a route holds at most q visits (the most
distinct accounts whose s + h fit in one day), so each visit carries a further e / q, e =
min_a (τ_0a − its in-charge) + min_a (τ_a0 − its out-charge), included in h_a below.

Time. Per working day (D of them): the route lasts at most H − L, and a visit of a takes s_a + h_a of
it; all visits happen between the earliest possible first start T⁻ = min_a max(e_a, τ_0a) and the
latest possible end T⁺ = max_a (l'_a + s_a); at most q visits.

Relaxing the day patterns and integrality leaves a linear programme over the segments g of every account
(its c_g tier-minimum visits at π_g = Δ(2 + w), its other visits at Δ(1 + w); see :mod:`.problem`),
x_g the share of the segment kept:

    LB = min Σ_g c_g·[x_g·h_g + (1 − x_g)·π_g]
    s.t. Σ_g x_g c_g (s_g + h_g) ≤ D·(H − L);   Σ_g x_g c_g s_g ≤ D·(T⁺ − T⁻);   Σ_g x_g c_g ≤ D·q;
         0 ≤ x_g ≤ 1

solved by HiGHS (scipy.optimize.linprog); without an LP answer the capacity rows are dropped.

That bound charges each visit its cheapest neighbours whether or not they share its day and route; it
is weak where a rep's accounts lie in clusters (gaps of 50–75 % on the bundled examples with routes level
with an independent router's). Where its work budget allows, :func:`route_bound` gives the stronger one.

Day routes (:func:`route_bound`). A schedule is one route per working day from the day's start to its
finish (home, or a night's place); days with the same start, finish and accounts allowed form a class
k of n_k days. With z_r ≥ 0 per route r of a class (c_r its travel, u_r its travel and visit minutes,
α_ar the visits of account a it makes) and y_g ∈ [0, c_g] the visits of segment g kept,

    LB = min Σ_r c_r z_r + Σ_g π_g (c_g − y_g)
    s.t. Σ_r α_ar z_r = Σ_{g of a} y_g  (each account);   Σ_{r of k} z_r = n_k  (each class);
         Σ_r u_r z_r ≤ budget  (the minutes the rep's selling hours leave)

relaxes only the day patterns (their spacing, and that a's visits fall on distinct days) and
integrality: every schedule is a solution. Solved by column generation (Desrochers, Desrosiers & Solomon
1992) over ng-routes (Baldacci, Mingozzi & Roberti 2011: a route may return to an account only after
passing one not among its NG nearest, a superset of the elementary routes, so the LP stays a relaxation),
priced exactly by labelling with the engine's clock (windows, the engine's day). Each iteration with
every class priced to the end proves RMP + Σ_k n_k · min(0, least reduced cost of k) (Lasdon 1970); the
best such value is the bound. The work budget is LABELS labels and ROUNDS iterations per rep (the first
iteration 1/FIRST of the labels, so that a rep whose pricing cannot end in budget stops early); where it
runs out the best bound proven so far stands, and the plan keeps
the nearest-arc bound where that is higher (on the bundled electronics distributor's reps of 40–60
accounts, whose routes hold many short visits, the labels outgrow it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from .. import status
from ..result import SolveStatus
from .labels import label
from .problem import RepProblem


def _pairs(problem: RepProblem) -> np.ndarray:
    """Which arcs i → j can appear in a route (see module docstring); any arc from or to home can."""
    tau = problem.relaxed_tau
    early = np.array([w[0] for w in problem.window], dtype=float)
    late = np.array(problem.engine_late, dtype=float)
    service = np.array(problem.service, dtype=float)
    first = np.maximum(tau[0, 1:], early)
    second = np.maximum((first + service)[:, None] + tau[1:, 1:], early[None, :])
    ok = (first <= late + 1e-9)[:, None] & (second <= late[None, :] + 1e-9)
    ok &= second + service[None, :] + tau[1:, 0][None, :] <= problem.engine_day + 1e-9
    share = np.array([[bool(set(a) & set(b)) for b in problem.allowed] for a in problem.allowed])
    pairs = np.ones_like(tau, dtype=bool)
    pairs[1:, 1:] = ok & share
    np.fill_diagonal(pairs, False)
    return pairs


def _charges(problem: RepProblem) -> tuple[np.ndarray, int]:
    """h_a (travel minutes each visit of a certainly causes) and q (most visits a route can hold)."""
    tau = np.where(_pairs(problem), problem.relaxed_tau, np.inf)
    tau[1:, 1:] /= 2.0  # an arc between two visits is shared by both; an arc from or to home is not
    come, leave = tau[:, 1:].min(axis=0), tau[1:, :].min(axis=1)
    h = come + leave
    room, q = float(problem.engine_day), 0
    for time in np.sort(np.asarray(problem.service, dtype=float) + h):
        if room < time:
            break
        room, q = room - time, q + 1
    extra = float(np.min(problem.relaxed_tau[0, 1:] - come) + np.min(problem.relaxed_tau[1:, 0] - leave))
    return h + extra / max(q, 1), max(q, 1)


LABELS = 1_500_000  # labels one rep's pricing may create in all (the route bound's work budget)
FIRST = 25  # the first iteration may use 1/FIRST of LABELS: past it, the iterations cannot end in budget
ACCOUNTS = 62  # an account is a bit of an int64 label memory (:mod:`.labels`)
ROUNDS = 40  # column-generation iterations per rep
NG = 8  # accounts in an ng-set: each account's nearest, itself included
NEW = 30  # columns one class adds per iteration, at most


def arc_bound(problem: RepProblem) -> float:
    """LB of the module docstring's first part (nearest arcs), in the objective's units (minutes)."""
    if problem.n == 0:
        return problem.night_minutes
    h, q = _charges(problem)
    count, hop, service, pi = [], [], [], []
    for a in range(problem.n):
        above = problem.fitted[a] - problem.minimum[a]
        for c, level in ((above, 1.0), (problem.minimum[a], 2.0)):
            if c > 0:
                count.append(float(c))
                hop.append(h[a])
                service.append(float(problem.service[a]))
                pi.append(problem.delta * (level + problem.weight[a]))
    cc, hh, s, p = (np.array(v, dtype=float) for v in (count, hop, service, pi))
    constant = float(np.dot(cc, p))
    days = len(problem.dates)
    starts = np.maximum([w[0] for w in problem.window], problem.relaxed_tau[0, 1:])
    span = max(0.0, float(np.max(np.add(problem.engine_late, problem.service)) - np.min(starts)))
    rows = np.vstack([cc * (s + hh), cc * s, cc])
    limits = np.array([days * problem.engine_day, days * span, days * q], dtype=float)
    answer = linprog(cc * (hh - p), A_ub=rows, b_ub=limits, bounds=(0.0, 1.0), method="highs")
    if status.highs(answer).status is SolveStatus.OPTIMAL:
        value = constant + float(answer.fun)
        return max(0.0, value - 1e-7 * abs(value)) + problem.night_minutes
    return float(np.dot(cc, np.minimum(hh, p))) + problem.night_minutes


Path = tuple[int, ...]  # accounts (0-based) in visiting order


class _Pricing:
    """Least reduced cost routes of a class of days (labelling over ng-routes, :mod:`.labels`)."""

    def __init__(self, problem: RepProblem, start: int, finish: int, members: tuple[int, ...]) -> None:
        timing = problem.timing
        self.tau = np.ascontiguousarray(timing.travel_time, dtype=float)
        self.cost = np.ascontiguousarray(timing.cost, dtype=float)
        self.start, self.finish = start, finish
        self.members = np.array(members, dtype=np.int64)
        self.end = float(problem.engine_day)
        self.service = np.array(problem.service, dtype=float)
        self.early = np.zeros(problem.n)
        self.late = np.full(problem.n, math.inf)
        for a in range(problem.n):
            window = timing.customers[a].time_window
            if window is not None:
                self.early[a], self.late[a] = window
        self.ng = np.zeros(problem.n, dtype=np.int64)
        for a in members:
            near = sorted(members, key=lambda b: (self.cost[a + 1, b + 1] + self.cost[b + 1, a + 1], b))
            self.ng[a] = sum(1 << b for b in near[:NG]) | 1 << a

    def price(self, pi: np.ndarray, nu: float, budget: int) -> tuple[float | None, list[Path], int]:
        """(least reduced cost without the class's dual, or None past ``budget`` labels; the NEW best
        routes; labels used)."""
        scale = 1.0 - nu  # ν ≤ 0: a travel minute also spends budget
        gain = np.asarray(pi, dtype=float)[: len(self.service)] + nu * self.service
        used, node, parent, closed = label(
            self.start, self.finish, self.members, self.tau, self.cost, self.service, self.early,
            self.late, self.end, gain, scale, self.ng, budget,
        )  # fmt: skip
        if used < 0:
            return None, [], budget
        empty = float(self.cost[self.start, self.finish]) * scale
        best = np.argsort(closed, kind="stable")[:NEW]
        least = min(empty, float(closed[best[0]])) if len(best) else empty
        paths: list[Path] = [] if len(best) and closed[best[0]] < empty else [()]
        for i in best:
            if not np.isfinite(closed[i]):
                break
            path = []
            while i >= 0:
                path.append(int(node[i]))
                i = parent[i]
            paths.append(tuple(reversed(path)))
        return least, paths, used


def _classes(problem: RepProblem) -> list[tuple[tuple[int, int, tuple[int, ...]], list[int]]]:
    """Days that price alike: the same start, finish and accounts allowed; in date order."""
    allowed_on: dict[int, list[int]] = defaultdict(list)
    for a, days in enumerate(problem.allowed):
        for d in days:
            allowed_on[d].append(a)
    groups: dict[tuple[int, int, tuple[int, ...]], list[int]] = {}
    for d in range(len(problem.dates)):
        groups.setdefault((*problem.ends(d), tuple(allowed_on[d])), []).append(d)
    return list(groups.items())


def route_bound(problem: RepProblem, routes: Sequence[Sequence[int]] = ()) -> float | None:
    """The day-route LP bound of the module docstring (minutes), or None when its work budget runs out
    before an iteration is priced to the end."""
    n = problem.n
    if n == 0 or n > ACCOUNTS:
        return None
    timing = problem.timing
    classes = _classes(problem)
    segments = []  # (account, visits, penalty per visit left out)
    for a in range(n):
        above = problem.fitted[a] - problem.minimum[a]
        for count, level in ((above, 1.0), (problem.minimum[a], 2.0)):
            if count > 0:
                segments.append((a, float(count), problem.delta * (level + problem.weight[a])))
    constant = sum(count * penalty for _, count, penalty in segments)
    columns: list[tuple[int, Path, float, float]] = []  # (class, path, travel, travel and visits)
    seen: set[tuple[int, Path]] = set()

    def add(k: int, path: Path) -> None:
        if (k, path) not in seen:
            seen.add((k, path))
            travel = timing.route_cost([a + 1 for a in path], classes[k][1][0])
            columns.append((k, path, travel, travel + sum(problem.service[a] for a in path)))

    day_class = {d: k for k, (_, days) in enumerate(classes) for d in days}
    for k, ((_, _, members), days) in enumerate(classes):
        add(k, ())
        for a in members:
            if timing.route_fits(days[0], [a + 1]):
                add(k, (a,))
    for d, route in enumerate(routes):
        add(day_class[d], tuple(node - 1 for node in route))
    pricing = [_Pricing(problem, start, finish, members) for (start, finish, members), _ in classes]
    budgeted = math.isfinite(problem.budget)
    left, best = LABELS, None
    for iteration in range(ROUNDS):
        m, s = len(columns), len(segments)
        rows = [a for _, path, _, _ in columns for a in path] + [n + k for k, *_ in columns]
        rows += [a for a, _, _ in segments]
        cols = [j for j, (_, path, _, _) in enumerate(columns) for _ in path] + list(range(m))
        cols += list(range(m, m + s))
        values = [1.0] * (len(rows) - s) + [-1.0] * s
        answer = linprog(
            np.array([c[2] for c in columns] + [-p for _, _, p in segments]),
            A_ub=np.array([[c[3] for c in columns] + [0.0] * s]) if budgeted else None,
            b_ub=np.array([problem.budget]) if budgeted else None,
            A_eq=csr_matrix((values, (rows, cols)), shape=(n + len(classes), m + s)),
            b_eq=np.array([0.0] * n + [float(len(days)) for _, days in classes]),
            bounds=[(0.0, None)] * m + [(0.0, count) for _, count, _ in segments],
            method="highs",
        )
        if status.highs(answer).status is not SolveStatus.OPTIMAL:
            return best
        duals = answer.eqlin.marginals
        nu = float(answer.ineqlin.marginals[0]) if budgeted else 0.0
        lagrange, added = 0.0, len(columns)
        for k, (_, days) in enumerate(classes):
            spare = left - (LABELS - LABELS // FIRST if iteration == 0 else 0)
            least, paths, used = pricing[k].price(duals[:n], nu, spare)
            left -= used
            if least is None:
                return best
            lagrange += len(days) * min(0.0, least - float(duals[n + k]))
            for path in paths:
                add(k, path)
        value = constant + float(answer.fun) + lagrange
        value -= 1e-7 * abs(value) + 1e-6  # the LP's tolerances must not lift the bound above the optimum
        best = value if best is None else max(best, value)
        if len(columns) == added or lagrange > -1e-6 * max(1.0, abs(value)):
            break
    return None if best is None else best + problem.night_minutes
