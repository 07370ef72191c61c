"""After routing: put visits the engine or the trim left out back, as many as still fit, evenly spread.

The engine keeps or drops an account whole. For every account with fewer visits than fitted — the most
important missing visit first (largest π, :mod:`.problem`) — its current visits are taken out and the
largest n (down to one more than it had) is sought for which some evenly spread pattern of n days lets
every one of those days take the visit — the candidate patterns first, then, exactly, any set of n days
with regular gaps among all the days whose route can take it (:func:`regular_days`) — and the rep's
selling hours (``budget``: visits and travel over the horizon) still hold them: each day's visit goes into the position of its route that adds
the least travel while the route keeps every window and ends by the end of the engine's day
(H − L). The pattern that adds the least travel is taken; when none fits, the old visits go back.
Only the routes' order within a day is otherwise kept, so the plan stays feasible at every step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .problem import RepProblem

Routes = list[list[int]]  # per day: nodes (account a is node a + 1) in visiting order


def route_starts(problem: RepProblem, route: Sequence[int], day: int) -> tuple[list[float], float] | None:
    """Earliest starts of the route's visits (engine clock) and when it reaches the day's end (home, or
    the night's place); None if it breaks a rule (the routing engine's own timing,
    :attr:`.problem.RepProblem.timing`)."""
    timed = problem.timing.timed(day, route)
    if timed is None:
        return None
    return list(timed[0]), timed[1]


def route_cost(problem: RepProblem, route: Sequence[int], day: int) -> float:
    """Travel minutes of day ``day``'s route from its start to its end (a tour's empty day included)."""
    return problem.timing.route_cost(route, day)


def field_minutes(problem: RepProblem, routes: Routes) -> float:
    """Minutes of travel and visits of all the routes (what the rep's selling hours pay for)."""
    return sum(
        route_cost(problem, r, d) + sum(problem.service[node - 1] for node in r) for d, r in enumerate(routes)
    )


def best_insertion(
    problem: RepProblem, route: Sequence[int], node: int, day: int
) -> tuple[float, int] | None:
    """Least added travel and position for ``node`` in day ``day``'s ``route`` keeping it feasible, or None."""
    tau = problem.matrix
    start, finish = problem.ends(day)
    path = [start, *route, finish]
    fits = problem.timing.insertions(day, route)  # route_starts(route with node at pos) is not None
    best: tuple[float, int] | None = None
    for pos in range(len(route) + 1):
        a, b = path[pos], path[pos + 1]
        added = float(tau[a, node] + tau[node, b] - tau[a, b])
        if best is not None and added >= best[0] - 1e-9:
            continue
        if fits(node, pos):
            best = (added, pos)
    return best


def insert_visits(problem: RepProblem, routes: Routes, node: int, days: Sequence[int]) -> None:
    """Put ``node`` into the route of each of ``days`` where it adds least travel (in place); every day
    must be able to take it (a day :func:`regular_days` chose)."""
    for d in days:
        found = best_insertion(problem, routes[d], node, d)
        assert found is not None
        routes[d].insert(found[1], node)


def reinsert(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]]
) -> tuple[Routes, list[tuple[int, ...]]]:
    """Routes and visit days per account with missing visits put back where they fit (module doc),
    pass after pass until a pass places nothing: a visit put back may move an account's visits to
    cheaper days and so free hours an account tried before it can use."""
    routes = [list(r) for r in routes]
    days = list(days)
    while _reinsert_pass(problem, routes, days):
        pass
    return routes, days


def _reinsert_pass(problem: RepProblem, routes: Routes, days: list[tuple[int, ...]]) -> bool:
    """One pass of :func:`reinsert` over the accounts short of visits, in place; whether it placed any."""
    short = [a for a in range(problem.n) if len(days[a]) < problem.fitted[a]]
    short.sort(key=lambda a: (-problem.next_drop_penalty(a, len(days[a]) + 1), a))
    changed = False
    for a in short:
        node = a + 1
        old = {d: routes[d].index(node) for d in days[a]}
        for d in days[a]:
            routes[d].remove(node)
        room = problem.budget - field_minutes(problem, routes)  # the rep's selling hours left
        cache: dict[int, tuple[float, int] | None] = {}
        placed = False
        for n in range(problem.fitted[a], len(days[a]), -1):
            choice: tuple[float, tuple[int, ...]] | None = None
            for pattern in problem.patterns(a, n):
                total = 0.0
                for d in pattern:
                    if d not in cache:
                        cache[d] = best_insertion(problem, routes[d], node, d)
                    found = cache[d]
                    if found is None:
                        total = math.inf
                        break
                    total += found[0]
                if total < math.inf and (choice is None or total < choice[0] - 1e-9):
                    choice = (total, pattern)
            regular = regular_days(problem, a, n, routes, cache)  # every regular day set, exactly
            if regular is not None and (choice is None or regular[0] < choice[0] - 1e-9):
                choice = regular
            if choice is not None and choice[0] + n * problem.service[a] > room + 1e-9:
                continue  # the rep's selling hours would not hold n visits
            if choice is not None:
                for d in choice[1]:
                    found = cache[d]
                    assert found is not None
                    routes[d].insert(found[1], node)
                days[a] = choice[1]
                placed = changed = True
                break
        if not placed:
            for d in sorted(old, key=old.__getitem__):
                routes[d].insert(old[d], node)
    return changed


def regular_days(
    problem: RepProblem,
    a: int,
    n: int,
    routes: Routes,
    cache: dict[int, tuple[float, int] | None],
) -> tuple[float, tuple[int, ...]] | None:
    """The cheapest n days for account a among all the days it may be visited whose route can take the
    visit, with every gap between consecutive visits within the regular spacing (:func:`.patterns.spacing`)
    — exact (dynamic programming over those days), or None when no such set exists."""
    from .patterns import spacing

    node = a + 1
    for d in problem.allowed[a]:
        if d not in cache:
            cache[d] = best_insertion(problem, routes[d], node, d)
    days = [d for d in problem.allowed[a] if cache[d] is not None]
    if len(days) < n:
        return None
    rule = spacing(n, problem.horizon_days, problem.min_days)
    offset = np.array([float(problem.offsets[d]) for d in days])
    cost = np.array([float(cache[d][0]) for d in days])  # type: ignore[index]
    gap = offset[:, None] - offset[None, :]  # gap[i, h]: calendar days from day h to day i
    allowed = (gap > 0) & (gap >= rule.min_gap) & (gap <= rule.max_gap + 1e-9)
    if problem.first_by:  # the first visit by the due date when some regular set allows it
        early = np.where(np.array(days) <= problem.first_by[a], cost, math.inf)
        found = _cheapest(early, cost, allowed, n)
        if found is not None:
            return found[0], tuple(days[i] for i in found[1])
    found = _cheapest(cost, cost, allowed, n)
    return None if found is None else (found[0], tuple(days[i] for i in found[1]))


def _cheapest(
    first: npt.NDArray[np.float64], cost: npt.NDArray[np.float64], allowed: npt.NDArray[np.bool_], n: int
) -> tuple[float, list[int]] | None:
    """The cheapest n positions i_1, …, i_n with allowed[i_j+1, i_j] (dynamic programming), the first
    costing ``first[i_1]`` and the others ``cost[i_j]``: their total and positions, or None when none has
    a finite total."""
    best = first.copy()  # best[i]: cheapest j visits ending on day i (j = 1 first)
    back: list[npt.NDArray[np.intp]] = []
    for _ in range(2, n + 1):
        before = np.where(allowed, best[None, :], math.inf)
        h = np.argmin(before, axis=1)  # the earliest of the cheapest predecessors
        back.append(h)
        best = before[np.arange(len(cost)), h] + cost
    end = int(np.argmin(best))
    if not math.isfinite(best[end]):
        return None
    chosen = [end]
    for h in reversed(back):
        chosen.append(int(h[chosen[-1]]))
    return float(best[end]), chosen[::-1]


def displace(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]]
) -> tuple[Routes, list[tuple[int, ...]]]:
    """Tier minimums before the visits above them: an account short of its minimum (most important
    first) takes one more visit on regularly spaced days where, on a day whose route has no room, a visit
    that matters less (smaller π, :mod:`.problem`) gives way; each account that gave way gets its other
    visits placed again on its cheapest regular days (as many as still fit). A trial is kept only when
    the penalties fall and the rep's selling hours still hold the routes."""
    routes = [list(r) for r in routes]
    days = list(days)
    short = [a for a in range(problem.n) if len(days[a]) < problem.minimum[a]]
    short.sort(key=lambda a: (-problem.next_drop_penalty(a, len(days[a]) + 1), a))
    for a in short:
        while len(days[a]) < problem.minimum[a]:
            trial = _displace_one(problem, routes, days, a)
            if trial is None:
                break
            routes, days = trial
    return routes, days


def _displace_one(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]], a: int
) -> tuple[Routes, list[tuple[int, ...]]] | None:
    """One more visit of account a at the cost of visits that matter less (see :func:`displace`)."""
    node, n = a + 1, len(days[a]) + 1
    gain = problem.next_drop_penalty(a, n)
    without = [[v for v in r if v != node] for r in routes]
    options: dict[int, tuple[float, int] | None] = {}  # day → (cost, node that gives way, 0: none)
    for d in problem.allowed[a]:
        found = best_insertion(problem, without[d], node, d)
        if found is not None:
            options[d] = (found[0], 0)
            continue
        best: tuple[float, int] | None = None
        for other in without[d]:
            b = other - 1
            loss = problem.next_drop_penalty(b, len(days[b]))
            if loss >= gain - 1e-9:
                continue  # only a visit that matters less gives way
            freed = [v for v in without[d] if v != other]
            found = best_insertion(problem, freed, node, d)
            if found is not None and (best is None or found[0] + loss < best[0]):
                best = (found[0] + loss, other)
        options[d] = best
    if not any(o is not None and o[1] for o in options.values()):
        return None  # nothing to gain over the put-back
    regular = regular_days(problem, a, n, without, options)
    if regular is None:
        return None
    out = [list(r) for r in without]
    new_days = list(days)
    gave: dict[int, set[int]] = {}
    for d in regular[1]:
        option = options[d]
        assert option is not None
        if option[1]:
            out[d].remove(option[1])
            gave.setdefault(option[1] - 1, set()).add(d)
    insert_visits(problem, out, node, regular[1])
    new_days[a] = regular[1]
    change = problem.penalty(a, n) - problem.penalty(a, n - 1)
    for b, lost in sorted(gave.items()):
        other = b + 1
        for d in days[b]:
            if other in out[d]:
                out[d].remove(other)
        placed: tuple[int, ...] = ()
        for count in range(len(days[b]) - len(lost), 0, -1):
            choice = regular_days(problem, b, count, out, {})
            if choice is not None:
                insert_visits(problem, out, other, choice[1])
                placed = choice[1]
                break
        new_days[b] = placed
        change += problem.penalty(b, len(placed)) - problem.penalty(b, len(days[b]))
    if change >= -1e-9 or field_minutes(problem, out) > problem.budget + 1e-9:
        return None
    return out, new_days
