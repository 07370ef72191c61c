"""Tours with nights away (optimizer.schedule.tours): clusters, night places, and when tours run."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from salesplan.optimizer.overnight import OvernightRules
from salesplan.optimizer.schedule.tours import NightPlace, clusters, far_accounts, night_place, plan_tours

RULES = OvernightRules(
    nights=(0, 1, 2, 3), min_drive_minutes=120.0, max_nights_per_week=2, max_nights_in_a_row=2,
    hotel_cost=260.0, per_diem=100.0, max_detour_minutes=30.0,
)  # fmt: skip
MONDAY = dt.date(2026, 4, 6)


def _weekdays(weeks: int) -> tuple[list[dt.date], list[int]]:
    dates = [MONDAY + dt.timedelta(days=7 * w + d) for w in range(weeks) for d in range(5)]
    return dates, [(day - MONDAY).days for day in dates]


def _line(points: list[float]) -> np.ndarray:
    xy = np.array(points)
    return np.abs(xy[:, None] - xy[None, :])


def test_far_accounts_are_beyond_the_drive_or_out_of_a_day_trip() -> None:
    home = np.array([30.0, 150.0, 100.0, 200.0])
    assert far_accounts(home, [True, True, False, True], [2, 1, 3, 0], RULES) == [1, 2]  # 3 has no visits


def test_clusters_group_far_accounts_around_the_farthest() -> None:
    positions = [300.0, 310.0, 330.0, 150.0, 160.0]  # minutes from home along one road
    tau = _line(positions)
    home = np.array(positions)
    assert clusters(range(5), home, tau, radius=40.0) == [
        [2, 1, 0],
        [4, 3],
    ]  # farthest first within a cluster too


def test_night_place_is_the_listed_one_within_the_detour_else_the_medoid_town() -> None:
    tau = _line([300.0, 310.0, 330.0])
    to_places = np.array([[5.0, 80.0], [15.0, 70.0], [35.0, 50.0]])
    names = ("Weifang Hotel", "Far Inn")
    place = night_place([0, 1, 2], tau, to_places, to_places.T, ("P1", "P2"), names, (200.0, 90.0),
                        ("A", "B", "C"), ("a", "b", "c"), RULES, 0.5)  # fmt: skip
    assert (place.id, place.listed, place.cost) == ("P1", 0, 300.0)  # P2 is beyond the 30-min detour
    town = night_place([0, 1, 2], tau, to_places + 100.0, to_places.T + 100.0, ("P1", "P2"), names,
                       (200.0, 90.0), ("A", "B", "C"), ("a", "b", "c"), RULES, 0.5)  # fmt: skip
    assert (town.id, town.account, town.cost) == ("B", 1, 360.0)  # the medoid's town at the policy's hotel


def _tours(rules: OvernightRules, visits: list[int], weeks: int = 2):
    dates, offsets = _weekdays(weeks)
    tau = _line([300.0, 310.0])
    place = NightPlace("P1", "Weifang Hotel", 360.0, listed=0)
    return dates, plan_tours(dates, offsets, 7 * weeks, rules, [[0, 1]], [place], visits, [75.0, 75.0], tau,
                             [300.0], 510.0)  # fmt: skip


def test_tours_spread_over_the_horizon_with_nights_on_allowed_weekdays() -> None:
    dates, tours = _tours(RULES, [2, 1])
    assert len(tours) == 2  # the account with 2 visits needs two tours
    for tour in tours:
        assert tour.nights >= 1 and tour.place.id == "P1"
        assert all(RULES.allows_night(dates[d].weekday()) for d in tour.days[:-1])
        assert all(b - a == 1 for a, b in itertools.pairwise(tour.days))
    weeks = sorted(dates[t.days[0]].isocalendar()[1] for t in tours)
    assert weeks[0] != weeks[1]  # one tour a week, not both in the first


def test_tours_keep_to_the_allowed_weekday_and_the_nights_per_week() -> None:
    wednesday_only = OvernightRules((2,), 120.0, 1, 1, 260.0, 100.0, 30.0)
    dates, tours = _tours(wednesday_only, [2, 2])
    assert tours and all(dates[t.days[0]].weekday() == 2 and t.nights == 1 for t in tours)
    no_nights = OvernightRules((), 120.0, 2, 2, 260.0, 100.0, 30.0)
    assert _tours(no_nights, [2, 2])[1] == ()
