"""The tour benchmark's independent peer: one rep's week as ONE long PyVRP route, its nights as breaks.

VROOM's maintainers suggest modelling a multi-day tour as a single vehicle route over the days with
the nights as breaks; PyVRP (0.14) has no breaks, so the nights are clients of their own:

- **Time** runs in minutes from 00:00 on the week's Monday. Working day d (a date the rep works, from
  ``Rep.dates``) opens at O_d = 1440·day + day_start and closes at C_d = O_d + (day_end − day_start −
  lunch): the working day less the lunch break, the schedule engine's own day (optimizer/schedule/
  problem.py). The vehicle (the rep) leaves home, the depot, at O of the week's first working day and is
  back by C of its last.
- **Nights**: between two working days d < d' of the week the rep spends one night; it is a required
  mutually exclusive client group of "night" clients, each with time window [C_d, C_d] (arrive by the
  close, wait until it) and a service duration of O_d' − C_d (it ends when the next day opens), so no
  travel and no visit falls outside a working day. The group always holds a night at home (the depot's
  location); when ``policy.travel.overnight`` allows a night after d (its weekday in ``nights`` and d'
  the next calendar day) it also holds a night at every listed overnight place within
  ``max_detour_minutes`` of one of the week's visits. A night away carries one unit of a load dimension
  whose capacity is ``max_nights_per_week``; ``max_nights_in_a_row`` is not modelled (it is implied
  when it is at least ``max_nights_per_week``, as in the dealer example). The peer knows neither
  ``min_drive_minutes`` (any night may be away) nor nights at a customer's town without a listed place,
  nor the rep's hours for field work (the selling share of the week): only the working days bound it.
- **Hotel cost** is modelled through prizes: in a required group exactly one night client is visited
  and the objective pays every prize left uncollected, so a night at home has prize M and one at place
  p prize M − c_p, where c_p = (the place's hotel cost, else the policy's, plus the per diem) × 60 /
  the rep's cost per hour — money in minutes of the rep's time, as optimizer/schedule/tours.py prices it.
- **Visits**: an account with k visits in the week becomes k clients at its place, each with its
  visit minutes as service, optional with a prize (DROP) that outweighs any travel it can cause; the
  week's working days are cut into k consecutive runs and copy j may fall only in run j (its window:
  O of the run's first day to C of its last, less the visit), so two visits never share a day. Opening
  hours are not modelled (the generated dealers have none).
- **Travel**: distance = duration = the scenario's travel minutes (``TravelModel``), rounded up to whole
  minutes as the schedule rounds them; the objective is travel minutes + hotel minutes + drops.

Solved with PyVRP's iterated local search for a fixed number of iterations (the wall clock only as a
safety net) and a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType, solve
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from salesplan.optimizer.data import Account, PlanData, Rep
from salesplan.optimizer.overnight import OvernightPlace, OvernightRules

DAY = 1440  # minutes


@dataclass(frozen=True)
class WeekRoute:
    """What the peer did with one rep's week: travel and nights away, visits made and left out."""

    rep_id: str
    travel_minutes: int
    nights: int  # nights away from home
    hotel_cost: float  # hotel and per diem of those nights, the scenario's currency
    visits: int
    dropped: tuple[str, ...]  # one account id per visit left out
    feasible: bool
    seconds: float


def solve_week(
    data: PlanData,
    rep: Rep,
    week_start: dt.date,
    visits: Sequence[tuple[Account, int]],
    rules: OvernightRules | None,
    places: Sequence[OvernightPlace],
    *,
    iterations: int,
    max_seconds: float,
    seed: int,
) -> WeekRoute:
    """Route ``rep``'s week from ``week_start`` (7 calendar days) through ``visits`` (account, visits
    that week) with nights at home or, where ``rules`` allow, at ``places`` (see module docstring)."""
    started = time.perf_counter()
    horizon = data.horizon
    dates = [d for d in rep.dates if week_start <= d < week_start + dt.timedelta(days=7)]
    wanted = [(a, k) for a, k in visits if k > 0]
    if not dates or not wanted:
        left = tuple(a.id for a, k in wanted for _ in range(k))
        return WeekRoute(rep.id, 0, 0, 0.0, 0, left, True, time.perf_counter() - started)
    length = horizon.day_minutes - horizon.lunch
    opens = [(d - week_start).days * DAY + horizon.day_start for d in dates]
    closes = [o + length for o in opens]

    # locations: the rep's home (the depot), the week's accounts, the overnight places within reach
    accounts = [a for a, _ in wanted]
    spots = [rep.home, *(a.place for a in accounts)]
    hotels: list[OvernightPlace] = []
    if rules is not None and rules.possible and places:
        detour = data.travel_model.minutes([a.place for a in accounts], [p.place for p in places])
        hotels = [p for j, p in enumerate(places) if detour[:, j].min() <= rules.max_detour_minutes + 1e-9]
    tau = np.ceil(data.travel_model.minutes([*spots, *(p.place for p in hotels)]) - 1e-9)
    np.fill_diagonal(tau, 0.0)
    matrix = tau.astype(np.int64)
    hotel_location = {p.id: len(spots) + j for j, p in enumerate(hotels)}
    drop = int(2 * matrix.max() + 10 * length)  # a visit's prize: above any travel it can add

    clients: list[Client] = []
    owner: list[str] = []  # per visit client, its account id
    dropped: list[str] = []
    for index, (account, k) in enumerate(wanted, start=1):
        service = data.window(account)[0]
        fit = min(k, len(dates))
        dropped += [account.id] * (k - fit)  # more visits than working days in the week
        for run in np.array_split(np.arange(len(dates)), fit):
            first, last = int(run[0]), int(run[-1])
            clients.append(
                Client(
                    location=index,
                    delivery=[0],
                    service_duration=service,
                    tw_early=opens[first],
                    tw_late=max(opens[first], closes[last] - service),
                    prize=drop,
                    required=False,
                    name=account.id,
                )
            )
            owner.append(account.id)

    # nights: one required group per night, at home or (when allowed) at a hotel near the week's visits
    cost_per_hour = rep.cost_per_hour
    night_minutes = {
        p.id: (rules.night_cost(p) if rules is not None else 0.0) * 60.0 / cost_per_hour
        if cost_per_hour > 0
        else 0.0
        for p in hotels
    }
    top = math.ceil(max(night_minutes.values(), default=0.0)) + 1
    groups: list[ClientGroup] = []
    night_place: dict[int, OvernightPlace] = {}  # client index → the hotel of a night away
    for i in range(len(dates) - 1):
        away = (
            rules is not None
            and rules.allows_night(dates[i].weekday())
            and (dates[i + 1] - dates[i]).days == 1
        )
        members = [len(clients)]
        g = len(groups)
        stay = opens[i + 1] - closes[i]
        clients.append(
            Client(location=0, delivery=[0], service_duration=stay, tw_early=closes[i],
                   tw_late=closes[i], prize=top, required=False, group=g, name="home")
        )  # fmt: skip
        for place in hotels if away else []:
            night_place[len(clients)] = place
            members.append(len(clients))
            clients.append(
                Client(location=hotel_location[place.id], delivery=[1], service_duration=stay,
                       tw_early=closes[i], tw_late=closes[i], prize=top - round(night_minutes[place.id]),
                       required=False, group=g, name=place.id)
            )  # fmt: skip
        groups.append(ClientGroup(members, required=True))

    capacity = rules.max_nights_per_week if rules is not None else 0
    problem = ProblemData(
        locations=[Location(p.lon, p.lat) for p in [*spots, *(h.place for h in hotels)]],
        clients=clients,
        depots=[Depot(0, tw_early=opens[0], tw_late=closes[-1])],
        vehicle_types=[VehicleType(1, capacity=[capacity], tw_early=opens[0], tw_late=closes[-1])],
        distance_matrices=[matrix],
        duration_matrices=[matrix],
        groups=groups,
    )
    stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(max_seconds)])
    best = solve(problem, stop, seed=seed, collect_stats=False, display=False).best
    visited: set[int] = set()
    travel = 0
    for route in best.routes():
        travel += route.distance()
        visited.update(a.idx for a in route if a.is_client())
    dropped += [owner[c] for c in range(len(owner)) if c not in visited]
    away_nights = [night_place[c] for c in visited if c in night_place]
    hotel = sum(rules.night_cost(p) for p in away_nights) if rules is not None else 0.0
    return WeekRoute(
        rep.id,
        int(travel),
        len(away_nights),
        float(hotel),
        sum(1 for c in range(len(owner)) if c in visited),
        tuple(dropped),
        bool(best.is_feasible()),
        time.perf_counter() - started,
    )
