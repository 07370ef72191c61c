"""Calendars that survive re-planning (issue 16), names that cannot inject into them (issue 19), and the
opportunity work in them ("One plan, one truth").

Every calendar is read by two independent parsers: the project's (icalendar) and vobject. On the tiny
scenario of the reliability tests (six accounts, three reps, two weeks, three opportunities with work;
a plan in seconds):

1. one VEVENT per visit, UID = visits.csv's visit_id, DTSTART = its starts_at;
2. one VEVENT per row of work.csv, in its rep's calendar, UID = its work_id, the block's date and clock
   times; UIDs unique across visits and work, and nothing else in the calendars;
3. a renamed scenario keeps every UID; another seed keeps the UID of ≥ 95 % of the visits that did not
   change (rep, account, date); a visit moved by a day keeps its UID;
4. ``--previous``: kept visits and work blocks keep their UID, SEQUENCE grows exactly for the changed
   ones, the cancel files hold exactly the previous visits and blocks that are gone (METHOD:CANCEL,
   STATUS:CANCELLED);
5. names with CR/LF (account, rep, scenario, opportunity) give no extra event, calendar or property.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import icalendar
import pandas as pd
import pytest
import vobject

from salesplan.cli.writers.calendar import plan_calendar
from salesplan.cli.writers.calendar_previous import read_previous

from .conftest import run_cli
from .test_reliability import write_tiny

INJECTED = "A1 北京华联\r\nSUMMARY:INJECTED\rDESCRIPTION:x;y,z\\w"


def plan_tiny(scenario: Path, out: Path, *options: str) -> Path:
    code, output = run_cli("plan", str(scenario), "-o", str(out), "--no-timings", *options)
    assert code == 0, output
    return out


def visits(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "visits.csv", dtype=str, keep_default_na=False)


def vobject_events(path: Path) -> tuple[list[object], list[object]]:
    """The calendars in ``path`` and their VEVENTs, as vobject reads them."""
    calendars = list(vobject.readComponents(path.read_text(encoding="utf-8")))
    events = [e for c in calendars for e in getattr(c, "vevent_list", [])]
    return calendars, events


def work(out: Path) -> pd.DataFrame:
    """work.csv's blocks (the rows of work that does not fit, without a date, left out)."""
    table = pd.read_csv(out / "work.csv", dtype=str, keep_default_na=False)
    return table[table["date"] != ""].reset_index(drop=True)


def parsed_events(out: Path) -> list[tuple[str, icalendar.Event]]:
    """(file stem, event) of every event in the calendars (cancel files left out), in file order, checked
    to agree between the parsers and to be a visit or a work block by both its marks."""
    found = []
    for path in sorted((out / "calendar").glob("*.ics")):
        if path.name.endswith(".cancel.ics"):
            continue
        ours = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        calendars, theirs = vobject_events(path)
        assert len(calendars) == 1 and len(theirs) == len(ours), path.name
        for a, b in zip(ours, theirs, strict=True):
            assert b.uid.value == str(a["uid"]) and b.summary.value == str(a["summary"])
            assert int(b.sequence.value) == int(a.get("sequence", 0))
            assert b.dtstart.value == a.decoded("dtstart") and b.dtend.value == a.decoded("dtend")
            marked = "x-salesplan-opportunity" in b.contents
            assert ("x-salesplan-opportunity" in a) == marked == ("opportunity work" in b.categories.value)
            found.append((path.stem, a))
    return found


def calendar_events(out: Path) -> dict[str, tuple[str, int, dt.datetime]]:
    """UID → (summary, SEQUENCE, DTSTART) of every visit's event, checked to agree between the parsers."""
    found: dict[str, tuple[str, int, dt.datetime]] = {}
    for _, event in parsed_events(out):
        if "x-salesplan-opportunity" not in event:
            found[str(event["uid"])] = (
                str(event["summary"]),
                int(event["sequence"]),
                event.decoded("dtstart"),
            )
    return found


WorkEvent = tuple[int, dt.datetime, dt.datetime, str, str]  # SEQUENCE, DTSTART, DTEND, summary, description


def work_events(out: Path) -> dict[str, WorkEvent]:
    """UID → (SEQUENCE, DTSTART, DTEND, summary, description) of every work block's event."""
    return {
        str(e["uid"]): (
            int(e["sequence"]), e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]),
            str(e["description"]),
        )
        for _, e in parsed_events(out)
        if "x-salesplan-opportunity" in e
    }  # fmt: skip


def cancelled(out: Path) -> dict[str, int]:
    """UID → SEQUENCE of the events in the cancel files (vobject), checked to be cancellations."""
    found: dict[str, int] = {}
    for path in sorted((out / "calendar").glob("*.cancel.ics")):
        calendars, events = vobject_events(path)
        assert [c.method.value for c in calendars] == ["CANCEL"]
        for event in events:
            assert event.status.value == "CANCELLED"
            found[event.uid.value] = int(event.sequence.value)
    return found


@pytest.fixture(scope="module", name="tiny")
def tiny_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario (also imported by the workbook and names tests)."""
    return write_tiny(tmp_path_factory.mktemp("tiny") / "scenario")


@pytest.fixture(scope="module")
def base(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan_tiny(tiny, tmp_path_factory.mktemp("base") / "plan")


def test_one_event_per_visit_in_both_parsers(base: Path) -> None:
    table = visits(base)
    events = calendar_events(base)
    assert len(events) == len(table) > 0
    assert set(events) == set(table["visit_id"])
    for row in table.itertuples():
        _, sequence, start = events[row.visit_id]
        assert start == dt.datetime.fromisoformat(row.starts_at) and sequence == 0
        assert row.starts_at.endswith("+08:00") and row.ends_at.endswith("+08:00")
    assert list(table.columns[:6]) == ["rep", "date", "start", "end", "account", "travel_minutes_before"]
    assert {"visit_id", "starts_at", "ends_at", "opportunities"} <= set(table.columns)
    raw = (base / "calendar" / "R1.ics").read_text(encoding="utf-8")
    assert "LOCATION:" in raw and "GEO:" in raw and "DESCRIPTION:Purpose: " in raw


def test_every_work_block_is_one_event_in_its_reps_calendar(base: Path) -> None:
    blocks = work(base)
    assert len(blocks) > 0 and blocks["work_id"].str.fullmatch("[0-9a-f]{20}").all()
    assert list(blocks.columns) == [
        "rep", "opportunity", "account", "account_name", "date", "start", "end", "minutes", "where",
        "due_date", "note", "work_id",
    ]  # fmt: skip
    events = parsed_events(base)
    uids = [str(e["uid"]) for _, e in events]
    assert len(uids) == len(set(uids)) == len(visits(base)) + len(blocks)  # unique, and nothing else
    found = {str(e["uid"]): (stem, e) for stem, e in events if "x-salesplan-opportunity" in e}
    assert set(found) == set(blocks["work_id"])
    for row in blocks.itertuples():
        stem, event = found[row.work_id]
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert (
            stem == str(event["x-salesplan-rep"]) == row.rep
        )  # its rep's calendar (tiny's ids are file names)
        assert event.get("dtstart").params["TZID"] == "Asia/Shanghai" and start.utcoffset() == dt.timedelta(
            hours=8
        )
        assert (start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}") == (row.date, row.start, row.end)
        assert end - start == dt.timedelta(minutes=int(row.minutes)) and int(event["sequence"]) == 0
        assert (str(event["x-salesplan-opportunity"]), str(event["x-salesplan-account"])) == (
            row.opportunity, row.account,
        )  # fmt: skip
        # tiny's opportunities have no description: the id names them
        assert str(event["summary"]) == f"Opportunity work: {row.opportunity} ({row.account_name})"
        description = str(event["description"])
        assert (
            f"Opportunity: {row.opportunity} (" in description and f"Account: {row.account} " in description
        )
        assert "Due: " in description and "Expected value: " in description and "LOCATION" not in event


def test_work_blocks_keep_uid_and_sequence_when_issued_over_the_same_plan(
    tiny: Path, base: Path, tmp_path: Path
) -> None:
    again = plan_tiny(tiny, tmp_path / "again", "--previous", str(base))
    assert list(work(again)["work_id"]) == list(work(base)["work_id"])
    assert work_events(again) == work_events(base) and cancelled(again) == {}
    assert calendar_events(again) == calendar_events(base)


def stable_share(before: Path, after: Path) -> tuple[float, int]:
    """Of the visits on the same rep, account and date in both plans, the share with the same id."""
    key = ["rep", "account", "date"]
    a, b = visits(before), visits(after)
    a["n"], b["n"] = a.groupby(key).cumcount(), b.groupby(key).cumcount()
    same = a.merge(b, on=[*key, "n"], suffixes=("_a", "_b"))
    return float((same["visit_id_a"] == same["visit_id_b"]).mean()), len(same)


def test_uids_survive_a_rename_and_another_seed(tiny: Path, base: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    shutil.copytree(tiny, renamed)
    text = (renamed / "scenario.yaml").read_text(encoding="utf-8")
    (renamed / "scenario.yaml").write_text(text.replace("name: Broken-corpus base", "name: 第二版"), "utf-8")
    again = plan_tiny(renamed, tmp_path / "out-renamed")
    assert list(visits(again)["visit_id"]) == list(visits(base)["visit_id"])
    assert set(calendar_events(again)) == set(calendar_events(base))
    other = plan_tiny(renamed, tmp_path / "out-seed", "--seed", "12345")
    share, compared = stable_share(base, other)
    assert compared > 0 and share >= 0.95, (share, compared)


def test_a_visit_moved_by_a_day_keeps_its_uid_and_gets_a_new_sequence(base: Path, tiny: Path) -> None:
    import salesplan

    planned = salesplan.plan(salesplan.load(str(tiny)))
    result, data = planned.schedule, planned.data
    moved = dataclasses.replace(result.visits[0], date=result.visits[0].date + dt.timedelta(days=1))
    shifted = dataclasses.replace(result, visits=(moved, *result.visits[1:]))
    assert shifted.visit_ids(data) == result.visit_ids(data)
    calendar = plan_calendar(shifted, data, read_previous(base))
    assert calendar.visit_ids == list(visits(base)["visit_id"])
    assert [(e.change, e.sequence) for e in calendar.entries[:1]] == [("moved", 1)]
    assert {e.change for e in calendar.entries[1:]} == {"unchanged"} and not calendar.cancelled


def test_previous_keeps_uids_bumps_sequence_and_cancels_exactly_what_is_gone(
    tiny: Path, base: Path, tmp_path: Path
) -> None:
    fewer = tmp_path / "fewer"
    shutil.copytree(tiny, fewer)
    accounts = pd.read_csv(fewer / "accounts.csv", dtype=str)
    opportunities = pd.read_csv(fewer / "opportunities.csv", dtype=str)
    gone = "A1"  # the largest account of rep R1: its visits leave the plan
    accounts[accounts["id"] != gone].to_csv(fewer / "accounts.csv", index=False)
    opportunities[opportunities["account"] != gone].to_csv(fewer / "opportunities.csv", index=False)
    out = plan_tiny(fewer, tmp_path / "out", "--previous", str(base), "--seed", "99")

    before, after = calendar_events(base), calendar_events(out)
    old, new = visits(base), visits(out)
    removed = set(old["visit_id"]) - set(new["visit_id"])
    assert removed >= set(old.loc[old["account"] == gone, "visit_id"])
    work_before, work_after = work_events(base), work_events(out)
    old_work, new_work = work(base), work(out)
    removed_work = set(old_work["work_id"]) - set(new_work["work_id"])
    assert removed_work >= set(old_work.loc[old_work["account"] == gone, "work_id"]) != set()
    assert cancelled(out) == {uid: before[uid][1] + 1 for uid in removed} | {
        uid: work_before[uid][0] + 1 for uid in removed_work
    }
    # a block keeps its UID exactly when its rep, opportunity, date and place among that day's blocks stay
    day = ["rep", "opportunity", "date"]
    old_work["n"], new_work["n"] = old_work.groupby(day).cumcount(), new_work.groupby(day).cumcount()
    kept = old_work.merge(new_work, on=[*day, "n"], suffixes=("_a", "_b"), how="outer", indicator=True)
    both = kept[kept["_merge"] == "both"]
    assert len(both) > 0 and (both["work_id_a"] == both["work_id_b"]).all()
    assert set(kept.loc[kept["_merge"] == "left_only", "work_id_a"]) == removed_work
    assert not set(kept.loc[kept["_merge"] == "right_only", "work_id_b"]) & set(work_before)
    for uid, (sequence, *shown) in work_after.items():
        if uid in work_before:  # SEQUENCE grows exactly when the time, title or description changed
            assert sequence == work_before[uid][0] + (shown != list(work_before[uid][1:])), uid
        else:
            assert sequence == 0
    assert set(old["visit_id"]) & set(new["visit_id"]), "no visit kept its UID"
    changes = pd.read_csv(out / "calendar" / "changes.csv", dtype=str, keep_default_na=False)
    change = dict(zip(changes["visit_id"], changes["change"], strict=True))
    for uid, (_, sequence, start) in after.items():
        if uid in before:  # SEQUENCE grows exactly when the time, title, place or description changed
            assert change[uid] == ("moved" if start != before[uid][2] else change[uid]) != "new"
            assert sequence == before[uid][1] + (change[uid] != "unchanged"), uid
        else:
            assert (sequence, change[uid]) == (0, "new")
    assert set(changes.loc[changes["change"] == "cancelled", "visit_id"]) == removed
    assert len(changes) == len(new) + len(removed)  # visits only: work blocks are not listed

    # Issued again over itself: nothing changes, nothing is cancelled, SEQUENCE stays.
    again = plan_tiny(fewer, tmp_path / "out", "--previous", str(tmp_path / "out"), "--seed", "99")
    assert calendar_events(again) == after and cancelled(again) == {}
    assert work_events(again) == work_after


def test_line_breaks_in_names_inject_no_event_or_property(tiny: Path, tmp_path: Path) -> None:
    nasty = tmp_path / "nasty"
    shutil.copytree(tiny, nasty)
    accounts = pd.read_csv(nasty / "accounts.csv", dtype=str)
    accounts.loc[accounts["id"] == "A1", "name"] = INJECTED
    accounts.to_csv(nasty / "accounts.csv", index=False)
    reps = pd.read_csv(nasty / "reps.csv", dtype=str)
    reps.loc[reps["id"] == "R1", "name"] = "王伟\r\nBEGIN:VEVENT\r\nUID:evil"
    reps.to_csv(nasty / "reps.csv", index=False)
    opportunities = pd.read_csv(nasty / "opportunities.csv", dtype=str)
    opportunities["description"] = opportunities["id"].map({"O1": "方案\r\nEND:VEVENT\r\nUID:evil"})
    opportunities["due_date"] = opportunities["id"].map({"O1": "2026-04-15"})
    opportunities.to_csv(nasty / "opportunities.csv", index=False)
    text = (nasty / "scenario.yaml").read_text(encoding="utf-8")
    (nasty / "scenario.yaml").write_text(
        text.replace("name: Broken-corpus base", 'name: "Q2\\r\\nMETHOD:CANCEL"')
    )
    out = plan_tiny(nasty, tmp_path / "out")

    events = calendar_events(out)  # one calendar per file, one event per visit, in both parsers
    assert len(events) == len(visits(out))
    names = {summary for summary, _, _ in events.values()}
    assert "A1 北京华联\nSUMMARY:INJECTED\nDESCRIPTION:x;y,z\\w" in names
    blocks = work_events(out)  # one event per block, the due date and the name as written
    assert len(blocks) == len(work(out)) > 0
    mine = [b for b in blocks.values() if "Opportunity: O1 " in b[4]]
    assert mine and all(start.date() <= dt.date(2026, 4, 15) for _, start, *_ in mine)
    for *_, summary, description in mine:
        assert (
            summary
            == "Opportunity work: 方案\nEND:VEVENT\nUID:evil (A1 北京华联\nSUMMARY:INJECTED\nDESCRIPTION:x;y,z\\w)"
        )
        assert "Due: 2026-04-15" in description and "What to do: 方案\nEND:VEVENT\nUID:evil" in description
    for path in (out / "calendar").glob("*.ics"):
        lines = path.read_bytes().replace(b"\r\n ", b"").split(b"\r\n")
        assert not any(
            line.startswith((b"SUMMARY:INJECTED", b"UID:evil", b"METHOD:CANCEL")) for line in lines
        )
        assert b"\r" not in b"".join(lines) and all(b"\n" not in line for line in lines)
        _, found = vobject_events(path)
        for event in found:
            assert {child.name for child in event.getChildren()} <= {
                "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "GEO",
                "DESCRIPTION", "CATEGORIES", "X-SALESPLAN-REP", "X-SALESPLAN-ACCOUNT", "X-SALESPLAN-OPPORTUNITY",
            }  # fmt: skip


def test_previous_that_is_not_a_plan_is_refused_before_planning(tiny: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    broken = tmp_path / "broken" / "calendar"
    broken.mkdir(parents=True)
    (broken / "R1.ics").write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\n", encoding="utf-8")
    for folder, words in ((tmp_path / "empty", "no calendar folder"), (broken.parent, "R1.ics")):
        code, output = run_cli("plan", str(tiny), "-o", str(tmp_path / "out"), "--previous", str(folder))
        assert code == 2 and words in output and "Traceback" not in output, output
        assert not (tmp_path / "out").exists()
