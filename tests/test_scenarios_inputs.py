"""Inputs as planners keep them (issue 16): Chinese headers and `columns:`, grouped numbers and
percentages, scenarios from DataFrames, make-up working days, and what-ifs that `update` cells or move
accounts between regions without losing their opportunities.

The scenario is the broken corpus's valid base (tests/broken/_valid) without balance limits: it plans in
well under a second once the solvers are compiled.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import salesplan
from salesplan.optimizer.data import compile_scenario
from salesplan.scenarios import Scenario, ScenarioError, inspect_scenario, load_scenario
from salesplan.scenarios.fields import parse_fraction, parse_number
from salesplan.scenarios.reader import split_sheet

from .conftest import EXAMPLES, run_cli

VALID = Path(__file__).parent / "broken" / "_valid"
HORIZON = {"start": "2026-04-06", "weeks": 2}
POLICY: dict[str, Any] = {
    "tiers": {"visits": {"A": {"min": 2, "max": 4}, "B": {"min": 1, "max": 3}, "C": {"min": 0, "max": 2}}},
    "balance": {"workload_tolerance": None, "potential_tolerance": None},
    "reassignment": {"max_moved_share": 1.0},
}
SETTINGS = """\
name: Inputs
horizon: {start: 2026-04-06, weeks: 2}
tables: {reps: reps.csv, accounts: accounts.csv, opportunities: opportunities.csv}
policy:
  tiers: {visits: {A: {min: 2, max: 4}, B: {min: 1, max: 3}, C: {min: 0, max: 2}}}
  balance: {workload_tolerance: null, potential_tolerance: null}
  reassignment: {max_moved_share: 1.0}
"""
PLAN_TABLES = ("allocation", "territories", "visits", "opportunities", "days")


def small(folder: Path) -> Path:
    shutil.copytree(VALID, folder)
    (folder / "scenario.yaml").write_text(SETTINGS, encoding="utf-8")
    return folder


def planned(scenario: Scenario) -> dict[str, pd.DataFrame]:
    result = salesplan.plan(scenario, seed=7, time_limit_seconds=30)
    return {name: result.frames[name].drop(columns=["name"], errors="ignore") for name in PLAN_TABLES}


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, dict[str, pd.DataFrame]]:
    scenario = load_scenario(small(tmp_path_factory.mktemp("english") / "s"))
    return scenario, planned(scenario)


def assert_same_plan(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in PLAN_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=False, obj=name)


# Must show 3 of issue 16 --------------------------------------------------------------------------------


def test_chinese_headers_and_grouped_numbers_validate_and_plan_as_the_english_twin(
    tmp_path: Path, english: tuple[Scenario, dict[str, pd.DataFrame]]
) -> None:
    folder = small(tmp_path / "zh")
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str)
    accounts = accounts.rename(
        columns={"id": "客户编号", "name": "名称", "region": "区域", "lat": "纬度", "lon": "经度"}
    ).rename(columns={"current_sales": "销售额", "potential": "潜力", "margin": "毛利率"})
    for column in ("销售额", "潜力"):
        accounts[column] = [f"{int(v):,}" for v in accounts[column]]  # 1,234,000
    accounts["毛利率"] = [f"{float(v):.0%}" for v in accounts["毛利率"]]  # 20%
    accounts = accounts.rename(columns={"visit_minutes": "时长"})
    accounts.to_csv(folder / "客户.csv", index=False, encoding="gb18030")
    (folder / "accounts.csv").unlink()
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "accounts: accounts.csv", "accounts: {file: 客户.csv, columns: {时长: visit_minutes}}"
    )
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    assert "1,200,000" in (folder / "客户.csv").read_text(encoding="gb18030")

    report = inspect_scenario(folder)
    assert report.problems == [], [str(p) for p in report.problems]
    assert report.scenario is not None
    base, base_plan = english
    assert report.scenario.accounts == base.accounts
    assert_same_plan(planned(report.scenario), base_plan)


def test_frames_scenario_plans_identically_to_its_file_twin(
    english: tuple[Scenario, dict[str, pd.DataFrame]],
) -> None:
    frames = {name: pd.read_csv(VALID / f"{name}.csv") for name in ("reps", "accounts", "opportunities")}
    scenario = salesplan.Scenario.from_frames(**frames, horizon=HORIZON, policy=POLICY, name="Inputs")
    base, base_plan = english
    skip = {"source", "name"}
    assert scenario.model_dump(exclude=skip) == base.model_dump(exclude=skip)
    assert_same_plan(planned(scenario), base_plan)


def test_frames_give_the_messages_of_the_file(tmp_path: Path) -> None:
    frames = {name: pd.read_csv(VALID / f"{name}.csv") for name in ("reps", "accounts")}
    frames["reps"].loc[1, "hours_per_week"] = -1
    frames["accounts"] = frames["accounts"].rename(columns={"potential": "潜力"})
    frames["accounts"]["潜力"] = frames["accounts"]["潜力"].astype(str)
    frames["accounts"].loc[2, "潜力"] = "1,5"
    with pytest.raises(ScenarioError) as caught:
        salesplan.Scenario.from_frames(**frames, horizon=HORIZON)
    shown = str(caught.value)
    assert "reps:3:hours_per_week: hours_per_week = -1" in shown
    assert "accounts:4:潜力: 潜力 = '1,5': ambiguous number" in shown

    folder = small(tmp_path / "twin")
    frames["reps"].to_csv(folder / "reps.csv", index=False)
    frames["accounts"].to_csv(folder / "accounts.csv", index=False)
    from_file = {(p.row, p.field, p.advice) for p in inspect_scenario(folder).errors}
    assert from_file == {(p.row, p.field, p.advice) for p in caught.value.errors}  # the file quotes '-1'
    assert {p.file for p in inspect_scenario(folder).errors} == {"reps.csv", "accounts.csv"}


@pytest.mark.parametrize(
    ("text", "number"),
    [("1,234,000", 1234000), ("1,234.5", 1234.5), ("１，２３４", 1234), ("-12,000", -12000), ("17", 17)],
)
def test_grouped_numbers_are_read(text: str, number: float) -> None:
    assert float(parse_number(text)) == number


@pytest.mark.parametrize("text", ["1,5", "0,7", "1.234,5", "12,34,567", "1,2345"])
def test_ambiguous_commas_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ambiguous number"):
        parse_number(text)


def test_percentages_are_read_as_shares_only() -> None:
    assert parse_fraction("80%") == pytest.approx(0.8)
    assert parse_fraction("12.5 %") == pytest.approx(0.125)
    assert parse_fraction("0.8") == "0.8"
    with pytest.raises(ValueError, match="percentage is not allowed"):
        parse_number("80%")


def test_hash_picks_a_sheet_of_a_workbook_only() -> None:
    assert split_sheet("accounts.xlsx#Dealers") == ("accounts.xlsx", "Dealers")
    assert split_sheet("reps#v2.csv") == ("reps#v2.csv", None)
    assert split_sheet("data#2026/accounts.XLSX#Q2") == ("data#2026/accounts.XLSX", "Q2")


def test_make_up_working_days_are_working_days() -> None:
    scenario = load_scenario(VALID)
    sunday, holiday = dt.date(2026, 4, 12), dt.date(2026, 4, 9)
    changed = scenario.with_changes(
        horizon=scenario.horizon.model_copy(update={"workdays": (sunday,), "holidays": (holiday,)})
    )
    days = changed.horizon.working_days()
    assert sunday in days and holiday not in days
    assert len(days) == len(scenario.horizon.working_days())
    assert sunday in compile_scenario(changed).horizon.days


# Must show 4 of issue 16 --------------------------------------------------------------------------------


def test_copied_two_reps_fewer_validates(tmp_path: Path) -> None:
    target = tmp_path / "two-fewer"
    code, output = run_cli("examples", "dealer-network-two-reps-fewer", str(target))
    assert code == 0, output
    code, output = run_cli("validate", str(target))
    assert code == 0, output
    copied = load_scenario(target)
    assert copied.removed_reps == ("R04", "R06")
    skip = {"source"}
    assert copied.model_dump(exclude=skip) == load_scenario(
        EXAMPLES / "dealer-network-two-reps-fewer"
    ).model_dump(exclude=skip)


def _what_if(folder: Path, text: str, **files: str) -> Path:
    (folder / "base.yaml").write_text(SETTINGS, encoding="utf-8")
    (folder / "scenario.yaml").write_text("extends: base.yaml\nname: What-if\n" + text, encoding="utf-8")
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def _cells(scenario: Scenario) -> dict[tuple[str, str, str], Any]:
    return {
        (table, row.id, column): value
        for table in ("reps", "accounts", "opportunities")
        for row in getattr(scenario, table)
        for column, value in row.model_dump().items()
    }


def test_update_changes_exactly_the_updated_cells(tmp_path: Path) -> None:
    base = load_scenario(small(tmp_path / "base"))
    folder = _what_if(
        tmp_path / "base",
        "update:\n  reps:\n    R2: {hours_per_week: 30, selling_share: 60%}\n"
        "  accounts:\n    A4: {locked_rep: R2, potential: '150,000'}\n  opportunities: {O3: {probability: 0.9}}\n",
    )
    report = inspect_scenario(folder)
    assert report.problems == [], [str(p) for p in report.problems]
    assert report.scenario is not None
    before, after = _cells(base), _cells(report.scenario)
    assert before.keys() == after.keys()
    changed = {key: after[key] for key in after if after[key] != before[key]}
    assert changed == {
        ("reps", "R2", "hours_per_week"): 30,
        ("reps", "R2", "selling_share"): 0.6,
        ("accounts", "A4", "locked_rep"): "R2",
        ("accounts", "A4", "potential"): 150000,
        ("opportunities", "O3", "probability"): 0.9,
    }


def test_region_split_keeps_opportunities_and_history(tmp_path: Path) -> None:
    base = load_scenario(small(tmp_path / "base"))
    folder = _what_if(
        tmp_path / "base",
        "update: {accounts: east.csv, reps: {R2: {region: East}}}\n",
        **{"east.csv": "id,region\nA3,East\nA4,East\n"},
    )
    report = inspect_scenario(folder)
    assert report.errors == [], [str(p) for p in report.errors]
    split = report.scenario
    assert split is not None
    assert split.opportunities == base.opportunities
    assert [a.id for a in split.accounts if a.region == "East"] == ["A3", "A4"]
    assert {a.id: a.current_rep for a in split.accounts} == {a.id: a.current_rep for a in base.accounts}
    assert split.removed_reps == () and split.region_ids == ("East", "North", "South")


def test_remove_and_add_again_keeps_opportunities_and_no_rep_left(tmp_path: Path) -> None:
    base = load_scenario(small(tmp_path / "base"))
    moved_accounts = (VALID / "accounts.csv").read_text(encoding="utf-8").splitlines()
    east = "\n".join(
        [moved_accounts[0]] + [line.replace(",North,", ",East,") for line in moved_accounts[3:5]]
    )
    reps = (VALID / "reps.csv").read_text(encoding="utf-8").splitlines()
    east_rep = "\n".join([reps[0], reps[2].replace(",North,", ",East,")])
    folder = _what_if(
        tmp_path / "base",
        "remove: {accounts: [A3, A4], reps: [R2]}\nadd: {accounts: east.csv, reps: east-rep.csv}\n",
        **{"east.csv": east + "\n", "east-rep.csv": east_rep + "\n"},
    )
    report = inspect_scenario(folder)
    assert report.scenario is not None, [str(p) for p in report.errors]
    assert report.scenario.opportunities == base.opportunities
    assert report.scenario.removed_reps == ()
    warned = {p.field for p in report.warnings if "added again" in p.message}
    assert warned == {"remove.accounts", "remove.reps"}


def test_remove_of_an_account_says_what_happens_to_its_opportunities(tmp_path: Path) -> None:
    folder = _what_if(small(tmp_path / "base"), "remove:\n  accounts: [A1, A5]\n")
    report = inspect_scenario(folder)
    assert report.scenario is not None
    assert {o.account for o in report.scenario.opportunities} == {"A2"}
    said = sorted(str(p) for p in report.warnings)
    assert said[0].startswith("scenario.yaml:4:remove.accounts: warning: account 'A1' has 1 opportunity (O1)")
    assert "account 'A5' has 1 opportunity (O3): removed with it" in said[1]
