"""Scenario loading: the bundled examples, `extends`, encodings, XLSX, and where rows came from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from salesplan.scenarios import ScenarioError, inspect_scenario, load_scenario

from .conftest import EXAMPLE_NAMES, EXAMPLES


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_bundled_example_is_valid(name: str) -> None:
    report = inspect_scenario(EXAMPLES / name)
    assert report.errors == []
    assert report.scenario is not None
    assert report.scenario.accounts and report.scenario.reps


def test_example_sizes_match_their_story() -> None:
    bank = load_scenario(EXAMPLES / "bank-key-accounts")
    assert len(bank.accounts) == 45 and len(bank.reps) == 20
    assert sum(r.monthly_hours for r in bank.reps) == pytest.approx(3200)  # 9,600 h a quarter
    values = sorted((a.current_sales * (a.margin or 0) for a in bank.accounts), reverse=True)
    assert sum(values[:10]) / sum(values) > 0.5  # the ten largest carry most of the value
    dealers = load_scenario(EXAMPLES / "dealer-network")
    assert 250 <= len(dealers.accounts) <= 350 and len(dealers.reps) == 12 and len(dealers.region_ids) == 4
    assert all(a.is_dealer for a in dealers.accounts)
    electronics = load_scenario(EXAMPLES / "electronics-distributor")
    assert 1800 <= len(electronics.accounts) <= 2200 and len(electronics.reps) == 20
    assert {a.segment for a in electronics.accounts} == {"tech-complex", "service", "general"}
    assert {o.type for o in electronics.opportunities} == {
        "upsell",
        "cross_sell",
        "price_mix",
        "new_customer",
        "prune",
    }
    assert electronics.horizon.weeks == 13


def test_two_reps_fewer_differs_from_its_base_in_exactly_the_two_reps() -> None:
    base = load_scenario(EXAMPLES / "dealer-network")
    what_if = load_scenario(EXAMPLES / "dealer-network-two-reps-fewer")
    assert what_if.removed_reps == ("R04", "R06")
    assert [r for r in base.reps if r.id not in {"R04", "R06"}] == list(what_if.reps)
    assert len(base.reps) - len(what_if.reps) == 2
    skip = {"name", "description", "source", "reps", "removed_reps"}
    same, changed = base.model_dump(exclude=skip), what_if.model_dump(exclude=skip)
    assert changed["policy"]["travel"]["overnight"]["enabled"]  # tours too: like against like
    assert same == changed


def test_gb18030_names_survive_loading() -> None:
    dealers = load_scenario(EXAMPLES / "dealer-network")
    raw = (EXAMPLES / "dealer-network" / "dealers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the file really is GB18030, as Chinese Excel writes it
    assert dealers.accounts[0].name == raw.decode("gb18030").splitlines()[1].split(",")[1]
    assert any("饲料" in a.name for a in dealers.accounts)


def test_utf8_with_bom_and_semicolons_load(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(Path(__file__).parent / "broken" / "_valid", folder)
    text = (folder / "accounts.csv").read_text(encoding="utf-8").replace(",", ";")
    (folder / "accounts.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    scenario = load_scenario(folder)
    assert scenario.account_by_id["A1"].name == "北京华联"


def test_xlsx_sheet_is_read() -> None:
    bank = load_scenario(EXAMPLES / "bank-key-accounts")
    assert bank.accounts[0].id == "KA001" and bank.accounts[0].name.startswith("上海")
    assert bank.origin("accounts", "KA003") == ("accounts.xlsx#KeyAccounts", 4)


def test_extends_adds_replaces_and_resolves_paths_relative_to_each_file(tmp_path: Path) -> None:
    base = tmp_path / "base"
    shutil.copytree(Path(__file__).parent / "broken" / "_valid", base)
    child = tmp_path / "what-if" / "deeper"
    child.mkdir(parents=True)
    (child / "more-reps.csv").write_text(
        "id,name,region,home_lat,home_lon,hours_per_week\nR4,New,South,31.2,121.5,38\n", encoding="utf-8"
    )
    (child / "scenario.yaml").write_text(
        "extends: ../../base/scenario.yaml\n"
        "name: more reps\n"
        "add: {reps: more-reps.csv}\n"
        "remove: {accounts: [A6]}\n"
        "policy: {balance: {workload_tolerance: 0.3}}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child)
    assert [r.id for r in scenario.reps] == ["R1", "R2", "R3", "R4"]
    assert "A6" not in scenario.account_by_id
    assert scenario.policy.balance.workload_tolerance == 0.3
    assert scenario.policy.tiers.visits["A"].min == 2  # inherited
    assert scenario.origin("reps", "R4")[1] == 2 and scenario.origin("reps", "R4")[0].endswith(
        "more-reps.csv"
    )


def test_load_scenario_raises_with_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    shutil.copytree(Path(__file__).parent / "broken" / "_valid", folder)
    text = (folder / "accounts.csv").read_text(encoding="utf-8")
    text = text.replace("39.91,116.41", "99,116.41").replace("400000,500000", "x,500000")
    (folder / "accounts.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    fields = {(p.row, p.field) for p in caught.value.errors}
    assert {(2, "lat"), (3, "current_sales")} <= fields


def test_horizon_working_days_skip_weekends_and_holidays() -> None:
    bank = load_scenario(EXAMPLES / "bank-key-accounts")
    days = bank.horizon.working_days()
    assert len(days) == 13 * 5 - 5  # five Spring Festival weekdays off
    assert all(d.weekday() < 5 for d in days)
