"""Tours in what planners get ("Overnight trips"): days.csv's tour columns, the night's calendar event and
its cancellation, travel legs as busy time (--travel-blocks), the tour KPIs and the total value net of
the hotel cost, and compare's rows.

No code plans nights yet, so the tiny scenario of the reliability tests is planned once and a night is
put into its schedule by hand: rep R3 works on Monday 2026-04-06 and Tuesday 2026-04-07, and spends the
night between them at a listed overnight place (P1, 360 a night with the per diem). The plan without the
night is the one the schedule made: its outputs must be those of before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pandas as pd
import pytest
import vobject

import salesplan
from salesplan.cli.writers.calendar import plan_calendar
from salesplan.cli.writers.calendar_previous import read_previous
from salesplan.cli.writers.calendar_tours import night_id
from salesplan.cli.writers.plan import write_plan
from salesplan.optimizer.outcome import outcome
from salesplan.optimizer.overnight import OvernightPlace
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule.result import DayPlan
from salesplan.pipeline import PlanResult, summarise
from salesplan.whatif import PlanOutcome, kpi_frame

from .conftest import run_cli
from .test_one_plan import recomputed_value
from .test_reliability import write_tiny

REP, MONDAY, TUESDAY = "R3", dt.date(2026, 4, 6), dt.date(2026, 4, 7)
PLACE = OvernightPlace("P1", "沂水宾馆", 39.95, 116.45, 260.0)
COST = 360.0  # the place's hotel and a per diem of 100
OLD_DAY_COLUMNS = [
    "rep", "date", "visits", "leave_home", "back_home", "lunch_start", "lunch_end", "travel_minutes",
    "visit_minutes", "wait_minutes", "day_minutes",
]  # fmt: skip
TOUR_COLUMNS = ["start_place", "end_place", "night", "night_cost"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("tiny") / "scenario")


@pytest.fixture(scope="module")
def base(tiny: Path) -> PlanResult:
    return salesplan.plan(salesplan.load(str(tiny)))


def with_night(result: PlanResult, cost: float = COST) -> PlanResult:
    """``result`` with R3's night after Monday at P1 (the place added to the scenario's facts), figures
    and summary recomputed as the pipeline makes them."""
    data = dataclasses.replace(result.data, overnight_places=(PLACE,))

    def toured(day: DayPlan) -> DayPlan:
        if (day.rep_id, day.date) == (REP, MONDAY):
            return dataclasses.replace(day, end_place=PLACE.id, night=PLACE.name, night_cost=cost)
        if (day.rep_id, day.date) == (REP, TUESDAY):
            return dataclasses.replace(day, start_place=PLACE.id)
        return day

    schedule = dataclasses.replace(result.schedule, days=tuple(toured(d) for d in result.schedule.days))
    plan = dataclasses.replace(result.plan, data=data, schedule=schedule)
    summary = summarise(plan, SolverOptions(60.0, 1e-4, 7), outcome(plan))
    return PlanResult(result.scenario, data, plan, summary, result.runtime_seconds)


@pytest.fixture(scope="module")
def toured(base: PlanResult) -> PlanResult:
    assert {(d.rep_id, d.date) for d in base.schedule.days} >= {(REP, MONDAY), (REP, TUESDAY)}
    return with_night(base)


def written(result: PlanResult, folder: Path, **options: Any) -> Path:
    write_plan(result, folder, timings=False, **options)
    return folder


def events(path: Path) -> list[icalendar.Event]:
    """The VEVENTs of a calendar file, checked to be read alike by vobject."""
    ours = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    theirs = [e for c in vobject.readComponents(path.read_text("utf-8")) for e in c.vevent_list]
    assert [str(e["uid"]) for e in ours] == [e.uid.value for e in theirs]
    assert [e.decoded("dtstart") for e in ours] == [e.dtstart.value for e in theirs]
    return list(ours)


def kind(event: icalendar.Event) -> str:
    return str(event.get("x-salesplan-kind", ""))


# days.csv and plan.xlsx --------------------------------------------------------------------------------


def test_days_csv_has_the_tour_columns_after_the_old_ones(
    base: PlanResult, toured: PlanResult, tmp_path: Path
) -> None:
    before = pd.read_csv(written(base, tmp_path / "base") / "days.csv", dtype=str, keep_default_na=False)
    assert list(before.columns) == OLD_DAY_COLUMNS + TOUR_COLUMNS
    assert (before[TOUR_COLUMNS[:3]] == "").all().all() and (before["night_cost"].astype(float) == 0).all()
    after = pd.read_csv(written(toured, tmp_path / "toured") / "days.csv", dtype=str, keep_default_na=False)
    assert after[OLD_DAY_COLUMNS].equals(before[OLD_DAY_COLUMNS])  # what scripts read stays as it was
    day = after.set_index(["rep", "date"])
    assert list(day.loc[(REP, MONDAY.isoformat()), TOUR_COLUMNS]) == ["", PLACE.id, PLACE.name, "360.0"]
    assert list(day.loc[(REP, TUESDAY.isoformat()), TOUR_COLUMNS]) == [PLACE.id, "", "", "0.0"]
    sheet = openpyxl.load_workbook(tmp_path / "toured" / "plan.xlsx", read_only=True)["Days"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == OLD_DAY_COLUMNS + TOUR_COLUMNS


# Calendars --------------------------------------------------------------------------------------------


def test_a_night_is_one_busy_event_from_the_days_end_to_the_next_morning(
    base: PlanResult, toured: PlanResult, tmp_path: Path
) -> None:
    plain = events(written(base, tmp_path / "base") / "calendar" / f"{REP}.ics")
    assert not any(kind(e) for e in plain)  # without nights, no event but visits and work
    found = events(written(toured, tmp_path / "toured") / "calendar" / f"{REP}.ics")
    assert [str(e["uid"]) for e in found if not kind(e)] == [str(e["uid"]) for e in plain]
    nights = [e for e in found if kind(e) == "night"]
    assert len(nights) == 1 and len(found) == len(plain) + 1
    night = nights[0]
    monday = next(d for d in toured.schedule.days if (d.rep_id, d.date) == (REP, MONDAY))
    start, end = night.decoded("dtstart"), night.decoded("dtend")
    assert (
        start.utcoffset() == dt.timedelta(hours=8) and night.get("dtstart").params["TZID"] == "Asia/Shanghai"
    )
    assert (start.date(), start.hour * 60 + start.minute) == (MONDAY, monday.back)
    assert (end.date(), end.hour * 60 + end.minute) == (TUESDAY, toured.data.horizon.day_start)
    assert str(night["summary"]) == f"Overnight: {PLACE.name}" and PLACE.name in str(night["location"])
    assert str(night["uid"]) == night_id(REP, MONDAY) and int(night["sequence"]) == 0
    assert str(night["transp"]) == "OPAQUE" and "360" in str(night["description"])
    assert str(night["x-salesplan-rep"]) == REP and "x-salesplan-account" not in night
    assert tuple(night.decoded("geo")) == (PLACE.lat, PLACE.lon)


def test_a_night_that_goes_away_is_cancelled_and_one_that_stays_keeps_its_uid(
    base: PlanResult, toured: PlanResult, tmp_path: Path
) -> None:
    before = written(toured, tmp_path / "toured")
    # the same plan again: the night stays as it was
    again = write_plan(toured, tmp_path / "again", timings=False, previous=read_previous(before))
    assert again.counts(kind="night") == {"unchanged": 1, "cancelled": 0} and not again.cancelled
    # another cost: the same night, updated
    dearer = plan_calendar(with_night(base, 420.0).schedule, toured.data, read_previous(before))
    assert [(t.uid, t.change, t.sequence) for t in dearer.tours] == [(night_id(REP, MONDAY), "updated", 1)]
    # the night goes away: cancelled in R3's cancel file, with no visit or work block
    home = write_plan(base, tmp_path / "home", timings=False, previous=read_previous(before))
    assert home.counts(kind="night") == {"cancelled": 1}
    assert home.counts() == {"unchanged": len(base.schedule.visits), "cancelled": 0}
    assert home.counts(work=True).get("cancelled") == 0
    files = sorted((tmp_path / "home" / "calendar").glob("*.cancel.ics"))
    assert [p.name for p in files] == [f"{REP}.cancel.ics"]
    calendars = list(vobject.readComponents(files[0].read_text("utf-8")))
    assert [c.method.value for c in calendars] == ["CANCEL"]
    (gone,) = calendars[0].vevent_list
    assert (gone.uid.value, int(gone.sequence.value), gone.status.value) == (
        night_id(REP, MONDAY),
        1,
        "CANCELLED",
    )
    assert gone.x_salesplan_kind.value == "night"
    changes = pd.read_csv(tmp_path / "home" / "calendar" / "changes.csv", dtype=str, keep_default_na=False)
    assert night_id(REP, MONDAY) not in set(changes["visit_id"]) and len(changes) == len(base.schedule.visits)


def test_travel_blocks_only_when_asked_for_one_busy_event_per_leg(
    tiny: Path, toured: PlanResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `plan` (the chain replaced by the plan with the night): no travel events without
    --travel-blocks; with it, each day's travel minutes as busy events within the day, never during a
    visit, work or lunch; issued again without it, they are cancelled."""
    import salesplan.pipeline

    monkeypatch.setattr(salesplan.pipeline, "plan", lambda *args, **kwargs: toured)
    code, output = run_cli("plan", str(tiny), "-o", str(tmp_path / "off"), "--no-timings")
    assert code == 0, output
    assert not [
        e for p in (tmp_path / "off" / "calendar").glob("*.ics") for e in events(p) if kind(e) == "travel"
    ]
    code, output = run_cli("plan", str(tiny), "-o", str(tmp_path / "on"), "--no-timings", "--travel-blocks")
    assert code == 0, output
    days = pd.read_csv(tmp_path / "on" / "days.csv", dtype=str, keep_default_na=False)
    for rep in sorted(set(days["rep"])):
        found = events(tmp_path / "on" / "calendar" / f"{rep}.ics")
        busy = [(e.decoded("dtstart"), e.decoded("dtend")) for e in found if not kind(e)]
        legs = [e for e in found if kind(e) == "travel"]
        assert {str(e["summary"]) for e in legs} == {"Travel"} and {str(e["transp"]) for e in legs} == {
            "OPAQUE"
        }
        for row in days[days["rep"] == rep].itertuples():
            mine = [
                (e.decoded("dtstart"), e.decoded("dtend"))
                for e in legs
                if e.decoded("dtstart").date().isoformat() == row.date
            ]
            assert sum((b - a).total_seconds() / 60 for a, b in mine) == int(row.travel_minutes)
            assert all(f"{a:%H:%M}" >= row.leave_home and f"{b:%H:%M}" <= row.back_home for a, b in mine)
            assert not [1 for a, b in mine for c, d in busy if a < d and c < b]  # no drive during a visit
            if row.lunch_start:
                assert all(f"{b:%H:%M}" <= row.lunch_start or f"{a:%H:%M}" >= row.lunch_end for a, b in mine)
    # issued again without the flag over the plan with travel: the travel events are cancelled
    code, output = run_cli(
        "plan", str(tiny), "-o", str(tmp_path / "after"), "--no-timings", "--previous", str(tmp_path / "on")
    )
    assert code == 0 and "travel legs: 0 unchanged" in output and "nights away: 1 unchanged" in output, output
    cancelled = [e for p in (tmp_path / "after" / "calendar").glob("*.cancel.ics") for e in events(p)]
    assert cancelled and {kind(e) for e in cancelled} == {"travel"}
    code, output = run_cli("schedule", "--help")
    assert code == 0 and "--travel-blocks" in output


# Figures ----------------------------------------------------------------------------------------------


def test_nights_and_hotel_cost_are_kpis_and_come_off_the_total_value(
    base: PlanResult, toured: PlanResult
) -> None:
    keys = [k.key for k in base.summary.kpis]
    assert "nights" not in keys and "hotel_cost" not in keys  # a plan without nights: the figures of before
    assert toured.data.horizon.months == base.data.horizon.months
    months = base.data.horizon.months
    after = {k.key: k for k in toured.summary.kpis}
    assert [k.key for k in toured.summary.kpis] == [
        *keys[: keys.index("travel_hours") + 1], "nights", "hotel_cost", *keys[keys.index("travel_hours") + 1 :]
    ]  # fmt: skip
    assert (after["nights"].planned, after["hotel_cost"].planned, after["hotel_cost"].unit) == (
        1.0,
        COST,
        base.data.currency,
    )
    value = base.summary.kpi("total_value").planned
    assert after["total_value"].planned == pytest.approx(value - COST / months, abs=0.01)
    assert "hotel" in after["total_value"].name and "hotel" not in base.summary.kpi("total_value").name
    for k in base.summary.kpis:  # nothing else moves
        if k.key != "total_value":
            assert (after[k.key].planned, after[k.key].current) == (k.planned, k.current), k.key
    assert toured.outcome.value == pytest.approx(recomputed_value(toured), rel=1e-9)
    assert base.outcome.value == pytest.approx(recomputed_value(base), rel=1e-9)
    assert "1 night away, hotel and per diem 360" in toured.schedule.summary()
    assert toured.schedule.to_dict()["hotel_cost"] == COST and "nights" not in base.schedule.to_dict()


def test_compare_shows_nights_and_hotel_cost_when_one_plan_has_them(
    base: PlanResult, toured: PlanResult
) -> None:
    alone = kpi_frame([PlanOutcome("a", base), PlanOutcome("b", base)])
    assert list(alone["key"]) == [k.key for k in base.summary.kpis]
    both = kpi_frame([PlanOutcome("home", base), PlanOutcome("tours", toured)]).set_index("key")
    assert list(both.index) == [k.key for k in toured.summary.kpis]
    assert list(both.loc["nights", ["home", "tours", "tours − home"]]) == [0.0, 1.0, 1.0]
    assert list(both.loc["hotel_cost", ["home", "tours", "tours − home"]]) == [0.0, COST, COST]
    value = both.loc["total_value"]
    assert value["tours − home"] == pytest.approx(-COST / base.data.horizon.months, abs=0.01)


def test_a_drive_is_packed_around_the_lunch_break() -> None:
    """Hand-checked: the rep leaves when free (or arrives at the day's end at its time), and a lunch break
    inside the drive splits it."""
    from salesplan.cli.writers.calendar_tours import _packed

    assert _packed(0, 130, 40, None, False) == [(0, 40)]
    assert _packed(0, 130, 40, (50, 110), False) == [(0, 40)]
    assert _packed(0, 130, 60, (50, 110), False) == [(0, 50), (110, 120)]
    assert _packed(0, 130, 60, (50, 110), True) == [(10, 50), (110, 130)]
    assert _packed(0, 200, 60, (20, 80), True) == [(140, 200)]
