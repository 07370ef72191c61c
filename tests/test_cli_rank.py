"""`salesplan rank` through click's CliRunner: every bundled example, outputs, determinism, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from salesplan.cli.main import cli
from salesplan.optimizer.opportunities.ranking import QUADRANTS

EXAMPLES = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
NAMES = ("bank-key-accounts", "dealer-network", "dealer-network-two-reps-fewer", "electronics-distributor")
FILES = {"accounts.csv", "opportunities.csv", "capacity.csv", "matrix.png"}


def rank(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rank", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("name", NAMES)
def test_every_bundled_example(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = rank(str(EXAMPLES / name), "-o", str(out))
    assert code == 0, output
    assert {p.name for p in out.iterdir()} == FILES
    assert "(median)" in output and "Portfolio: cp-sat: optimal" in output and "gap 0.000%" in output
    accounts = pd.read_csv(out / "accounts.csv", keep_default_na=False)
    for column in ("account", "name", "region", "tier", "score", "class", "reason"):
        assert column in accounts.columns
    assert (accounts["reason"] != "").all()
    opportunities = pd.read_csv(out / "opportunities.csv", keep_default_na=False)
    for column in ("rank", "expected_value", "quadrant", "selected", "reason", "size", "probability"):
        assert column in opportunities.columns
    assert opportunities["rank"].tolist() == list(range(1, len(opportunities) + 1))
    assert set(opportunities["quadrant"]) <= set(QUADRANTS)
    assert (opportunities["reason"] != "").all()
    capacity = pd.read_csv(out / "capacity.csv")
    assert (capacity["hours_used"] <= capacity["hours_available"] + 1e-9).all()
    chosen = opportunities[opportunities["selected"].astype(bool)]
    assert len(chosen) > 0
    used = chosen.groupby("rep")["effort_hours"].sum()
    available = capacity.set_index("rep")["hours_available"]
    assert all(used[r] <= available[r] + 1e-9 for r in used.index)
    assert (out / "matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_bytes_and_json_summary(tmp_path: Path) -> None:
    scenario = str(EXAMPLES / "dealer-network")
    assert rank(scenario, "-o", str(tmp_path / "a"))[0] == 0
    code, output = rank(scenario, "-o", str(tmp_path / "b"), "--json", "--capacity-by", "region")
    assert code == 0
    data = json.loads(output[output.index("{") :])
    assert data["portfolio"]["status"] == "optimal" and data["portfolio"]["capacity_by"] == "region"
    assert data["matrix"]["size_threshold_is_median"] is True
    assert sum(data["matrix"]["counts"].values()) == data["opportunities"]
    assert rank(scenario, "-o", str(tmp_path / "c"))[0] == 0
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name


def test_must_pursue_that_does_not_fit_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "reps.csv").write_text("id,region,home_lat,home_lon,hours_per_month\nR1,N,31.0,121.0,40\n")
    (tmp_path / "accounts.csv").write_text(
        "id,region,lat,lon,current_sales,current_rep\nA1,N,31.01,121.0,1000,R1\n"
    )
    (tmp_path / "opportunities.csv").write_text(
        "id,account,type,size,probability,effort_hours,must_pursue\n"
        "O1,A1,upsell,5000,0.5,80,true\nO2,A1,cross_sell,3000,0.5,20,false\n"
    )
    (tmp_path / "scenario.yaml").write_text(
        "name: tiny\n"
        "tables: {reps: reps.csv, accounts: accounts.csv, opportunities: opportunities.csv}\n"
        "horizon: {start: 2026-01-05}\n"
        "policy: {tiers: {visits: {A: {min: 0}, B: {min: 0}, C: {min: 0}}}}\n"
    )
    out = tmp_path / "out"
    code, output = rank(str(tmp_path), "-o", str(out))
    assert code == 3
    # 40 h/month × 0.5 selling share × 3 months = 60 h; the must-pursue one needs 80 h.
    assert "R1: must-pursue opportunities is short by 20.0 hours this quarter" in output
    assert not out.exists()


def test_help_shows_an_example() -> None:
    code, output = rank("--help")
    assert code == 0 and "salesplan rank scenarios/examples/bank-key-accounts" in output
