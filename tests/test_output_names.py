"""Property (issue 19): any Unicode names — control characters, line breaks, RTL marks, emoji, ``$``, ``<``,
``=`` — through `salesplan plan` never crash it, and every file it writes is read back by a parser of its
own format that is not the one that wrote it: CSV by the csv module, iCalendar by vobject (and
icalendar), the workbook by openpyxl, the page by html.parser, summary.json by json.

Names go into the scenario name, the regions, every rep's id and name, every account's name and
opportunity's id and description of the tiny scenario of the reliability tests (a plan in seconds); a
few examples, derandomised, keep it well inside the suite's budget.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest
import vobject
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from .conftest import run_cli
from .test_calendars import tiny_scenario  # noqa: F401  (the fixture 'tiny')
from .test_reliability import _is_number

AWKWARD = [
    "\r", "\n", "\r\n", "\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u200f", "\u202e", "\ufeff",
    "😀", "👩‍👩‍👧", "$", "<", ">", "=", "+", "-", "@", ";", ",", "\\", '"', "'", "&", "\t", "[", "]", ":", "*",
    "?", "/", " ", "北京", "é", "\u0301", "{", "}", "%", "#",
]  # fmt: skip
NAME = st.lists(
    st.one_of(st.sampled_from(AWKWARD), st.characters(codec="utf-8")), min_size=1, max_size=10
).map("".join)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def rename(folder: Path, names: list[str]) -> None:
    """Spread ``names`` (cycled) over the names and ids of the scenario in ``folder``."""
    pool = itertools.cycle(names)
    reps = pd.read_csv(folder / "reps.csv", dtype=str)
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str)
    opportunities = pd.read_csv(folder / "opportunities.csv", dtype=str)
    ids = {old: f"{next(pool)}{k}" for k, old in enumerate(reps["id"])}  # the suffix keeps them distinct
    regions = {old: f"{next(pool)}{k}" for k, old in enumerate(sorted(set(reps["region"])))}
    reps["id"], reps["region"] = reps["id"].map(ids), reps["region"].map(regions)
    reps["name"] = [next(pool) for _ in range(len(reps))]
    accounts["current_rep"], accounts["region"] = (
        accounts["current_rep"].map(ids),
        accounts["region"].map(regions),
    )
    accounts["name"] = [next(pool) for _ in range(len(accounts))]
    opportunities["id"] = [f"{next(pool)}{k}" for k in range(len(opportunities))]
    opportunities["description"] = [next(pool) for _ in range(len(opportunities))]
    for frame, name in ((reps, "reps"), (accounts, "accounts"), (opportunities, "opportunities")):
        frame.to_csv(folder / f"{name}.csv", index=False)
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    title = json.dumps(next(pool))  # a YAML double-quoted scalar
    (folder / "scenario.yaml").write_text(text.replace("name: Broken-corpus base", f"name: {title}"), "utf-8")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def check_outputs(out: Path) -> None:
    """Every output read back by an independent parser."""
    for path in sorted(out.rglob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows and all(len(r) == len(rows[0]) for r in rows), path.name
        for cell in (c for r in rows for c in r):
            assert "\r" not in cell and "\x00" not in cell, (path.name, cell)
            assert not cell.startswith(FORMULA_START) or _is_number(cell), (path.name, cell)
    json.loads((out / "summary.json").read_text(encoding="utf-8"))
    visits = pd.read_csv(out / "visits.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    work = pd.read_csv(out / "work.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    blocks = set(work["work_id"]) - {""}  # a visit's event or a work block's (rows that do not fit have none)
    events = 0
    for path in sorted((out / "calendar").glob("*.ics")):
        text = path.read_text(encoding="utf-8")
        calendars = list(vobject.readComponents(text))
        assert len(calendars) == 1, path.name
        found = calendars[0].contents.get("vevent", [])
        assert len(found) == len(icalendar.Calendar.from_ical(text).walk("VEVENT")), path.name
        assert {e.uid.value for e in found} <= set(visits["visit_id"]) | blocks, path.name
        events += len(found)
    assert events == len(visits) + len(blocks)
    book = openpyxl.load_workbook(out / "plan.xlsx")
    assert len({n.lower() for n in book.sheetnames}) == len(book.sheetnames)
    page = Tags()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    assert not [t for t, attrs in page.tags for a, _ in attrs if a.lower().startswith("on")]
    assert sum(t == "script" for t, _ in page.tags) == 2  # Leaflet and the map
    assert {t for t, _ in page.tags} <= {
        "html", "head", "meta", "title", "style", "script", "body", "header", "h1", "p", "main", "h2", "table",
        "tr", "th", "td", "b", "span", "div", "figure", "img", "figcaption",
    }  # fmt: skip
    for png in ("matrix.png", "sizing.png"):
        assert (out / png).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failing example is printed as found
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(NAME, min_size=1, max_size=8))
@example(names=["AM03\r\nSUMMARY:INJECTED", "<img src=x onerror=alert(1)>", "$\\frac{1}{0}$", "=1+1\r"])
@example(names=["Dropped", "😀" * 16, "History", "\u202eR\x01\x00", "'quoted'", "a\u2028b"])
@example(names=["\U000f4db7"])  # YAML reads the escaped pair "\udb93\uddb7" as two lone surrogates
def test_any_names_plan_and_every_output_reads_back(
    names: list[str], tiny: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("names") / "scenario"
    shutil.copytree(tiny, folder)
    rename(folder, names)
    code, output = run_cli("plan", str(folder), "-o", str(folder.parent / "out"), "--no-timings")
    assert code in (0, 2), output  # planned, or refused with a message: never an internal error
    assert "Traceback" not in output and "internal error" not in output
    if code == 0:
        check_outputs(folder.parent / "out")
