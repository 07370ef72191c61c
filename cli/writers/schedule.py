"""Exports of the visit schedule: visits.csv, days.csv, dropped.csv, calendar/<rep>.ics, plan.xlsx and
week_<rep>.html (the map of one rep's week).

Every file is byte-identical across runs of the same plan: calendars carry UIDs derived from scenario,
rep, account and date and a DTSTAMP derived from the horizon start; the workbook a fixed created date.
Times are the scenario's local time (TIMEZONE; scenarios carry no time zone of their own yet).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import icalendar
import xlsxwriter

from ...optimizer.data import WEEKDAYS, Opportunity, PlanData
from ...optimizer.schedule import DayPlan, ScheduledVisit, ScheduleResult, clock
from ..output import neutralise
from .maps import MapLayer, MapLine, MapPoint, colour, map_page

TIMEZONE = "Asia/Shanghai"
SHEET_COLUMNS = ["date", "weekday", "start", "end", "account", "address", "travel"]


def file_stem(rep_id: str, taken: set[str] | None = None) -> str:
    """A file-system-safe name for a rep id (unique within ``taken``, which it updates)."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", rep_id).strip(".") or "rep"
    if taken is not None:
        base, k = stem, 2
        while stem.lower() in taken:
            stem, k = f"{base}-{k}", k + 1
        taken.add(stem.lower())
    return stem


def _uid(data: PlanData, visit: ScheduledVisit) -> str:
    key = "\x1f".join((data.name, visit.rep_id, visit.account_id, visit.date.isoformat()))
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@salesplan"


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


def rep_calendar(result: ScheduleResult, data: PlanData, rep_id: str, timezone: str = TIMEZONE) -> bytes:
    """One rep's visits as an iCalendar file (RFC 5545), one VEVENT per visit."""
    zone = zoneinfo.ZoneInfo(timezone)
    stamp = dt.datetime.combine(data.horizon.start, dt.time(0, 0), tzinfo=dt.UTC)
    rep = data.rep_by_id[rep_id]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//salesplan//visit schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{rep.name or rep.id} — {data.name}")
    calendar.add("x-wr-timezone", timezone)
    for visit in result.visits_of(rep_id):
        account = data.account_by_id[visit.account_id]
        linked = [data.opportunity_by_id[i] for i in result.opportunities.get(account.id, ())]
        event = icalendar.Event()
        event.add("uid", _uid(data, visit))
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(visit.date, visit.start_time, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(visit.date, visit.end_time, tzinfo=zone))
        event.add("summary", account.name or account.id)
        event.add("location", account.address or f"{account.lat:.5f}, {account.lon:.5f}")
        event.add("geo", (account.lat, account.lon))
        event.add("description", _description(result.purpose(account.id, data), linked, data.currency))
        event.add("categories", ["salesplan", f"account {account.id}"])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def write_calendars(result: ScheduleResult, data: PlanData, folder: Path) -> dict[str, Path]:
    """calendar/<rep>.ics for every rep with visits; returns rep id → path."""
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths: dict[str, Path] = {}
    for rep in data.reps:
        if not result.visits_of(rep.id):
            continue
        path = folder / f"{file_stem(rep.id, taken)}.ics"
        path.write_bytes(rep_calendar(result, data, rep.id))
        paths[rep.id] = path
    return paths


def _sheet_name(rep_id: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", rep_id)[:28].strip("'") or "rep"
    base, k = name, 2
    while name.lower() in taken or name.lower() == "summary":
        name, k = f"{base[:25]}-{k}", k + 1
    taken.add(name.lower())
    return name


def write_workbook(result: ScheduleResult, data: PlanData, path: Path) -> None:
    """plan.xlsx: a Summary sheet (per rep), one sheet per rep (its visits by day), a Dropped sheet."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({
        "title": f"Visit schedule — {data.name}", "author": "salesplan", "comments": "salesplan schedule",
        "created": dt.datetime.combine(data.horizon.start, dt.time(0, 0)),
    })  # fmt: skip
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    band = workbook.add_format({"bg_color": "#F2F2F2"})
    accounts, reps = data.account_by_id, data.rep_by_id
    days_of: dict[str, list[DayPlan]] = {}
    for d in result.days:
        days_of.setdefault(d.rep_id, []).append(d)
    summary = workbook.add_worksheet("Summary")
    columns = [
        "rep",
        "name",
        "accounts",
        "planned visits",
        "scheduled visits",
        "dropped visits",
        "working days",
        "days with visits",
        "travel hours",
        "visit hours",
        "mean day hours",
        "objective",
        "bound",
        "gap",
    ]
    summary.write_row(0, 0, columns, head)
    taken: set[str] = set()
    sheets = []
    for row, rep in enumerate(result.reps, start=1):
        days = days_of.get(rep.rep_id, [])
        gap = rep.info.gap
        summary.write_row(row, 0, [
            neutralise(rep.rep_id), neutralise(reps[rep.rep_id].name), rep.accounts, rep.planned_visits,
            rep.scheduled_visits, rep.planned_visits - rep.scheduled_visits, rep.working_days, len(days),
            round(rep.travel_minutes / 60, 2), round(sum(d.visit_minutes for d in days) / 60, 2),
            round(sum(d.length for d in days) / 60 / max(len(days), 1), 2),
            round(rep.info.objective or 0.0, 2), round(rep.info.bound or 0.0, 2),
            "" if gap is None else round(gap, 4),
        ])  # fmt: skip
        sheets.append((rep.rep_id, _sheet_name(rep.rep_id, taken)))
    summary.set_column(0, 1, 14)
    summary.set_column(2, len(columns) - 1, 12)
    summary.freeze_panes(1, 0)
    for rep_id, name in sheets:
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [*SHEET_COLUMNS, "account_name", "order"], head)
        previous, shade = None, False
        for row, v in enumerate(result.visits_of(rep_id), start=1):
            if v.date != previous:
                previous, shade = v.date, not shade
            account = accounts[v.account_id]
            cells = [v.date.isoformat(), WEEKDAYS[v.date.weekday()], clock(v.start), clock(v.end), v.account_id,
                     account.address or f"{account.lat:.5f}, {account.lon:.5f}", v.travel_minutes_before,
                     account.name, v.order]  # fmt: skip
            sheet.write_row(row, 0, [neutralise(c) for c in cells], band if shade else None)
        sheet.set_column(0, 0, 11)
        sheet.set_column(1, 3, 8)
        sheet.set_column(4, 4, 12)
        sheet.set_column(5, 5, 36)
        sheet.set_column(6, 6, 7)
        sheet.set_column(7, 7, 30)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, len(result.visits_of(rep_id))), len(SHEET_COLUMNS) + 1)
    dropped = workbook.add_worksheet("Dropped")
    frame = result.dropped_frame(data)
    dropped.write_row(0, 0, list(frame.columns), head)
    for row, values in enumerate(frame.itertuples(index=False), start=1):
        dropped.write_row(row, 0, [neutralise(v) for v in values])
    dropped.set_column(0, 3, 12)
    dropped.set_column(5, 5, 100)
    workbook.close()


def week_map(result: ScheduleResult, data: PlanData, rep_id: str, week: int) -> str:
    """HTML map of one rep's week ``week`` (1 = the horizon's first week): a layer per day with the
    route (straight lines home → visits → home) and numbered stops."""
    rep = data.rep_by_id[rep_id]
    first = data.horizon.start + dt.timedelta(days=7 * (week - 1))
    home = (rep.home_lat, rep.home_lon)
    layers, legend = [], []
    for k in range(7):
        date = first + dt.timedelta(days=k)
        visits = [v for v in result.visits_of(rep_id) if v.date == date]
        if not visits:
            continue
        tint = colour(k)
        accounts = [data.account_by_id[v.account_id] for v in visits]
        path = (home, *((a.lat, a.lon) for a in accounts), home)
        label = f"{WEEKDAYS[date.weekday()]} {date.isoformat()}"
        points = [
            MapPoint(a.lat, a.lon, tint, 6.0, (f"{v.order}. {a.name or a.id}", f"{clock(v.start)}–{clock(v.end)}",
                     f"account {a.id}", f"travel before: {v.travel_minutes_before} min"))
            for v, a in zip(visits, accounts, strict=True)
        ]  # fmt: skip
        layers.append(MapLayer(label, points, [MapLine(path, tint, 3.0, (label, f"{len(visits)} visits"))]))
        legend.append((f"{label}: {len(visits)} visits", tint))
    layers.append(
        MapLayer(
            "home",
            [
                MapPoint(
                    rep.home_lat,
                    rep.home_lon,
                    "#000000",
                    8.0,
                    (f"{rep.name or rep.id}", "home / office"),
                    False,
                )
            ],
        )
    )
    title = f"{rep.name or rep.id} — week {week} ({first.isoformat()})"
    return map_page(title, layers, legend, note=f"{data.name}. Lines are straight, not roads.")
