"""`salesplan schedule`: the files it writes, calendars that parse back into the same visits, byte-identical
reruns, formula-safe spreadsheets, and the exits for bad input and impossible plans."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest

from .conftest import EXAMPLES, run_cli

BANK = EXAMPLES / "bank-key-accounts"


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bank") / "schedule"
    code, output = run_cli("schedule", str(BANK), "-o", str(out), "--workers", "1")
    assert code == 0, output
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_writes_every_export_with_the_promised_columns(bank: Path) -> None:
    assert {"visits.csv", "days.csv", "dropped.csv", "plan.xlsx"} <= set(_files(bank))
    visits = pd.read_csv(bank / "visits.csv", dtype=str)
    assert list(visits.columns[:6]) == ["rep", "date", "start", "end", "account", "travel_minutes_before"]
    assert len(list((bank / "calendar").glob("*.ics"))) == visits["rep"].nunique() == 20
    (week,) = bank.glob("week_*.html")  # the busiest rep's week unless --map-rep names one
    visits_per_rep = visits["rep"].value_counts()
    assert week.name == f"week_{visits_per_rep.index[visits_per_rep == visits_per_rep.max()].min()}.html"
    page = week.read_text(encoding="utf-8")
    assert "<script>" in page and "week 1" in page


def test_calendars_parse_back_into_the_same_visits(bank: Path) -> None:
    visits = pd.read_csv(bank / "visits.csv", dtype=str)
    expected = {(r.rep, r.date, r.start, r.end, r.account_name) for r in visits.itertuples(index=False)}
    found = set()
    for path in (bank / "calendar").glob("*.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        for event in calendar.walk("VEVENT"):
            start, end = event.decoded("dtstart"), event.decoded("dtend")
            assert event.get("dtstart").params["TZID"] == "Asia/Shanghai"
            assert start.utcoffset() == dt.timedelta(hours=8)
            assert "Purpose:" in str(event.get("description")) and str(event.get("location"))
            found.add(
                (
                    path.stem,
                    start.date().isoformat(),
                    f"{start:%H:%M}",
                    f"{end:%H:%M}",
                    str(event.get("summary")),
                )
            )
    assert found == expected and len(found) == len(visits)


def test_two_runs_write_identical_files(bank: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    code, output = run_cli("schedule", str(BANK), "-o", str(again), "--workers", "1")
    assert code == 0, output
    assert _files(again) == _files(bank)


def test_workbook_has_a_summary_and_a_sheet_per_rep(bank: Path) -> None:
    book = openpyxl.load_workbook(bank / "plan.xlsx")
    assert book.sheetnames[0] == "Summary" and "AM01" in book.sheetnames and book.sheetnames[-1] == "Dropped"
    header = [c.value for c in book["AM01"][1]]
    assert header[:7] == ["date", "weekday", "start", "end", "account", "address", "travel"]
    assert book.properties.created == dt.datetime(2026, 1, 5)


def _tiny_folder(tmp: Path, name: str, far: bool = False) -> Path:
    """One rep in Shanghai, two tier-A accounts (in Harbin when ``far``: no day trip reaches them)."""
    lat, lon = (45.75, 126.6) if far else (31.23, 121.47)
    folder = tmp / "tiny"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(
        "name: tiny\nhorizon: {start: 2026-03-02, weeks: 2}\ntables: {reps: reps.csv, accounts: accounts.csv}\n"
        "policy: {tiers: {method: given, visits: {A: {min: 2, max: 4}}}}\n",
        encoding="utf-8",
    )
    (folder / "reps.csv").write_text(
        "id,name,region,home_lat,home_lon,hours_per_week\nR1,张伟,SH,31.2,121.4,40\n", encoding="utf-8"
    )
    pd.DataFrame(
        [
            ["A1", name, "SH", lat, lon, 1_000_000, "A", 4, "=cmd|' /C calc'!A0"],
            ["A2", "普通客户", "SH", lat - 0.01, lon - 0.02, 500_000, "A", 2, "上海市徐汇区"],
        ],
        columns=[
            "id",
            "name",
            "region",
            "lat",
            "lon",
            "current_sales",
            "tier",
            "current_visits_per_month",
            "address",
        ],
    ).to_csv(folder / "accounts.csv", index=False, encoding="utf-8")
    return folder


def test_formula_like_names_stay_text(tmp_path: Path) -> None:
    folder = _tiny_folder(tmp_path, '=HYPERLINK("http://x")')
    code, output = run_cli("schedule", str(folder), "-o", str(tmp_path / "out"), "--json")
    assert code == 0, output
    summary = json.loads(output[output.index("{") :])
    assert summary["scheduled_visits"] + summary["dropped_visits"] == summary["planned_visits"] == 3
    sheet = openpyxl.load_workbook(tmp_path / "out" / "plan.xlsx")["R1"]
    texts = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts) and any(
        t.startswith("'=") for t in texts
    )
    assert "'=HYPERLINK" in (tmp_path / "out" / "visits.csv").read_text(encoding="utf-8")


def test_nothing_fits_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    folder = _tiny_folder(tmp_path, "远方客户", far=True)
    code, output = run_cli("schedule", str(folder), "-o", str(tmp_path / "out"))
    assert code == 3 and "day trip" in output and not (tmp_path / "out").exists()


def test_unknown_map_rep_is_a_usage_error(tmp_path: Path) -> None:
    folder = _tiny_folder(tmp_path, "客户")
    code, output = run_cli("schedule", str(folder), "-o", str(tmp_path / "out"), "--map-rep", "NOBODY")
    assert code == 2 and "NOBODY" in output and not (tmp_path / "out").exists()


def test_allocation_file_sets_visits_and_reps(tmp_path: Path) -> None:
    folder = _tiny_folder(tmp_path, "客户")
    plan = tmp_path / "allocation.csv"
    plan.write_text("account,rep,visits_per_month\nA1,R1,2.17\nA2,R1,0\n", encoding="utf-8")
    code, output = run_cli(
        "schedule", str(folder), "-o", str(tmp_path / "out"), "--allocation", str(plan), "--json"
    )
    assert code == 0, output
    visits = pd.read_csv(tmp_path / "out" / "visits.csv", dtype=str)
    assert list(visits["account"]) == ["A1"]  # 2.17 visits/month × 0.46 months = 1 visit; A2 none


def test_dealer_network_reports_each_dropped_visit_with_a_reason(tmp_path: Path) -> None:
    out = tmp_path / "dealers"
    code, output = run_cli("schedule", str(EXAMPLES / "dealer-network"), "-o", str(out), "--map-rep", "R03",
                           "--map-week", "2")  # fmt: skip
    assert code == 0, output
    dropped = pd.read_csv(out / "dropped.csv", dtype=str)
    visits = pd.read_csv(out / "visits.csv", dtype=str)
    assert len(dropped) and dropped["reason"].str.len().min() > 20
    planned = pd.to_numeric(dropped.drop_duplicates("account")["planned_visits"])
    assert len(visits) > 0 and planned.sum() > 0
    assert (out / "week_R03.html").exists() and "week 2" in (out / "week_R03.html").read_text(
        encoding="utf-8"
    )
