"""After routing: move accounts to other evenly spread patterns for less travel, then for evener days.

The issue's objective is lexicographic: least travel, then balanced day lengths. The engine minimises
travel (plus penalties); this pass takes each scheduled account in turn, takes its visits out, and puts
them back on the pattern (same number of visits, its evenly spread candidates) with the least added
travel — each day's visit at its cheapest feasible position — and, among patterns within ``TOLERANCE``
minutes of that, the one that leaves the days most even (least Σ_d length_d², length_d = the engine's
return time of day d). A move is kept only when it lowers (travel, Σ length²) lexicographically, so
travel never rises and every route stays feasible. Passes repeat until nothing improves or ``passes``
are done.
"""

from __future__ import annotations

from .problem import RepProblem
from .reinsert import Routes, best_insertion, route_starts

TOLERANCE = 1e-6


def _length(problem: RepProblem, route: list[int], day: int) -> float:
    timed = route_starts(problem, route, day)
    assert timed is not None
    return timed[1] if route else 0.0


def balance(
    problem: RepProblem, routes: Routes, days: list[tuple[int, ...]], passes: int = 2
) -> tuple[Routes, list[tuple[int, ...]]]:
    """Routes and patterns after the moves of the module docstring."""
    routes = [list(r) for r in routes]
    days = list(days)
    length = [_length(problem, r, d) for d, r in enumerate(routes)]
    tau = problem.matrix
    for _ in range(passes):
        moved = False
        for a in range(problem.n):
            if not days[a]:
                continue
            node = a + 1
            old_days = days[a]
            old_pos = {d: routes[d].index(node) for d in old_days}
            saved = 0.0
            for d in old_days:
                route = routes[d]
                k = old_pos[d]
                before = route[k - 1] if k > 0 else problem.ends(d)[0]
                after = route[k + 1] if k + 1 < len(route) else problem.ends(d)[1]
                saved += float(tau[before, node] + tau[node, after] - tau[before, after])
                route.remove(node)
            base = {d: _length(problem, routes[d], d) for d in old_days}
            old_square = sum(length[d] ** 2 - base[d] ** 2 for d in old_days)
            cache: dict[int, tuple[float, int] | None] = {}
            best: tuple[float, float, tuple[int, ...] | None] = (saved, old_square, None)  # None: as it was
            for pattern in problem.patterns(a, len(old_days)):
                added, square = 0.0, 0.0
                for d in pattern:
                    if d not in cache:
                        cache[d] = best_insertion(problem, routes[d], node, d)
                    found = cache[d]
                    if found is None:
                        added = float("inf")
                        break
                    added += found[0]
                    new = _length(problem, [*routes[d][: found[1]], node, *routes[d][found[1] :]], d)
                    square += new**2 - (base[d] if d in base else length[d]) ** 2
                if added == float("inf"):
                    continue
                if added < best[0] - TOLERANCE or (
                    added <= best[0] + TOLERANCE and square < best[1] - TOLERANCE
                ):
                    best = (added, square, pattern)
            target = best[2]
            if target is None:
                for d in old_days:
                    routes[d].insert(old_pos[d], node)
                continue
            for d in target:
                found = cache[d]
                assert found is not None
                routes[d].insert(found[1], node)
            for d in set(old_days) | set(target):
                length[d] = _length(problem, routes[d], d)
            days[a] = target
            moved = True
        if not moved:
            break
    return routes, days
