"""`salesplan allocate` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from salesplan.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"

REPS = """id,name,region,home_lat,home_lon,hours_per_month,selling_share,cost_per_hour
R1,王伟,N,31.2,121.4,10,1.0,200
"""
ACCOUNTS = """id,name,region,lat,lon,current_sales,tier,visit_minutes,current_rep,current_visits_per_month
A1,华东机电,N,31.2,121.4,4000000,A,120,R1,2
B1,申城贸易,N,31.2,121.4,1500000,B,90,R1,2
"""
YAML = """name: tiny
tables: {reps: reps.csv, accounts: accounts.csv}
horizon: {start: 2026-01-05}
policy:
  tiers:
    method: given
    visits: {A: {min: MIN_A, max: 5}, B: {min: 1, max: 4}}
  response: {max_visits_per_month: 5}
"""


def tiny(folder: Path, min_a: int) -> Path:
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "scenario.yaml").write_text(YAML.replace("MIN_A", str(min_a)), encoding="utf-8")
    return folder


def test_bank_example_writes_the_four_files_with_the_issue_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["allocate", str(EXAMPLES / "bank-key-accounts"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "reps.csv", "sizing.csv", "sizing.png"]
    allocation = pd.read_csv(out / "allocation.csv")
    assert list(allocation.columns[:6]) == [
        "account",
        "rep",
        "visits_per_month",
        "expected_sales",
        "profit",
        "reason",
    ]
    assert len(allocation) == 45 and allocation["reason"].notna().all()
    reps = pd.read_csv(out / "reps.csv")
    assert {"rep", "region", "hours_available", "hours_used", "shadow_price"} <= set(reps.columns)
    assert (reps["hours_used"] <= reps["hours_available"] + 1e-9).all()
    sizing = pd.read_csv(out / "sizing.csv")
    assert sizing["recommended"].sum() == 1 and sizing["current"].sum() == 1
    assert (out / "sizing.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "current plan" in result.output and "optimised" in result.output


def test_same_scenario_gives_byte_identical_files(tmp_path: Path) -> None:
    scenario = tiny(tmp_path / "s", 2)
    runner = CliRunner()
    for name in ("a", "b"):
        assert runner.invoke(cli, ["allocate", str(scenario), "-o", str(tmp_path / name)]).exit_code == 0
    for file in ("allocation.csv", "reps.csv", "sizing.csv", "sizing.png"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_json_summary(tmp_path: Path) -> None:
    scenario = tiny(tmp_path / "s", 2)
    result = CliRunner().invoke(cli, ["allocate", str(scenario), "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["solve"]["status"] == "optimal"
    assert summary["planned"]["hours_per_month"] <= 10.0
    assert summary["sizing"]["current"] == {"N": 1}


def test_infeasible_minimums_exit_3_and_write_nothing_when_strict(tmp_path: Path) -> None:
    # A1 needs 5 × 120 min and B1 1 × 90 min: 11.5 h against the rep's 10 h
    scenario = tiny(tmp_path / "s", 5)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["allocate", str(scenario), "-o", str(out), "--strict"])
    assert result.exit_code == 3
    assert "rep R1" in result.output and "1.5 hours per month" in result.output
    assert not out.exists()


def test_infeasible_minimums_give_the_plan_with_the_smallest_shortfall(tmp_path: Path) -> None:
    scenario = tiny(tmp_path / "s", 5)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["allocate", str(scenario), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "shortfall" in result.output and "1.5 hours per month" in result.output
    short = pd.read_csv(out / "shortfall.csv")
    assert set(short["rep"]) == {"R1"} and (short["visits_short"] > 0).all()
    allocation = pd.read_csv(out / "allocation.csv")
    assert allocation["visits_per_month"].notna().all()
