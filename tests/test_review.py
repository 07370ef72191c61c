"""`salesplan review` on the bundled plans and actuals: every planted case found, nothing else, and figures
that reconcile; the same review from CSV, XLSX and SQLite; invalid actuals as file:row:field, exit 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from salesplan.review import check, compile_review, review
from salesplan.scenarios import load_scenario
from salesplan.scenarios.actuals import TABLE_NAMES, load_actuals
from salesplan.scenarios.plan_folder import load_plan_folder

from .conftest import EXAMPLES, run_cli

BUNDLED = sorted(p.name for p in EXAMPLES.iterdir() if (p / "actuals" / "planted.json").exists())


def expected_warnings(planted: dict[str, object]) -> list[tuple[str, str]]:
    """The warnings each planted case must raise, by (kind, account or rep)."""
    rep_behind, unplanned = str(planted["rep_behind_plan"]), str(planted["unplanned_visits"])
    churning = str(planted["churning_account"])
    expected = [
        # a rep behind plan: misses 40 % of its lower-tier visits, its accounts buy 80 % of pace
        ("rep_visits_behind", rep_behind),
        ("rep_sales_behind", rep_behind),
        # a rep with unplanned visits
        ("unplanned_visits", unplanned),
        # a churning account: orders halve, then stop; it buys 35 % of pace with its visits as planned
        ("churn_gap", churning),
        ("churn_falling", churning),
        ("sales_behind", churning),
        ("selling_cost", churning),
        # overdue receivables; over the credit limit
        ("receivables_overdue", str(planted["overdue_receivables"])),
        ("over_credit_limit", str(planted["over_credit_limit"])),
    ]
    for dealer in dict(planted.get("cross_region_shipments", {})):  # type: ignore[call-overload]
        expected.append(("cross_region", dealer))
    return sorted(expected)


def test_every_example_with_a_plan_has_actuals() -> None:
    assert BUNDLED == ["bank-key-accounts", "dealer-network", "electronics-distributor"]


@pytest.mark.parametrize("name", BUNDLED)
def test_review_finds_every_planted_case_and_nothing_else(name: str, tmp_path: Path) -> None:
    folder = EXAMPLES / name
    out = tmp_path / "review"
    code, output = run_cli("review", str(folder / "plan"), str(folder / "actuals"), "-o", str(out))
    assert code == 0, output
    planted = json.loads((folder / "actuals" / "planted.json").read_text(encoding="utf-8"))
    warnings = pd.read_csv(out / "warnings.csv", dtype=str, keep_default_na=False)
    found = sorted(
        zip(
            warnings["kind"],
            warnings["account"].where(warnings["account"] != "", warnings["owner"]),
            strict=True,
        )
    )
    assert found == expected_warnings(planted)
    for dealer, region in dict(planted.get("cross_region_shipments", {})).items():
        crossing = pd.read_csv(out / "cross_region.csv", dtype=str)
        assert crossing.loc[crossing["account"] == dealer, "ship_to_region"].tolist() == [region]
    assert not warnings["message"].str.strip().eq("").any() and warnings["owner"].ne("").all()
    # the figures reconcile: per rep, visits done + missed = planned
    reps = pd.read_csv(out / "reps.csv")
    assert (reps["done"] + reps["missed"] == reps["planned"]).all()
    assert (reps["late"] <= reps["done"]).all()
    visits = pd.read_csv(out / "visits.csv")
    assert int(visits["planned_date"].notna().sum()) == int(reps["planned"].sum())
    for file in ("review.xlsx", "review.html", "review.json", "credit.csv", "receivables.csv"):
        assert (out / file).is_file()
    summary = json.loads((out / "review.json").read_text(encoding="utf-8"))
    assert summary["over_credit_limit"] == [planted["over_credit_limit"]]


def _review_frames(plan: Path, actuals: str | Path, scenario: Path) -> dict[str, pd.DataFrame]:
    data = compile_review(load_scenario(scenario), load_plan_folder(plan), load_actuals(actuals))
    result = review(data)
    assert check(result) == []
    return result.frames


def test_same_review_from_csv_xlsx_and_sqlite(tmp_path: Path) -> None:
    folder = EXAMPLES / "dealer-network"
    source = folder / "actuals"
    frames = {
        n: pd.read_csv(source / f"{n}.csv", dtype=str, keep_default_na=False, encoding="gb18030")
        for n in TABLE_NAMES
    }
    # XLSX: one workbook, a sheet per table, numbers as numbers
    xlsx = tmp_path / "xlsx"
    xlsx.mkdir()
    with pd.ExcelWriter(xlsx / "actuals.xlsx") as writer:
        for name, frame in frames.items():
            typed = frame.copy()
            for column in typed.columns:
                numbers = pd.to_numeric(typed[column], errors="coerce")
                if (
                    column not in ("account", "rep", "invoice", "opportunity", "order")
                    and numbers.notna().all()
                ):
                    typed[column] = numbers
            typed.to_excel(writer, sheet_name=name, index=False)
    tables = "\n".join(f"  {n}: actuals.xlsx#{n}" for n in TABLE_NAMES)
    (xlsx / "actuals.yaml").write_text(
        f"scenario: {folder}\nas_of: 2026-07-05\ntables:\n{tables}\n", encoding="utf-8"
    )
    # SQLite: a table per actuals table, typed columns
    database = tmp_path / "crm.db"
    with sqlite3.connect(database) as connection:
        for name, frame in frames.items():
            frame.replace("", None).to_sql(name, connection, index=False)
    from_csv = _review_frames(folder / "plan", source, folder)
    from_xlsx = _review_frames(folder / "plan", xlsx, folder)
    from_sqlite = _review_frames(folder / "plan", database, folder)
    for name, frame in from_csv.items():
        pd.testing.assert_frame_equal(frame, from_xlsx[name], check_dtype=False, obj=f"xlsx {name}")
        pd.testing.assert_frame_equal(frame, from_sqlite[name], check_dtype=False, obj=f"sqlite {name}")
    assert len(from_csv["warnings"]) == 11


def test_invalid_actuals_are_reported_by_file_row_and_field(tmp_path: Path) -> None:
    folder = EXAMPLES / "bank-key-accounts"
    actuals = tmp_path / "actuals"
    actuals.mkdir()
    (actuals / "visits.csv").write_text(
        "rep,account,date,start,minutes,outcome\nAM01,KA001,2026-01-06,09:30,45,order\n"
        "AM01,KA001,2026-13-06,9:30,-5,order\nAM02,KA002,2026-01-07,10:00,60,\n",
        encoding="utf-8",
    )
    (actuals / "receivables.csv").write_text(
        "dealer,invoice,date,due_date,amount,paid\nKA001,I1,2026-01-10,2026-01-01,100,0\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    code, output = run_cli(
        "review", str(folder / "plan"), str(actuals), "--scenario", str(folder), "-o", str(out)
    )
    assert code == 2, output
    for expected in (
        "visits.csv:3:date",
        "visits.csv:3:start",
        "visits.csv:3:minutes",
        "receivables.csv:2:due_date",
    ):
        assert expected in output
    assert "Traceback" not in output and not out.exists()


def test_review_needs_the_plans_scenario(tmp_path: Path) -> None:
    bank, dealers = EXAMPLES / "bank-key-accounts", EXAMPLES / "dealer-network"
    code, output = run_cli(
        "review", str(bank / "plan"), str(bank / "actuals" / "visits.csv"), "-o", str(tmp_path / "o")
    )
    assert code == 2 and "actuals" in output
    code, output = run_cli(
        "review",
        str(bank / "plan"),
        str(bank / "actuals"),
        "--scenario",
        str(dealers),
        "-o",
        str(tmp_path / "o"),
    )
    assert code == 2 and "summary.json:0:scenario" in output and "--scenario" in output
