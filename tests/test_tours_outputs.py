"""Tours in what planners get ("Overnight trips"): days.csv's tour columns, the tour KPIs and the total
value net of the hotel cost, and compare's rows.

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

import openpyxl
import pandas as pd
import pytest

import salesplan
from salesplan.cli.writers.plan import write_plan
from salesplan.optimizer.outcome import outcome
from salesplan.optimizer.overnight import OvernightPlace
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.schedule.result import DayPlan
from salesplan.pipeline import PlanResult, summarise
from salesplan.whatif import PlanOutcome, kpi_frame

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
