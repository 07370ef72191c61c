"""A day's route turned into clock times, with the lunch break placed in the middle of the day.

The route is timed as early as possible from the rep's home at the start of the working day (waiting
only for opening hours); then the break of L minutes is inserted after the last visit that starts
before the middle of the day (mid = H / 2), in the gap before the next visit (or before the trip home):
the next visit starts at max(its start, end of that visit + travel + L), and the break starts as close
to mid as that gap allows. Later visits move by at most L — which the engine's windows and its day of
H − L allow for (:mod:`.problem`) — so no visit leaves its opening hours, overlaps the break, or pushes
the day past its end. A rep back home before mid takes no break on the route. The rep leaves home just
in time for the first visit. On a tour (:mod:`.tours`) the day starts at the night's place instead of
home and may end at the next night's place; the same rules hold, and a tour day without visits is the
drive from its start to its end (with the break when it passes the middle of the day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .problem import RepProblem


@dataclass(frozen=True)
class TimedDay:
    """Clock times of one day's route, minutes after day_start."""

    nodes: tuple[int, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    travel_before: tuple[int, ...]
    travel_home: int
    departure: int
    back: int
    lunch: tuple[int, int] | None


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def time_route(problem: RepProblem, route: Sequence[int], day: int) -> TimedDay:
    """Timetable of day ``day``'s ``route`` (nodes in order; account a is node a + 1) — see module
    docstring. ``travel_home`` is the way to the day's end (home, or the night's place)."""
    tau = problem.matrix
    first, last = problem.ends(day)
    nodes = tuple(route)
    if not nodes:
        drive = int(tau[first, last])
        if drive == 0:
            return TimedDay((), (), (), (), 0, 0, 0, None)
        pause = problem.lunch if problem.lunch > 0 and drive > problem.middle else 0
        rest = (problem.middle, problem.middle + pause) if pause else None
        return TimedDay((), (), (), (), drive, 0, drive + pause, rest)
    legs = [int(tau[a, b]) for a, b in zip((first, *nodes[:-1]), nodes, strict=True)]
    home = int(tau[nodes[-1], last])
    starts: list[int] = []
    ready = 0
    for node, leg in zip(nodes, legs, strict=True):
        start = max(ready + leg, problem.window[node - 1][0])
        starts.append(start)
        ready = start + problem.service[node - 1]
    back = ready + home
    lunch: tuple[int, int] | None = None
    mid, length = problem.middle, problem.lunch
    before = sum(start < mid for start in starts)
    if length > 0 and back > mid:
        after = starts[before - 1] + problem.service[nodes[before - 1] - 1] if before else 0
        if before < len(nodes):
            leg = legs[before]
            moved = max(starts[before], after + leg + length)
            begin = _clamp(mid, after, moved - leg - length)
            starts[before] = moved
            ready = moved + problem.service[nodes[before] - 1]
            for j in range(before + 1, len(nodes)):
                starts[j] = max(ready + legs[j], problem.window[nodes[j] - 1][0])
                ready = starts[j] + problem.service[nodes[j] - 1]
            back = ready + home
        else:
            begin = after
            back = after + length + home
        lunch = (begin, begin + length)
    departure = starts[0] - legs[0]
    if lunch is not None and before == 0:
        departure = min(departure, lunch[0])
    ends = tuple(s + problem.service[n - 1] for s, n in zip(starts, nodes, strict=True))
    return TimedDay(nodes, tuple(starts), ends, tuple(legs), home, departure, back, lunch)
