"""`salesplan territories` through click's CliRunner: files, columns, determinism, exit code 3."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from salesplan.cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
FILES = ["changes.csv", "map.html", "territories.csv", "territory_summary.csv"]

REPS = """id,name,region,home_lat,home_lon,hours_per_week
R1,王伟,N,31.20,121.40,40
R2,李娜,N,31.20,121.60,40
"""
ACCOUNTS = """id,name,region,lat,lon,current_sales,tier,visit_minutes,current_rep,current_visits_per_month
A1,华东机电,N,31.21,121.41,4000000,A,60,R1,8
B1,申城贸易,N,31.22,121.45,1500000,B,60,R1,1
B2,浦江电子,N,31.19,121.58,1500000,B,60,R2,1
"""
YAML = """name: tiny
tables: {reps: reps.csv, accounts: accounts.csv}
horizon: {start: 2026-01-05}
policy:
  tiers: {method: given}
  balance: {workload_tolerance: 0.1, potential_tolerance: null}
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_dealer_network_writes_the_four_files_with_the_issue_columns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = invoke(
        "territories", str(EXAMPLES / "dealer-network"), "-o", str(out), "--time-limit", "10"
    )
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == FILES
    territories = pd.read_csv(out / "territories.csv", keep_default_na=False)
    assert list(territories.columns[:6]) == ["account", "region", "rep", "territory", "moved", "reason"]
    assert len(territories) == 300 and territories["account"].is_unique
    changes = pd.read_csv(out / "changes.csv", keep_default_na=False)
    assert list(changes.columns) == ["account", "from_rep", "to_rep", "reason"]
    assert len(changes) > 0 and (changes["reason"] != "").all()
    summary = pd.read_csv(out / "territory_summary.csv")
    for column in ("territory", "region", "rep", "accounts", "workload_hours", "workload_deviation_pct",
                   "potential", "potential_deviation_pct", "travel_estimate_hours"):  # fmt: skip
        assert column in summary.columns
    assert len(summary) == 12 and summary["workload_deviation_pct"].abs().max() <= 15.0 + 1e-6
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "济南东农资商行" in html and "moved accounts" in html
    for region in ("SD", "HA", "HE", "JS"):
        assert f"region {region}" in output
    assert "largest deviation" in output and "bound" in output and "gap" in output


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    scenario = str(EXAMPLES / "dealer-network-two-reps-fewer")
    assert invoke("territories", scenario, "-o", str(tmp_path / "a"), "--time-limit", "10")[0] == 0
    assert invoke("territories", scenario, "-o", str(tmp_path / "b"), "--time-limit", "10")[0] == 0
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_json_summary(tmp_path: Path) -> None:
    scenario = str(EXAMPLES / "dealer-network-two-reps-fewer")
    result = CliRunner().invoke(cli, ["territories", scenario, "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == ["territories.csv", "territory_summary.csv", "changes.csv", "map.html"]
    assert [r["region"] for r in data["regions"]] == ["SD", "HA", "HE", "JS"]
    # forced: 37 accounts of the two reps who left, 3 across a region border, and the ones out of reach
    territories = pd.read_csv(tmp_path / "o" / "territories.csv", dtype=str, keep_default_na=False)
    reach = territories["moved"].eq("True") & territories["reason"].str.contains(
        "cannot reach it in a day trip"
    )
    assert reach.sum() > 0
    assert sum(r["forced_moves"] for r in data["regions"]) == 40 + reach.sum()


def test_unmeetable_tolerance_exits_3_with_the_smallest_tolerance_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "reps.csv").write_text(REPS, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "scenario.yaml").write_text(YAML, encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("territories", str(folder), "-o", str(out))
    assert code == 3, output
    assert "tolerance" in output and "region N" in output
    assert not out.exists()
