"""plan.xlsx and the CSV files as a planner's Excel reads them (issue 16), for any names (issue 19).

On the tiny scenario of the reliability tests: every table of the plan has its sheet, with typed dates,
times and numbers, a frozen header and a filter; the bytes repeat under --no-timings; CSV files start with
a BOM, and --csv-encoding gb18030 keeps the Chinese names. With rep ids ``Dropped`` (a sheet of the
workbook), sixteen emoji (32 UTF-16 units) and a control character, and ``$…$`` names (mathtext), the plan
is written and the workbook opens.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from salesplan.cli.writers.plan import SHEETS

from .test_calendars import plan_tiny, tiny_scenario  # noqa: F401  (the fixture 'tiny')

# every table of the plan; Shortfall only when a tier minimum is short (not in this small plan)
PRESENT = [(title, name) for title, name in SHEETS if name != "shortfall"]
TABLE_SHEETS = ["Summary", "Solvers", *(title for title, _ in PRESENT)]


@pytest.fixture(scope="module")
def out(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan_tiny(tiny, tmp_path_factory.mktemp("plan") / "out")


def header(sheet: object) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(max_row=1))]  # type: ignore[attr-defined]


def column(sheet: object, name: str) -> list[object]:
    k = header(sheet).index(name)
    return [row[k] for row in sheet.iter_rows(min_row=2, values_only=True)]  # type: ignore[attr-defined]


def test_every_table_has_a_sheet_with_frozen_header_and_filter(out: Path) -> None:
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert book.sheetnames[: len(TABLE_SHEETS)] == TABLE_SHEETS
    assert book.sheetnames[len(TABLE_SHEETS) :] == ["R1", "R2", "R3"]  # a sheet per rep with visits
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
    assert not (out / "shortfall.csv").exists()
    for title, name in PRESENT:
        frame = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        assert header(book[title]) == list(frame.columns), title
        assert book[title].max_row == len(frame) + 1, title


def test_cells_are_typed_and_chinese_names_intact(out: Path) -> None:
    book = openpyxl.load_workbook(out / "plan.xlsx")
    visits = book["Visits"]
    assert all(isinstance(v, dt.datetime) for v in column(visits, "date"))
    assert all(isinstance(v, dt.time) for v in column(visits, "start") + column(visits, "end"))
    assert all(isinstance(v, dt.datetime) for v in column(visits, "starts_at"))
    assert all(isinstance(v, int) for v in column(visits, "travel_minutes_before"))
    date_cell = visits.cell(row=2, column=header(visits).index("date") + 1)
    assert date_cell.number_format == "yyyy-mm-dd" and date_cell.is_date
    names = set(pd.read_csv(out / "accounts.csv")["name"])
    assert {"北京华联", "首钢物资"} <= names == set(column(book["Accounts"], "name"))
    summary = book["Summary"]
    assert header(summary)[:3] == ["figure", "current plan", "this plan"]
    assert "expected sales per year (scheduled visits)" in column(summary, "figure")
    assert all(isinstance(v, int | float) for v in column(summary, "this plan") if v is not None)
    assert any("best possible" in str(v) for v in column(book["Solvers"], "result"))
    assert all(isinstance(v, dt.datetime) for v in column(book["Days"], "date"))


def test_csv_files_start_with_a_bom_and_gb18030_keeps_chinese(tiny: Path, out: Path, tmp_path: Path) -> None:
    for path in [*out.glob("*.csv")]:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path.name
    gb = plan_tiny(tiny, tmp_path / "gb", "--csv-encoding", "gb18030")
    for name in ("accounts", "visits", "reps"):
        assert not (gb / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        mine = pd.read_csv(gb / f"{name}.csv", encoding="gb18030", dtype=str, keep_default_na=False)
        theirs = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(mine, theirs)
    assert "王伟".encode("gb18030") in (gb / "visits.csv").read_bytes()
    # the workbook does not depend on the CSV encoding, and its bytes repeat under --no-timings
    assert (gb / "plan.xlsx").read_bytes() == (out / "plan.xlsx").read_bytes()


def test_awkward_rep_ids_and_names_give_a_workbook_that_opens(tiny: Path, tmp_path: Path) -> None:
    nasty = tmp_path / "nasty"
    shutil.copytree(tiny, nasty)
    # (an id with a control character is refused at its row by validate: see the faults corpus)
    renamed = {"R1": "Dropped", "R2": "😀" * 16, "R3": "R/3"}
    reps = pd.read_csv(nasty / "reps.csv", dtype=str)
    reps["id"] = reps["id"].map(renamed)
    reps.loc[0, "name"] = "王伟\x07 $\\frac{1}{0}$"
    reps.to_csv(nasty / "reps.csv", index=False)
    accounts = pd.read_csv(nasty / "accounts.csv", dtype=str)
    accounts["current_rep"] = accounts["current_rep"].map(renamed)
    accounts.loc[0, "name"] = "$x^$ =1+1 \x1b[31m"
    accounts.to_csv(nasty / "accounts.csv", index=False)
    opportunities = pd.read_csv(nasty / "opportunities.csv", dtype=str)
    opportunities.loc[0, "id"] = "$O1^$"
    opportunities.to_csv(nasty / "opportunities.csv", index=False)
    out = plan_tiny(nasty, tmp_path / "out")

    book = openpyxl.load_workbook(out / "plan.xlsx")
    reps_sheets = book.sheetnames[len(TABLE_SHEETS) :]
    assert reps_sheets == ["Dropped-2", "😀" * 15, "R_3"]
    assert len({n.lower() for n in book.sheetnames}) == len(book.sheetnames)
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in book.sheetnames)
    assert "$x^$ =1+1 [31m" in column(book["Accounts"], "name")
    assert "王伟 $\\frac{1}{0}$" in column(book["Reps"], "name")
    assert (out / "matrix.png").stat().st_size > 1000 and (out / "sizing.png").stat().st_size > 1000
