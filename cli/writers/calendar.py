"""Calendars that survive re-planning: calendar/<rep>.ics, calendar/<rep>.cancel.ics, calendar/changes.csv.

A rep's calendar holds an event per visit, then one per block of opportunity work (work.csv; identity,
pairing and text in calendar_work.py), then one per night away and, when asked for (``--travel-blocks``),
one per travel leg (calendar_tours.py), for every rep with any of them.

**Identity.** A visit's UID is its ``visit_id`` (visits.csv): rep, account and the visit's ordinal among
that rep's visits to that account over the horizon, hashed with the horizon's start
(:meth:`ScheduleResult.visit_ids`). The scenario's name, the seed and the date are not part of it, so a
renamed scenario, another seed or a visit moved by a day keep the UID: a calendar program updates the
event instead of adding a second one.

**Against the previous plan** (``plan --previous PLAN_DIR``): its calendars are read back
(calendar_previous.py); for each rep and account, the new visits are aligned with the previous ones in
date order (the alignment that moves dates least; a visit four weeks or more from every previous one is
new). An aligned visit keeps the previous UID; its SEQUENCE grows by one when its time, title, place or description changed. A previous
visit (or work block, night or travel leg) left without a partner is cancelled in ``<rep>.cancel.ics``
(METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE + 1). ``changes.csv`` lists every visit of both plans with what
happened to it (work blocks, nights and travel legs are counted by :meth:`CalendarPlan.counts`, not listed).

DTSTAMP is the run's time (the horizon's start under ``--no-timings``, so the bytes repeat). Text goes
through :func:`~salesplan.cli.sanitize.ics_text` and out as RFC 5545 TEXT (``icalendar.vText``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pandas as pd

from ...optimizer.data import Opportunity, PlanData
from ...optimizer.schedule import ScheduledVisit, ScheduleResult
from ...optimizer.schedule.result import TIMEZONE
from ..sanitize import ics_text, one_line
from .calendar_previous import PastEvent, PreviousPlan, change_of, fresh_uid
from .calendar_tours import CATEGORY, TourEntry, plan_tours
from .calendar_work import WORK_CATEGORY, WorkEntry, plan_work, span, work_fields

PRODID = "-//salesplan//visit schedule//EN"
NEW_VISIT_DAYS = 28  # a visit four weeks or more from every previous one of its rep and account is new
CHANGE_COLUMNS = [
    "rep",
    "visit_id",
    "account",
    "account_name",
    "change",
    "sequence",
    "previous_start",
    "start",
]


@dataclass(frozen=True)
class Entry:
    """A visit as it goes into the calendar: its UID, SEQUENCE and what changed since the previous plan."""

    visit: ScheduledVisit
    uid: str
    sequence: int
    change: str  # new, unchanged, moved (time or date), updated (title, place or description)
    previous_start: dt.datetime | None = None


@dataclass(frozen=True)
class CalendarPlan:
    """Every visit's calendar entry (in the order of the schedule's visits), every work block's (in the
    order of its blocks), every night's and travel leg's (calendar_tours.py) and the previous plan's
    events that are gone (of every kind)."""

    entries: tuple[Entry, ...]
    cancelled: tuple[PastEvent, ...]
    compared: bool  # True when there was a previous plan
    work: tuple[WorkEntry, ...] = ()
    tours: tuple[TourEntry, ...] = ()

    @property
    def visit_ids(self) -> list[str]:
        return [e.uid for e in self.entries]

    @property
    def work_ids(self) -> list[str]:
        return [e.uid for e in self.work]

    def changes_frame(self, data: PlanData) -> pd.DataFrame:
        """changes.csv: one row per visit of either plan (cancelled ones last), by rep; work blocks are
        not listed (their changes show in the calendars and :meth:`counts`)."""
        names = {a.id: a.name for a in data.accounts}
        zone = zoneinfo.ZoneInfo(TIMEZONE)

        def shown(moment: dt.datetime | None) -> str:
            return "" if moment is None else moment.astimezone(zone).isoformat()

        rows = [
            {"rep": e.visit.rep_id, "visit_id": e.uid, "account": e.visit.account_id,
             "account_name": names.get(e.visit.account_id, ""), "change": e.change, "sequence": e.sequence,
             "previous_start": shown(e.previous_start),
             "start": dt.datetime.combine(e.visit.date, e.visit.start_time, tzinfo=zone).isoformat()}
            for e in self.entries
        ]  # fmt: skip
        rows += [
            {"rep": c.rep, "visit_id": c.uid, "account": c.account, "account_name": names.get(c.account, ""),
             "change": "cancelled", "sequence": c.sequence + 1, "previous_start": shown(c.start), "start": ""}
            for c in self.cancelled
            if not c.opportunity and not c.kind
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
        return frame.sort_values(["rep", "start", "previous_start"], kind="stable").reset_index(drop=True)

    def counts(self, *, work: bool = False, kind: str = "") -> dict[str, int]:
        """How many visits (``work``: work blocks; ``kind``: nights or travel legs, calendar_tours.py) are
        new, unchanged, moved, updated and cancelled."""
        if kind:
            found = Counter(e.change for e in self.tours if e.kind == kind)
            found["cancelled"] = sum(c.kind == kind for c in self.cancelled)
            return dict(found)
        found = Counter(e.change for e in (self.work if work else self.entries))
        found["cancelled"] = sum(bool(c.opportunity) == work for c in self.cancelled if not c.kind)
        return dict(found)


def file_stem(rep_id: str, taken: set[str] | None = None) -> str:
    """A file-system-safe name for a rep id (unique within ``taken``, which it updates)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", one_line(rep_id)).strip(".")[:80] or "rep"
    if taken is not None:
        base, k = stem, 2
        while stem.lower() in taken:
            stem, k = f"{base}-{k}", k + 1
        taken.add(stem.lower())
    return stem


# Matching the new visits with the previous ones ---------------------------------------------------------


def _align(previous: Sequence[PastEvent], new: Sequence[dt.datetime]) -> list[int | None]:
    """For each new visit (in date order), the index of its previous partner or None: the order-keeping
    alignment with the least total shift in days, where leaving a visit unpaired costs NEW_VISIT_DAYS/2."""
    gap = NEW_VISIT_DAYS / 2
    m, n = len(previous), len(new)
    cost = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        cost[i][0] = i * gap
    for j in range(1, n + 1):
        cost[0][j] = j * gap
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            shift = abs((new[j - 1] - previous[i - 1].start).total_seconds()) / 86400
            cost[i][j] = min(cost[i - 1][j - 1] + shift, cost[i - 1][j] + gap, cost[i][j - 1] + gap)
    partner: list[int | None] = [None] * n
    i, j = m, n
    while i > 0 and j > 0:
        shift = abs((new[j - 1] - previous[i - 1].start).total_seconds()) / 86400
        if cost[i][j] == cost[i - 1][j - 1] + shift:
            partner[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + gap:
            i -= 1
        else:
            j -= 1
    return partner


def plan_calendar(
    result: ScheduleResult, data: PlanData, previous: PreviousPlan | None = None, *, travel: bool = False
) -> CalendarPlan:
    """UIDs, SEQUENCE numbers and changes of every visit, work block (calendar_work.py) and night (with
    ``travel``, travel leg: calendar_tours.py); the previous plan's events that are gone."""
    ids = result.visit_ids(data)
    visits = result.visits
    if previous is None:
        work, _ = plan_work(result, data, (), set(ids))
        tours, _ = plan_tours(result, data, (), travel=travel)
        return CalendarPlan(
            tuple(Entry(v, uid, 0, "new") for v, uid in zip(visits, ids, strict=True)), (), False, work, tours
        )
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    past_visits = [e for e in previous.events if not e.opportunity and not e.kind]
    past_of: dict[tuple[str, str], list[PastEvent]] = defaultdict(list)
    for event in sorted(past_visits, key=lambda e: (e.start, e.uid)):
        past_of[event.rep, event.account].append(event)
    new_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    starts = [dt.datetime.combine(v.date, v.start_time, tzinfo=zone) for v in visits]
    for i in sorted(range(len(visits)), key=lambda i: (starts[i], i)):
        new_of[ics_text(visits[i].rep_id), ics_text(visits[i].account_id)].append(i)
    used = {e.uid for e in previous.events}
    entries: list[Entry | None] = [None] * len(visits)
    paired: set[str] = set()
    for key, indices in new_of.items():
        past = past_of.get(key, [])
        for i, p in zip(indices, _align(past, [starts[k] for k in indices]), strict=True):
            if p is None:
                continue
            old = past[p]
            paired.add(old.uid)
            change = _change(old, result, data, visits[i], starts[i])
            entries[i] = Entry(visits[i], old.uid, old.sequence + (change != "unchanged"), change, old.start)
    for i, visit in enumerate(visits):
        if entries[i] is None:
            entries[i] = Entry(visit, fresh_uid(ids[i], used), 0, "new")
    cancelled = tuple(e for e in past_visits if e.uid not in paired)
    work, work_gone = plan_work(result, data, [e for e in previous.events if e.opportunity], used)
    tours, tours_gone = plan_tours(result, data, [e for e in previous.events if e.kind], travel=travel)
    return CalendarPlan(
        tuple(e for e in entries if e is not None), (*cancelled, *work_gone, *tours_gone), True, work, tours
    )


def _change(
    old: PastEvent, result: ScheduleResult, data: PlanData, visit: ScheduledVisit, start: dt.datetime
) -> str:
    end = start + dt.timedelta(minutes=visit.end - visit.start)
    return change_of(old, start, end, _fields(result, data, visit))


# Writing ----------------------------------------------------------------------------------------------


def _description(purpose: str, opportunities: Sequence[Opportunity], currency: str) -> str:
    lines = [f"Purpose: {purpose}"]
    for o in opportunities:
        line = f"- {o.id} {o.type}: {o.size:,.0f} {currency} at {o.probability:.0%}"
        if o.due_date:
            line += f", due {o.due_date.isoformat()}"
        if o.description:
            line += f" — {o.description}"
        lines.append(line)
    return "\n".join(lines)


def _fields(result: ScheduleResult, data: PlanData, visit: ScheduledVisit) -> dict[str, str]:
    """The visit's text properties, sanitised (as the calendar holds them and reads them back)."""
    account = data.account_by_id[visit.account_id]
    linked = [data.opportunity_by_id[i] for i in result.opportunities.get(account.id, ())]
    place = account.address or f"{account.name or account.id} ({account.lat:.5f}, {account.lon:.5f})"
    return {
        "summary": ics_text(account.name or account.id),
        "location": ics_text(place),
        "description": ics_text(_description(result.purpose(account.id, data), linked, data.currency)),
    }


def _calendar(name: str, rep_id: str, method: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", icalendar.vText(ics_text(name)))
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("x-salesplan-rep", icalendar.vText(ics_text(rep_id)))
    return calendar


def _event(
    uid: str, sequence: int, stamp: dt.datetime, start: dt.datetime, end: dt.datetime,
    fields: Mapping[str, str],
) -> icalendar.Event:  # fmt: skip
    """The properties every event has: UID, SEQUENCE, DTSTAMP, the times and ``fields`` (sanitised text)."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    for name, text in fields.items():
        event.add(name, icalendar.vText(text))
    return event


def _carry(
    event: icalendar.Event, rep: str, account: str, opportunity: str = "", kind: str = ""
) -> icalendar.Event:
    """The ids salesplan reads back from the event (calendar_previous.py); an opportunity marks work, a
    kind a night or a travel leg (which name no account)."""
    event.add("x-salesplan-rep", icalendar.vText(ics_text(rep)))
    if kind:
        event.add("x-salesplan-kind", icalendar.vText(kind))
    else:
        event.add("x-salesplan-account", icalendar.vText(ics_text(account)))
    if opportunity:
        event.add("x-salesplan-opportunity", icalendar.vText(ics_text(opportunity)))
    return event


def rep_calendar(
    result: ScheduleResult, data: PlanData, rep_id: str, entries: Sequence[Entry], stamp: dt.datetime,
    work: Sequence[WorkEntry] = (), tours: Sequence[TourEntry] = (),
) -> bytes:  # fmt: skip
    """One rep's visits and opportunity work as an iCalendar file (RFC 5545): one VEVENT per visit, then
    one per work block (CATEGORIES 'opportunity work', no place), then one per night and travel leg
    (CATEGORIES 'overnight' or 'travel', busy)."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    rep = data.rep_by_id[rep_id]
    calendar = _calendar(f"{rep.name or rep.id} — {data.name}", rep_id, "PUBLISH")
    for entry in entries:
        visit = entry.visit
        account = data.account_by_id[visit.account_id]
        event = _event(
            entry.uid, entry.sequence, stamp,
            dt.datetime.combine(visit.date, visit.start_time, tzinfo=zone),
            dt.datetime.combine(visit.date, visit.end_time, tzinfo=zone), _fields(result, data, visit),
        )  # fmt: skip
        event.add("geo", (account.lat, account.lon))
        event.add("categories", ["salesplan", ics_text(f"account {account.id}")])
        calendar.add_component(_carry(event, rep_id, account.id))
    for item in work:
        block = item.block
        event = _event(item.uid, item.sequence, stamp, *span(block), work_fields(data, block))
        event.add("categories", [
            "salesplan", WORK_CATEGORY, ics_text(f"account {block.account_id}"),
            ics_text(f"opportunity {block.opportunity_id}"),
        ])  # fmt: skip
        calendar.add_component(_carry(event, rep_id, block.account_id, block.opportunity_id))
    for tour in tours:
        event = _event(tour.uid, tour.sequence, stamp, tour.start, tour.end, tour.fields)
        if tour.geo is not None:
            event.add("geo", tour.geo)
        event.add("transp", "OPAQUE")
        event.add("categories", ["salesplan", CATEGORY[tour.kind]])
        calendar.add_component(_carry(event, rep_id, "", kind=tour.kind))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def cancel_calendar(name: str, rep: str, cancelled: Sequence[PastEvent], stamp: dt.datetime) -> bytes:
    """METHOD:CANCEL for the previous plan's visits, work blocks, nights and travel legs of one rep that
    are gone."""
    calendar = _calendar(f"{name} — cancelled", rep, "CANCEL")
    for old in cancelled:
        event = _event(old.uid, old.sequence + 1, stamp, old.start, old.end, {"summary": old.summary})
        event.add("status", "CANCELLED")
        calendar.add_component(_carry(event, old.rep, old.account, old.opportunity, old.kind))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def write_calendars(
    result: ScheduleResult, data: PlanData, folder: Path, plan: CalendarPlan | None = None,
    stamp: dt.datetime | None = None,
) -> dict[str, Path]:  # fmt: skip
    """calendar/<rep>.ics for every rep with visits, work or nights, <rep>.cancel.ics for every rep with cancelled
    events; returns rep id → path of its calendar. ``stamp`` (DTSTAMP) defaults to the horizon's start."""
    plan = plan or plan_calendar(result, data)
    stamp = stamp or dt.datetime.combine(data.horizon.start, dt.time(0, 0), tzinfo=dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    stems = {rep.id: file_stem(rep.id, taken) for rep in data.reps}
    entries_of: dict[str, list[Entry]] = defaultdict(list)
    for entry in plan.entries:
        entries_of[entry.visit.rep_id].append(entry)
    work_of: dict[str, list[WorkEntry]] = defaultdict(list)
    for item in plan.work:
        work_of[item.block.rep_id].append(item)
    tours_of: dict[str, list[TourEntry]] = defaultdict(list)
    for tour in plan.tours:
        tours_of[tour.rep_id].append(tour)
    paths: dict[str, Path] = {}
    for rep in data.reps:
        if entries_of.get(rep.id) or work_of.get(rep.id) or tours_of.get(rep.id):
            path = folder / f"{stems[rep.id]}.ics"
            path.write_bytes(rep_calendar(
                result, data, rep.id, entries_of[rep.id], stamp, work_of[rep.id], tours_of[rep.id]
            ))  # fmt: skip
            paths[rep.id] = path
    carried = {ics_text(rep.id): rep.id for rep in data.reps}
    gone: dict[str, list[PastEvent]] = defaultdict(list)
    for old in plan.cancelled:
        gone[old.rep].append(old)
    for rep_text in sorted(gone):
        rep_id = carried.get(rep_text)
        stem = stems[rep_id] if rep_id is not None else file_stem(rep_text, taken)
        known = data.rep_by_id.get(rep_id) if rep_id is not None else None
        name = f"{(known.name or known.id) if known else rep_text} — {data.name}"
        (folder / f"{stem}.cancel.ics").write_bytes(cancel_calendar(name, rep_text, gone[rep_text], stamp))
    return paths
