"""Tours with nights away (出差) for one rep: which working days form a tour, and where its nights are.

The routing engine routes each day from a start to a finish place (:mod:`.routing`); this module decides
those places. It is a construction heuristic, and the schedule keeps its tours only where they pay
(:func:`.solve.solve_rep` routes the rep with and without them and keeps the cheaper plan, travel
minutes plus nights in minutes plus the penalties of visits left out), so a tour is used only when it is
cheaper than day trips or when day trips cannot reach.

1. **Far accounts**: those with visits that lie beyond ``min_drive_minutes`` one way from home (a night
   away is allowed for them), or that no day trip from home reaches.
2. **Clusters**: the farthest far account not yet in a cluster seeds one, with every other such account
   within ``RADIUS_SHARE`` of a working day's minutes of it.
3. **Night place**: the listed overnight place (``overnight_places``) that minimises its cost in minutes
   plus the mean round trip from the cluster's accounts, among those within ``max_detour_minutes`` of
   one of them; else the town of the cluster's medoid account (the policy's hotel cost). Every night of
   the cluster's tours is spent there.
4. **How many, how long**: T = the most visits any account of the cluster needs over the horizon (each
   tour visits an account at most once), at least enough tours to hold the cluster's visit minutes
   (visit plus the hop to its nearest neighbour) in the days a tour leaves after driving out and back;
   a tour has the fewest days (2 up to ``max_nights_in_a_row`` + 1) that hold its share of them. The
   share is an estimate; where the schedule finds no room for a cluster's visits on its tours, the rep
   is solved again with every tour a day longer (:func:`.solve.solve_rep`).
5. **When**: the T tours are spread evenly over the horizon; each starts on the working date nearest its
   target whose next days are consecutive calendar days the rep works, every night falling on an allowed
   weekday, within ``max_nights_per_week`` nights a calendar week, on days no other tour uses.

Money becomes minutes at the rep's cost per hour (minutes = money × 60 / cost per hour); a rep without
a cost per hour prices nights at 0 minutes, so its tours are judged on travel alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..overnight import OvernightRules

FloatMatrix = npt.NDArray[np.float64]

RADIUS_SHARE = 0.25  # a cluster spans at most this share of a working day's minutes from its seed


@dataclass(frozen=True)
class NightPlace:
    """Where a tour's nights are spent: a listed overnight place (``listed`` its index in the places
    table) or the town of an account (``account`` its index); ``cost`` per night, per diem included."""

    id: str
    name: str
    cost: float
    listed: int = -1
    account: int = -1


@dataclass(frozen=True)
class Tour:
    """Consecutive working dates (indices into the rep's dates) away from home; a night at ``place``
    after every date but the last."""

    days: tuple[int, ...]
    place: NightPlace
    cluster: tuple[int, ...]  # the accounts (indices) the tour is for

    @property
    def nights(self) -> int:
        return len(self.days) - 1


def far_accounts(
    home: npt.NDArray[np.float64], reach: Sequence[bool], visits: Sequence[int], rules: OvernightRules
) -> list[int]:
    """Accounts with visits beyond ``min_drive_minutes`` one way from home, or beyond a day trip."""
    return [
        a
        for a in range(len(visits))
        if visits[a] > 0 and (rules.beyond_day_trips(float(home[a])) or not reach[a])
    ]


def clusters(
    far: Sequence[int], home: npt.NDArray[np.float64], tau: FloatMatrix, radius: float
) -> list[list[int]]:
    """Greedy clusters of far accounts, farthest seed first (module docstring, step 2); ``tau`` over
    accounts (minutes)."""
    left = sorted(far, key=lambda a: (-float(home[a]), a))
    out: list[list[int]] = []
    while left:
        seed = left[0]
        members = [a for a in left if max(tau[seed, a], tau[a, seed]) <= radius]
        out.append(members)
        left = [a for a in left if a not in members]
    return out


def night_place(
    cluster: Sequence[int],
    tau: FloatMatrix,
    to_places: FloatMatrix,
    from_places: FloatMatrix,
    place_ids: Sequence[str],
    place_names: Sequence[str],
    place_costs: Sequence[float],
    account_ids: Sequence[str],
    account_names: Sequence[str],
    rules: OvernightRules,
    minutes_per_money: float,
) -> NightPlace:
    """Step 3 of the module docstring. ``to_places[a, p]`` / ``from_places[p, a]``: minutes between
    account a and listed place p; ``place_costs`` per night without the per diem."""
    rows = list(cluster)
    best: tuple[float, int] | None = None
    for p in range(len(place_ids)):
        there = to_places[rows, p]
        if float(there.min()) > rules.max_detour_minutes:
            continue
        score = (place_costs[p] + rules.per_diem) * minutes_per_money + float(
            (there + from_places[p, rows]).mean()
        )
        if best is None or score < best[0]:
            best = (score, p)
    if best is not None:
        p = best[1]
        return NightPlace(place_ids[p], place_names[p], place_costs[p] + rules.per_diem, listed=p)
    inner = tau[np.ix_(rows, rows)]
    medoid = rows[int(np.argmin(inner.sum(axis=1) + inner.sum(axis=0)))]
    return NightPlace(
        account_ids[medoid], account_names[medoid], rules.hotel_cost + rules.per_diem, account=medoid
    )


def plan_tours(
    dates: Sequence[dt.date],
    offsets: Sequence[int],
    horizon_days: int,
    rules: OvernightRules,
    cluster_list: Sequence[Sequence[int]],
    places: Sequence[NightPlace],
    visits: Sequence[int],
    service: Sequence[float],
    tau: FloatMatrix,
    home_to_place: Sequence[float],
    day_minutes: float,
    longer: int = 0,
) -> tuple[Tour, ...]:
    """Steps 4 and 5 of the module docstring for every cluster (largest visit minutes first);
    ``home_to_place[c]`` is the one-way drive from home to cluster c's night place; ``longer`` days
    added to every tour (within ``max_nights_in_a_row``), for clusters whose visits found no room."""
    taken: set[int] = set()
    nights_in_week: dict[tuple[int, int], int] = defaultdict(int)
    tours: list[Tour] = []
    hop = hops(tau)
    need = [sum(visits[a] * (service[a] + hop[a]) for a in c) for c in cluster_list]
    for c in sorted(range(len(cluster_list)), key=lambda k: (-need[k], k)):
        members = cluster_list[c]
        longest = rules.max_nights_in_a_row + 1
        room = max(longest * day_minutes - 2.0 * home_to_place[c], 1.0)
        count = max(max(visits[a] for a in members), math.ceil(need[c] / room))
        share = need[c] / count + 2.0 * home_to_place[c]
        length = min(longest, max(2, math.ceil(share / day_minutes)) + longer)
        for k in range(count):
            target = (k + 0.5) * horizon_days / count
            start = _start(dates, offsets, target, length, rules, taken, nights_in_week)
            if start is None:
                continue
            days = tuple(range(start, start + length))
            taken.update(days)
            for d in days[:-1]:
                nights_in_week[_week(dates[d])] += 1
            tours.append(Tour(days, places[c], tuple(members)))
    return tuple(sorted(tours, key=lambda t: t.days))


def hops(tau: FloatMatrix) -> npt.NDArray[np.float64]:
    """Half the sum of the nearest neighbour's minutes in and out, per account (0 alone)."""
    n = tau.shape[0]
    if n < 2:
        return np.zeros(n)
    inner = tau + np.diag(np.full(n, np.inf))
    return np.asarray((inner.min(axis=0) + inner.min(axis=1)) / 2.0)


def _week(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


def _start(
    dates: Sequence[dt.date],
    offsets: Sequence[int],
    target: float,
    length: int,
    rules: OvernightRules,
    taken: set[int],
    nights_in_week: dict[tuple[int, int], int],
) -> int | None:
    """The date index nearest ``target`` (calendar days) where a tour of ``length`` days may start."""
    order = sorted(range(len(dates) - length + 1), key=lambda d: (abs(offsets[d] - target), d))
    for d in order:
        days = range(d, d + length)
        if any(x in taken for x in days):
            continue
        if any(offsets[x + 1] - offsets[x] != 1 for x in range(d, d + length - 1)):
            continue  # a tour runs on consecutive calendar days
        if not all(rules.allows_night(dates[x].weekday()) for x in range(d, d + length - 1)):
            continue
        added: dict[tuple[int, int], int] = defaultdict(int)
        for x in range(d, d + length - 1):
            added[_week(dates[x])] += 1
        if any(nights_in_week[w] + k > rules.max_nights_per_week for w, k in added.items()):
            continue
        return d
    return None
