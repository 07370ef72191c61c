"""Tours with nights away, end to end through the schedule, on scenarios whose optimum a hand can check.

One rep lives at (30.0, 120.0); travel is great-circle km × 1.0 at 60 km/h, so a minute is a road km.
The working day is 08:00–17:30 less a 60-min lunch: 510 minutes for travel and visits. A night costs
260 + 100 CNY; at the rep's 120 CNY/h that is 180 minutes of the objective.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import pytest

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule import ScheduleResult, check_schedule, run_schedule
from salesplan.optimizer.travel import great_circle_km
from salesplan.scenarios.model import Scenario
from salesplan.scenarios.policy import Horizon, Policy
from salesplan.scenarios.tables import Account, OvernightPlace, Rep

OPTIONS = SolverOptions(time_limit_seconds=120.0, seed=3)
HOME = (30.0, 120.0)
ONE = 52.0 / 12.0  # visits per month that make one visit in a one-week horizon (12/52 months)


def _east(km: float, north_km: float = 0.0) -> tuple[float, float]:
    """The point ``km`` east and ``north_km`` north of home (small distances, flat enough)."""
    lat = HOME[0] + north_km / 111.2
    return lat, HOME[1] + km / (111.2 * math.cos(math.radians(HOME[0])))


def _scenario(
    accounts: dict[str, tuple[float, float]], nights: list[str] | None, hotel_km: float = 2.0
) -> Scenario:
    rep = Rep(id="R1", name="张伟", region="SD", home_lat=HOME[0], home_lon=HOME[1], hours_per_week=45,
              selling_share=1.0, cost_per_hour=120.0)  # fmt: skip
    rows = tuple(
        Account(id=i, name=f"经销商{i}", region="SD", lat=lat, lon=lon, current_sales=1e6, visit_minutes=60)
        for i, (lat, lon) in accounts.items()
    )
    travel: dict[str, object] = {"speed_kmh": 60, "detour_factor": 1.0}
    if nights is not None:
        travel["overnight"] = {
            "enabled": True, "nights": nights, "min_drive_minutes": 120, "max_nights_per_week": 2,
            "max_nights_in_a_row": 2, "hotel_cost": 260, "per_diem": 100, "max_detour_minutes": 30,
        }  # fmt: skip
    first = next(iter(accounts.values()))
    hotel = OvernightPlace(
        place_id="H1", name="县城宾馆", lat=first[0] + hotel_km / 111.2, lon=first[1], cost=260
    )
    horizon = Horizon(start=dt.date(2026, 4, 6), weeks=1, day_start=dt.time(8, 0), day_end=dt.time(17, 30),
                      lunch_break_minutes=60)  # fmt: skip
    policy = Policy.model_validate({"travel": travel})
    return Scenario(name="tour", horizon=horizon, policy=policy, regions=(), reps=(rep,), accounts=rows,
                    overnight_places=(hotel,) if nights is not None else ())  # fmt: skip


def _schedule(scenario: Scenario, visits: dict[str, float]) -> ScheduleResult:
    data = compile_scenario(scenario)
    result = run_schedule(data, OPTIONS, visits_per_month=visits)
    check = check_schedule(data, result)
    assert check.ok, check.violations
    return result


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(great_circle_km(a[0], a[1], b[0], b[1]))


CLUSTER = {"F1": _east(200.0), "F2": _east(200.0, 5.0)}  # 200 km out, 5 km apart


def test_a_two_day_tour_beats_two_day_trips_and_is_chosen() -> None:
    # two day trips: 2 × (200 + 200) = 800 min of travel (F1 and F2 together, 200 + 60 + 5 + 60 + 200 =
    # 525 min, do not fit one day); a tour out to F1, a night at H1 2 km away, F2 and home: about
    # 200 + 2 + 7 + 200 = 409 min and a night (180 min) — 589 < 800
    result = _schedule(_scenario(CLUSTER, ["mon", "tue", "wed", "thu"]), {"F1": ONE, "F2": ONE})
    assert len(result.visits) == 2 and not result.dropped
    nights = [d for d in result.days if d.night]
    assert len(nights) == 1 and nights[0].end_place == "H1" and nights[0].night == "县城宾馆"
    assert nights[0].night_cost == pytest.approx(360.0)
    after = [d for d in result.days if d.date == nights[0].date + dt.timedelta(days=1)]
    assert after and after[0].start_place == "H1" and after[0].end_place == ""
    travel = sum(d.travel_minutes for d in result.days)
    assert travel + 180 < 800 and travel <= 420  # the tour's travel, and cheaper than the day trips


def test_without_an_allowed_night_the_same_visits_go_on_day_trips() -> None:
    # nights only after Fridays: no working day follows a Friday night in this week, so no tour
    result = _schedule(_scenario(CLUSTER, ["fri"]), {"F1": ONE, "F2": ONE})
    assert len(result.visits) == 2 and not result.dropped
    assert not any(d.night or d.start_place or d.end_place for d in result.days)
    assert sum(d.travel_minutes for d in result.days) == pytest.approx(800, abs=4)  # two round trips


def test_a_dealer_beyond_any_day_trip_is_reached_only_by_a_tour() -> None:
    far = {"FAR": _east(300.0)}  # 300 + 60 + 300 = 660 min > 510: no day trip
    off = _schedule(_scenario(far, None), {"FAR": ONE})
    assert not off.visits and [d.kind for d in off.dropped] == ["reach"]
    on = _schedule(_scenario(far, ["mon", "tue", "wed", "thu"]), {"FAR": ONE})
    assert len(on.visits) == 1 and not on.dropped
    assert sum(1 for d in on.days if d.night) == 1


def test_the_checker_rejects_broken_tours() -> None:
    scenario = _scenario(CLUSTER, ["mon", "tue", "wed", "thu"])
    data = compile_scenario(scenario)
    result = run_schedule(data, OPTIONS, visits_per_month={"F1": ONE, "F2": ONE})
    night = next(d for d in result.days if d.night)
    days = list(result.days)

    def broken(change: dict[str, object], day: object = night) -> tuple[str, ...]:
        edited = [replace(d, **change) if d is day else d for d in days]  # type: ignore[arg-type]
        return check_schedule(data, replace(result, days=tuple(edited))).violations

    friday = replace(night, date=dt.date(2026, 4, 10))
    assert any("does not allow" in v for v in check_schedule(
        data, replace(result, days=tuple(friday if d is night else d for d in days))).violations)  # fmt: skip
    assert any("the next day starts" in v or "no night was spent" in v for v in broken({"end_place": "F1"}))
    home_day = next(d for d in days if d.start_place)
    assert any("where no night was spent" in v or "the next day starts" in v
               for v in broken({"start_place": "F2"}, home_day))  # fmt: skip
    assert any("ends at" in v for v in broken({"night": ""}))  # ends away, but no night said
    off = replace(data, overnight=None)
    assert any("overnight trips are off" in v for v in check_schedule(off, result).violations)
    strict = replace(data, overnight=replace(data.overnight, max_nights_per_week=0, max_nights_in_a_row=0))
    found = check_schedule(strict, result).violations
    assert any("nights away in week" in v for v in found) and any("in a row" in v for v in found)


def test_the_kept_tours_tell_the_call_plan_how_many_visits_they_hold() -> None:
    # one 2-day tour for the cluster: each account's visits are capped at the tours built for it
    toured = _schedule(_scenario(CLUSTER, ["mon", "tue", "wed", "thu"]), {"F1": ONE, "F2": ONE})
    assert dict(toured.toured) == {"F1": ("R1", 1), "F2": ("R1", 1)}
    plain = _schedule(_scenario(CLUSTER, ["fri"]), {"F1": ONE, "F2": ONE})
    assert not plain.toured  # no tour kept: nothing to cap


def test_a_tour_too_short_for_its_cluster_is_made_a_day_longer() -> None:
    # six dealers 220–232 km out (beyond a day trip: 440 min of driving and a 90-min visit exceed 510),
    # in three pairs 60 km apart. The tour's estimate (nearest-neighbour hops of 3 min) gives 2 days:
    # 6 × 93 + 2 × 220 = 998 ≤ 1020 minutes; the route itself needs about 440 + 540 + 2 × 60 + 9 =
    # 1109, so two days hold four visits, and three days hold all six
    pairs = {
        "P1": _east(220.0), "P2": _east(223.0), "P3": _east(220.0, 60.0), "P4": _east(223.0, 60.0),
        "P5": _east(220.0, -60.0), "P6": _east(223.0, -60.0),
    }  # fmt: skip
    scenario = _scenario(pairs, ["mon", "tue", "wed", "thu"])
    scenario = scenario.model_copy(
        update={"accounts": tuple(a.model_copy(update={"visit_minutes": 90}) for a in scenario.accounts)}
    )
    result = _schedule(scenario, {a: ONE for a in pairs})
    assert len(result.visits) == 6 and not result.dropped
    away = [d for d in result.days if d.start_place or d.end_place]
    assert len(away) == 3 and sum(1 for d in away if d.night) == 2  # one tour of three days, two nights
