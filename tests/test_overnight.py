"""Overnight trips, the input side: the policy section, the overnight_places table, what PlanData carries,
and the warning of `salesplan validate` about accounts no day trip reaches."""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from salesplan.optimizer.data import PlanData, compile_scenario
from salesplan.optimizer.overnight import OvernightPlace, OvernightRules
from salesplan.optimizer.reach import check_reach
from salesplan.optimizer.schedule.problem import build_rep_problem
from salesplan.optimizer.travel import Place
from salesplan.scenarios import ScenarioError, inspect_scenario, load_scenario
from salesplan.scenarios.policy import OvernightPolicy, Policy

from .conftest import EXAMPLES, run_cli


# ---------------------------------------------------------------------------------------------- policy
def test_overnight_is_off_with_field_practice_defaults() -> None:
    policy = Policy().travel.overnight
    assert policy == OvernightPolicy()
    assert policy.enabled is False
    assert policy.nights == ("mon", "tue", "wed", "thu")
    assert (policy.min_drive_minutes, policy.max_detour_minutes) == (120, 30)
    assert (policy.max_nights_per_week, policy.max_nights_in_a_row) == (3, 2)
    assert (policy.hotel_cost, policy.per_diem) == (0, 0)


def test_overnight_reads_weekdays_as_planners_write_them() -> None:
    policy = OvernightPolicy.model_validate({"enabled": True, "nights": "周一;tue、Wednesday"})
    assert policy.nights == ("mon", "tue", "wed")


def test_overnight_nights_in_a_row_must_fit_the_week() -> None:
    with pytest.raises(
        ValidationError, match=r"max_nights_in_a_row \(3\) is above max_nights_per_week \(2\)"
    ):
        OvernightPolicy(max_nights_per_week=2, max_nights_in_a_row=3)
    assert OvernightPolicy(max_nights_per_week=0, max_nights_in_a_row=0).max_nights_in_a_row == 0


@pytest.mark.parametrize(
    "values",
    [
        {"max_nights_per_week": -1},
        {"max_nights_in_a_row": 1.5},
        {"hotel_cost": -1},
        {"per_diem": "lots"},
        {"min_drive_minutes": -10},
        {"max_detour_minutes": float("inf")},
        {"nights": ["mon", "funday"]},
        {"hotels": True},
    ],
)
def test_overnight_refuses_bad_values(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        OvernightPolicy.model_validate(values)


def test_overnight_keys_teach_in_the_schema() -> None:
    schema = Policy.model_json_schema()
    fields = schema["$defs"]["OvernightPolicy"]["properties"]
    assert set(fields) == {
        "enabled",
        "nights",
        "min_drive_minutes",
        "max_nights_per_week",
        "max_nights_in_a_row",
        "hotel_cost",
        "per_diem",
        "max_detour_minutes",
    }
    assert all(len(f.get("description", "")) > 30 for f in fields.values())


# ---------------------------------------------------------------------------------------------- table
BASE = Path(__file__).parent / "broken" / "_valid"
PLACES = "place_id,name,lat,lon,cost\nH1,城南宾馆,39.80,116.40,260\nH2,浦东商务酒店,31.20,121.60,\n"
OVERNIGHT_ON = "  travel:\n    overnight: {enabled: true, hotel_cost: 200, per_diem: 80}\n  balance:"


def scenario_folder(tmp_path: Path, places: str | None = PLACES, policy: str = OVERNIGHT_ON) -> Path:
    """The corpus base with an overnight_places table (overnight.csv) and overnight trips on."""
    folder = tmp_path / "scenario"
    shutil.copytree(BASE, folder)
    text = (folder / "scenario.yaml").read_text(encoding="utf-8").replace("  balance:", policy, 1)
    if places is not None:
        (folder / "overnight.csv").write_text(places, encoding="utf-8")
        text = text.replace("  reps: reps.csv", "  overnight_places: overnight.csv\n  reps: reps.csv", 1)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder


def test_overnight_places_load_with_their_origin(tmp_path: Path) -> None:
    report = inspect_scenario(scenario_folder(tmp_path))
    assert report.errors == [] and report.warnings == []
    scenario = report.scenario
    assert scenario is not None
    assert [(p.place_id, p.name, p.lat, p.lon, p.cost) for p in scenario.overnight_places] == [
        ("H1", "城南宾馆", 39.8, 116.4, 260.0),
        ("H2", "浦东商务酒店", 31.2, 121.6, None),
    ]
    assert scenario.origin("overnight_places", "H2") == ("overnight.csv", 3)
    # a place serves reps of every region
    assert scenario.restrict_to_regions(["South"]).overnight_places == scenario.overnight_places


def test_overnight_places_read_chinese_headers_and_workbooks(tmp_path: Path) -> None:
    import openpyxl

    folder = scenario_folder(tmp_path, places="编号,酒店名称,纬度,经度,房费\nH1,城南宾馆,39.80,116.40,260\n")
    assert load_scenario(folder).overnight_places[0].cost == 260
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["place_id", "name", "lat", "lon", "cost"], ["H1", "城南宾馆", 39.8, 116.4, None]):
        sheet.append(row)
    book.save(folder / "overnight.xlsx")
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    (folder / "scenario.yaml").write_text(text.replace("overnight.csv", "overnight.xlsx"), encoding="utf-8")
    assert load_scenario(folder).overnight_places[0].cost is None


def test_overnight_places_from_frames_name_the_table_and_row() -> None:
    import pandas as pd

    from salesplan.scenarios import inspect_frames

    def frame(name: str) -> pd.DataFrame:
        return pd.read_csv(BASE / f"{name}.csv")

    places = pd.DataFrame({"place_id": ["H1", "H1"], "lat": [39.8, 95.0], "lon": [116.4, 116.5]})
    report = inspect_frames(
        reps=frame("reps"),
        accounts=frame("accounts"),
        overnight_places=places,
        horizon={"start": "2026-04-06"},
    )
    assert [(p.file, p.row, p.field) for p in report.errors] == [("overnight_places", 3, "lat")]


@pytest.mark.parametrize(
    ("places", "where"),
    [
        ("place_id,name,lat,lon\nH1,a,39.8,116.4\nH1,b,39.9,116.4\n", ("overnight.csv", 2, "place_id")),
        ("place_id,name,lat,lon\nH1,a,39.8,116.4\nH2,b,39.9,-181\n", ("overnight.csv", 3, "lon")),
        ("place_id,name,lat,lon,cost\nH1,a,39.8,116.4,-1\n", ("overnight.csv", 2, "cost")),
        ("place_id,name,lat,lon,cost\nH1,a,39.8,116.4,二百\n", ("overnight.csv", 2, "cost")),
        ("place_id,name,lat,lon,cost\n,a,39.8,116.4,\n", ("overnight.csv", 2, "place_id")),
        ("place_id,name,lon\nH1,a,116.4\n", ("overnight.csv", 1, "lat")),
        ("place_id,name,lat,lon,stars\nH1,a,39.8,116.4,3\n", ("overnight.csv", 1, "stars")),
    ],
)
def test_bad_overnight_places_name_file_row_and_field(
    tmp_path: Path, places: str, where: tuple[str, int, str]
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_folder(tmp_path, places=places))
    assert where in [(p.file, p.row, p.field) for p in caught.value.errors]


def test_overnight_settings_that_cannot_take_effect_are_warned(tmp_path: Path) -> None:
    off = inspect_scenario(scenario_folder(tmp_path / "off", policy="  balance:"))
    assert [(p.file, p.row, p.field) for p in off.warnings] == [
        ("scenario.yaml", 6, "tables.overnight_places")
    ]
    friday = "  travel:\n    overnight:\n      enabled: true\n      nights: [thu, fri]\n  balance:"
    report = inspect_scenario(scenario_folder(tmp_path / "fri", policy=friday))
    assert [(p.row, p.field) for p in report.warnings] == [(20, "policy.travel.overnight.nights")]
    assert "fri evening is followed by sat" in report.warnings[0].message
    none = "  travel:\n    overnight:\n      enabled: true\n      max_nights_per_week: 0\n      max_nights_in_a_row: 0\n  balance:"
    report = inspect_scenario(scenario_folder(tmp_path / "none", policy=none))
    assert [(p.row, p.field) for p in report.warnings] == [
        (20, "policy.travel.overnight.max_nights_per_week")
    ]


# ---------------------------------------------------------------------------------------------- PlanData
def test_plan_data_has_no_overnight_rules_while_trips_are_off(tmp_path: Path) -> None:
    data = compile_scenario(load_scenario(scenario_folder(tmp_path, policy="  balance:")))
    assert data.overnight is None and data.overnight_places == ()
    assert compile_scenario(load_scenario(BASE)).overnight is None


def test_plan_data_carries_the_overnight_rules_and_places(tmp_path: Path) -> None:
    policy = (
        "  travel:\n    overnight: {enabled: true, nights: [wed, mon], min_drive_minutes: 90, max_nights_per_week: 2,"
        " max_nights_in_a_row: 1, hotel_cost: 200, per_diem: 80, max_detour_minutes: 20}\n  balance:"
    )
    data = compile_scenario(load_scenario(scenario_folder(tmp_path, policy=policy)))
    assert data.overnight == OvernightRules(
        nights=(0, 2),
        min_drive_minutes=90.0,
        max_nights_per_week=2,
        max_nights_in_a_row=1,
        hotel_cost=200.0,
        per_diem=80.0,
        max_detour_minutes=20.0,
    )
    assert data.overnight_places == (
        OvernightPlace("H1", "城南宾馆", 39.8, 116.4, 260.0),
        OvernightPlace("H2", "浦东商务酒店", 31.2, 121.6, 200.0),  # empty cost: the policy's hotel cost
    )
    assert data.overnight_places[0].place == Place("H1", 39.8, 116.4)
    rules = data.overnight
    assert [rules.allows_night(d) for d in range(7)] == [True, False, True, False, False, False, False]
    assert rules.beyond_day_trips(91) and not rules.beyond_day_trips(90)
    assert rules.night_cost(data.overnight_places[0]) == 340 and rules.night_cost() == 280
    assert len({rules, data.overnight_places[0]}) == 2  # hashable values


def test_plan_data_with_overnight_pickles_and_its_problems_hash_alike(tmp_path: Path) -> None:
    data = compile_scenario(load_scenario(scenario_folder(tmp_path / "on")))
    copy = pickle.loads(pickle.dumps(data, protocol=5))
    assert copy.overnight == data.overnight and copy.overnight_places == data.overnight_places
    off = compile_scenario(load_scenario(scenario_folder(tmp_path / "off", policy="  balance:")))

    def problem_bytes(plan_data: PlanData) -> bytes:
        rep = plan_data.reps[0]
        accounts = [a for a in plan_data.accounts if a.region == rep.region]
        visits = {a.id: 1.0 for a in accounts}
        return pickle.dumps(build_rep_problem(plan_data, rep, accounts, visits, visits), protocol=5)

    assert problem_bytes(data) == problem_bytes(copy)
    # places given while overnight trips are off change nothing the solvers see
    assert problem_bytes(off) == problem_bytes(compile_scenario(load_scenario(BASE)))


# ---------------------------------------------------------------------------------------------- validate
FAR = "A7,天津港贸易,North,39.13,117.20,300000,400000,0.2,60,R1\n"  # ~100 km from the North reps


def far_folder(tmp_path: Path, policy: str) -> Path:
    folder = scenario_folder(tmp_path, places=None, policy=policy)
    with (folder / "accounts.csv").open("a", encoding="utf-8") as accounts:
        accounts.write(FAR)
    return folder


def test_reach_check_lists_what_plan_data_cannot_reach_in_a_day(tmp_path: Path) -> None:
    data = compile_scenario(load_scenario(far_folder(tmp_path, OVERNIGHT_ON)))
    found = check_reach(data)
    assert [(u.region, [r.account_id for r in u.reaches], u.overnight, u.allowed) for u in found] == [
        ("North", ["A7"], "on", ("A7",))
    ]
    reach = found[0].farthest
    day_trips = data.reach(data.account_by_id["A7"], day_trips=True)
    assert reach == day_trips and reach.by == () and reach.nearest in ("R1", "R2")
    # for planning, a tour reaches it: no day trip of its region does, and nights away are allowed
    assert data.reach(data.account_by_id["A7"]).by
    assert any(data.reaches(r, data.account_by_id["A7"]) for r in data.reps)


def test_validate_warns_of_accounts_beyond_a_day_trip_while_overnight_is_off(tmp_path: Path) -> None:
    folder = far_folder(tmp_path, "  balance:")
    code, output = run_cli("validate", str(folder))
    assert code == 0, output
    line = next(x for x in output.splitlines() if "day trip" in x)
    assert re.fullmatch(
        r"\S*scenario\.yaml:\d+:policy\.travel\.overnight\.enabled: warning: region North: 1 account no rep "
        r"reaches in a day trip \(A7, nearest R[12], \d+ min one way\); overnight trips are off — set "
        r"policy\.travel\.overnight\.enabled: true to plan tours",
        line,
    ), line
    code, output = run_cli("validate", str(folder), "--json")
    found = json.loads(output)
    assert found["valid"] and found["unreachable"][0]["region"] == "North"
    assert found["unreachable"][0]["accounts"][0]["account"] == "A7"
    assert found["unreachable"][0]["accounts"][0]["overnight_allowed"] is False
    assert found["unreachable"][0]["fixes"] == [
        {"action": "set", "target": "policy.travel.overnight.enabled", "value": True, "current": False}
    ]
    assert any("day trip" in p["message"] and p["severity"] == "warning" for p in found["problems"])


def test_validate_says_whether_nights_away_reach_them(tmp_path: Path) -> None:
    code, output = run_cli("validate", str(far_folder(tmp_path / "on", OVERNIGHT_ON)))
    assert code == 0 and "overnight trips are allowed for it (beyond 120 min one way)" in output, output
    near = "  travel:\n    overnight: {enabled: true, min_drive_minutes: 600}\n  balance:"
    code, output = run_cli("validate", str(far_folder(tmp_path / "near", near)), "--json")
    found = json.loads(output)["unreachable"][0]
    assert found["overnight"] == "on" and found["accounts"][0]["overnight_allowed"] is False
    minutes = found["accounts"][0]["minutes_one_way"]
    (fix,) = found["fixes"]
    assert fix["target"] == "policy.travel.overnight.min_drive_minutes" and fix["current"] == 600
    assert fix["value"] == minutes - 1  # the nearest lies beyond it
    message = next(p for p in json.loads(output)["problems"] if "day trip" in p["message"])
    assert "overnight trips are not allowed for 1 (A7) within 600 min one way" in message["message"]
    assert message["advice"].startswith("lower policy.travel.overnight.min_drive_minutes from 600 to ")
    assert message["field"] == "policy.travel.overnight.min_drive_minutes" and message["row"] == 17


# ---------------------------------------------------------------------------------------------- the example
def _dealers_touring(tmp_path: Path) -> Path:
    """A copy of the dealer network with its overnight trips on (whatever the example ships)."""
    folder = tmp_path / "dealer-network"
    shutil.copytree(EXAMPLES / "dealer-network", folder, ignore=shutil.ignore_patterns("plan", "actuals"))
    yaml = folder / "scenario.yaml"
    yaml.write_text(
        yaml.read_text(encoding="utf-8").replace("enabled: false", "enabled: true"), encoding="utf-8"
    )
    return folder


def test_dealer_network_tours_its_far_dealers_from_county_town_hotels(tmp_path: Path) -> None:
    scenario = load_scenario(_dealers_touring(tmp_path))
    data = compile_scenario(scenario)
    assert data.overnight == OvernightRules((0, 1, 2, 3), 120.0, 2, 2, 260.0, 100.0, 30.0)
    raw = (tmp_path / "dealer-network" / "overnight_places.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # GB18030, like the other tables of the example
    assert [p.name for p in data.overnight_places] == [p.name for p in scenario.overnight_places]
    far = [a for a in data.accounts if not data.reach(a, day_trips=True).by]
    minutes = data.travel_model.minutes([a.place for a in far], [p.place for p in data.overnight_places])
    detour = data.overnight.max_detour_minutes
    assert (minutes.min(axis=1) <= detour).mean() > 0.7  # most far dealers have a hotel close by
    assert (minutes.min(axis=0) <= detour).all()  # and every hotel serves some of them


def test_validate_on_the_dealer_network_says_nights_away_reach_every_far_dealer(tmp_path: Path) -> None:
    folder = _dealers_touring(tmp_path)
    code, output = run_cli("validate", str(folder))
    assert code == 0, output
    lines = [line for line in output.splitlines() if "day trip" in line]
    file, row = load_scenario(folder).setting_origin("policy", "travel", "overnight")
    assert file == "scenario.yaml" and row > 0  # the line of policy.travel.overnight
    assert lines == [
        f"{file}:{row}:policy.travel.overnight: warning: region {region}: {count} dealers no rep reaches "
        f"in a day trip ({far} … nearest {rep}, {minutes} min one way); overnight trips are allowed for all of "
        "them (beyond 120 min one way) — the schedule may plan tours with nights away to them "
        "(policy.travel.overnight)"
        for region, count, far, rep, minutes in (
            ("SD (山东大区)", 19, "D0079", "R01", 320),
            ("HA (河南大区)", 6, "D0119", "R05", 257),
            ("HE (河北大区)", 14, "D0199", "R10", 280),
        )
    ]
    code, output = run_cli("validate", str(folder), "--json")
    found = json.loads(output)["unreachable"]
    assert [(u["region"], len(u["accounts"])) for u in found] == [("SD", 19), ("HA", 6), ("HE", 14)]
    assert all(a["overnight_allowed"] for u in found for a in u["accounts"])
