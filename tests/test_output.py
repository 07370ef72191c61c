"""Outputs are published atomically; every text goes through its format's sanitiser (issue 19); CSV files
are written as Excel on Chinese Windows reads them (issue 16)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from salesplan.cli.output import OutputFolder
from salesplan.cli.sanitize import (
    chart_text,
    csv_cell,
    html_text,
    ics_text,
    neutralise,
    script_json,
    sheet_name,
    xlsx_cell,
)
from salesplan.cli.writers.tables import write_csv

FORMULA_START = ("=", "+", "-", "@")


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "ok"], "value": [-1.5, 2, 3, 4, 5]}
    )
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["name"]) == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert list(back["value"]) == [-1.5, 2, 3, 4, 5]  # numbers stay numbers
    assert neutralise(-3) == -3


def test_line_breaks_are_normalised_quoted_and_never_start_a_formula_line(tmp_path: Path) -> None:
    cells = ["a\r=1+1", "b\r\n+2", "c\n-3", "d\x85@4", "e\u2028=5", "\r=6", "tab\there", "nul\x00\x1bok"]
    write_csv(pd.DataFrame({"name": cells, "n": range(len(cells))}), tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    assert b"\r" not in raw and b"\x00" not in raw and b"\x1b" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [len(r) for r in rows] == [2] * (len(cells) + 1)  # no row split
    assert [r[0] for r in rows[1:]] == [
        "a\n=1+1", "b\n+2", "c\n-3", "d\n@4", "e\n=5", "'\n=6", "tab\there", "nulok",
    ]  # fmt: skip
    assert not any(cell.startswith(FORMULA_START) for row in rows[1:] for cell in row[:1])


def test_csv_is_utf8_with_bom_by_default_and_gb18030_on_request(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["北京华联", "首钢物资 𠀀", "Jürgen Müller"], "sales": [1, 2, 3]})
    write_csv(frame, tmp_path / "bom.csv")
    write_csv(frame, tmp_path / "plain.csv", "utf-8")
    write_csv(frame, tmp_path / "gb.csv", "gb18030")
    assert (tmp_path / "bom.csv").read_bytes().startswith(b"\xef\xbb\xbfname,")
    assert (tmp_path / "plain.csv").read_bytes().startswith(b"name,")
    for name, encoding in (("bom.csv", "utf-8-sig"), ("plain.csv", "utf-8"), ("gb.csv", "gb18030")):
        back = pd.read_csv(tmp_path / name, encoding=encoding)
        assert list(back["name"]) == list(frame["name"]), name
    assert "北京华联".encode("gb18030") in (tmp_path / "gb.csv").read_bytes()
    with pytest.raises(ValueError):
        write_csv(frame, tmp_path / "x.csv", "latin-1")


def test_xlsx_and_csv_cells_lose_control_characters_only() -> None:
    assert xlsx_cell("AM\x0103\x1f\ud800") == "AM03"
    assert xlsx_cell("=1") == "'=1" and xlsx_cell(3.5) == 3.5
    assert csv_cell("\u202eRTL 😀 $x$ <b>") == "\u202eRTL 😀 $x$ <b>"
    assert len(xlsx_cell("x" * 40_000)) == 32767


def test_sheet_names_are_unique_short_and_never_reserved() -> None:
    taken: set[str] = {"summary", "dropped"}
    emoji = "😀" * 16  # 32 UTF-16 units: Excel allows 31
    names = [
        sheet_name(n, taken) for n in ["Dropped", "dropped", emoji, emoji, "a/b:c*d?[e]", "'x'", "History"]
    ]
    assert names[:2] == ["Dropped-2", "dropped-3"]
    assert len(set(n.lower() for n in names)) == len(names)
    assert all(len(n.encode("utf-16-le")) // 2 <= 31 for n in names)
    assert names[4] == "a_b_c_d__e_" and names[5] == "x" and names[6] == "History-2"
    assert sheet_name("\r\n\x00", set()) == "sheet"


def test_ics_text_goes_out_as_one_escaped_content_line() -> None:
    event = icalendar.Event()
    event.add("summary", icalendar.vText(ics_text("AM03\r\nSUMMARY:INJECTED;a,b\\c\r\x00")))
    raw = event.to_ical()
    assert b"SUMMARY:AM03\\nSUMMARY:INJECTED\\;a\\,b\\\\c\\n\r\n" in raw
    assert raw.count(b"\r\n") == 3  # BEGIN, SUMMARY, END


def test_html_and_script_json_cannot_break_out() -> None:
    name = "<img src=x onerror=alert(1)>'\"&</script><!--\u2028"
    assert "<" not in html_text(name) and '"' not in html_text(name) and "'" not in html_text(name)
    text = script_json({"name": name})
    assert not any(c in text for c in "<>&\u2028")
    import json

    assert json.loads(text)["name"] == name
    assert chart_text("$\\frac{a}{b}$\n") == "$\\frac{a}{b}$ "


def test_output_folder_replaces_previous_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with OutputFolder(target) as staging:
        (staging / "a.txt").write_text("first")
    assert (target / "a.txt").read_text() == "first"
    with pytest.raises(RuntimeError), OutputFolder(target) as staging:
        (staging / "a.txt").write_text("half")
        raise RuntimeError("solver crashed")
    assert (target / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind
    with OutputFolder(target) as staging:
        (staging / "b.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
