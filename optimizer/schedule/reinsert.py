"""After routing: put visits the engine or the trim left out back, as many as still fit, evenly spread.

The engine keeps or drops an account whole. For every account with fewer visits than fitted — the most
important missing visit first (largest π, :mod:`.problem`) — its current visits are taken out and the
largest n (down to one more than it had) is sought for which some evenly spread pattern of n days lets
every one of those days take the visit: each day's visit goes into the position of its route that adds
the least travel while the route keeps every window and ends by the end of the engine's day
(H − L). The pattern that adds the least travel is taken; when none fits, the old visits go back.
Only the routes' order within a day is otherwise kept, so the plan stays feasible at every step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .problem import RepProblem

Routes = list[list[int]]  # per day: nodes (account a is node a + 1) in visiting order


def route_starts(problem: RepProblem, route: Sequence[int]) -> tuple[list[float], float] | None:
    """Earliest starts of the route's visits (engine clock) and its return; None if it breaks a rule
    (the routing engine's own timing, :attr:`.problem.RepProblem.timing`)."""
    timing = problem.timing
    if not timing.route_fits(0, route):
        return None
    starts, back = timing.schedule(route)
    return list(starts), back


def route_cost(problem: RepProblem, route: Sequence[int]) -> float:
    return problem.timing.route_cost(route)


def best_insertion(problem: RepProblem, route: Sequence[int], node: int) -> tuple[float, int] | None:
    """Least added travel and position for ``node`` in ``route`` keeping it feasible, or None."""
    tau = problem.tau
    path = [0, *route, 0]
    best: tuple[float, int] | None = None
    for pos in range(len(route) + 1):
        a, b = path[pos], path[pos + 1]
        added = float(tau[a, node] + tau[node, b] - tau[a, b])
        if best is not None and added >= best[0] - 1e-9:
            continue
        if route_starts(problem, [*route[:pos], node, *route[pos:]]) is not None:
            best = (added, pos)
    return best


def reinsert(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]]
) -> tuple[Routes, list[tuple[int, ...]]]:
    """Routes and visit days per account with missing visits put back where they fit (module doc)."""
    routes = [list(r) for r in routes]
    days = list(days)
    short = [a for a in range(problem.n) if len(days[a]) < problem.fitted[a]]
    short.sort(key=lambda a: (-problem.next_drop_penalty(a, len(days[a]) + 1), a))
    for a in short:
        node = a + 1
        old = {d: routes[d].index(node) for d in days[a]}
        for d in days[a]:
            routes[d].remove(node)
        cache: dict[int, tuple[float, int] | None] = {}
        placed = False
        for n in range(problem.fitted[a], len(days[a]), -1):
            choice: tuple[float, tuple[int, ...]] | None = None
            for pattern in problem.patterns(a, n):
                total = 0.0
                for d in pattern:
                    if d not in cache:
                        cache[d] = best_insertion(problem, routes[d], node)
                    found = cache[d]
                    if found is None:
                        total = math.inf
                        break
                    total += found[0]
                if total < math.inf and (choice is None or total < choice[0] - 1e-9):
                    choice = (total, pattern)
            if choice is not None:
                for d in choice[1]:
                    found = cache[d]
                    assert found is not None
                    routes[d].insert(found[1], node)
                days[a] = choice[1]
                placed = True
                break
        if not placed:
            for d in sorted(old, key=old.__getitem__):
                routes[d].insert(old[d], node)
    return routes, days
