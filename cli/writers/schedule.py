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
from collections.abc import Mapping, Sequence
from pathlib import Path

import icalendar
import pandas as pd
import xlsxwriter

from ...optimizer.schedule import ScheduledVisit, ScheduleResult, clock
from ...scenarios.fields import WEEKDAYS
from ...scenarios.model import Scenario
from ...scenarios.tables import Opportunity
from ..output import neutralise
from .maps import MapLayer, MapLine, MapPoint, colour, map_page

TIMEZONE = "Asia/Shanghai"
VISIT_COLUMNS = ["rep", "date", "start", "end", "account", "travel_minutes_before"]
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


def opportunities_of(
    scenario: Scenario, opportunity_ids_by_account: Mapping[str, Sequence[str]] | None = None
) -> dict[str, list[Opportunity]]:
    """Opportunities linked to each account: the chosen ones when a portfolio is given, else all that
    are not excluded."""
    by_id = {o.id: o for o in scenario.opportunities}
    if opportunity_ids_by_account is not None:
        return {a: [by_id[i] for i in ids if i in by_id] for a, ids in opportunity_ids_by_account.items()}
    result: dict[str, list[Opportunity]] = {}
    for o in scenario.opportunities:
        if not o.exclude:
            result.setdefault(o.account, []).append(o)
    return result


def purpose_of(result: ScheduleResult, account_id: str, opportunities: Sequence[Opportunity]) -> str:
    """One line: why the rep goes (tier coverage and the opportunities to work on)."""
    tier = result.tier_of.get(account_id, "")
    rate = result.visits_per_month.get(account_id, 0.0)
    text = f"tier {tier} coverage, {rate:g} visits/month" if tier else f"coverage, {rate:g} visits/month"
    if opportunities:
        text += "; opportunities: " + ", ".join(f"{o.id} ({o.type})" for o in opportunities)
    return text


def visits_frame(
    result: ScheduleResult, scenario: Scenario, opportunities: Mapping[str, Sequence[Opportunity]]
) -> pd.DataFrame:
    """visits.csv: the issue's six columns, then account_name, rep_name, order, purpose."""
    accounts, reps = scenario.account_by_id, scenario.rep_by_id
    rows = [
        {
            "rep": v.rep_id,
            "date": v.date.isoformat(),
            "start": clock(v.start),
            "end": clock(v.end),
            "account": v.account_id,
            "travel_minutes_before": v.travel_minutes_before,
            "account_name": accounts[v.account_id].name,
            "rep_name": reps[v.rep_id].name,
            "order": v.order,
            "purpose": purpose_of(result, v.account_id, opportunities.get(v.account_id, ())),
        }
        for v in result.visits
    ]
    extra = ["account_name", "rep_name", "order", "purpose"]
    return pd.DataFrame(rows, columns=VISIT_COLUMNS + extra)


def days_frame(result: ScheduleResult) -> pd.DataFrame:
    """days.csv: per rep and working day with visits: times and minutes by kind."""
    return pd.DataFrame(
        [
            {
                "rep": d.rep_id,
                "date": d.date.isoformat(),
                "visits": d.visits,
                "leave_home": clock(d.departure),
                "back_home": clock(d.back),
                "lunch_start": "" if d.lunch_start is None else clock(d.lunch_start),
                "lunch_end": "" if d.lunch_end is None else clock(d.lunch_end),
                "travel_minutes": d.travel_minutes,
                "visit_minutes": d.visit_minutes,
                "wait_minutes": d.wait_minutes,
                "day_minutes": d.length,
            }
            for d in result.days
        ],
        columns=["rep", "date", "visits", "leave_home", "back_home", "lunch_start", "lunch_end",
                 "travel_minutes", "visit_minutes", "wait_minutes", "day_minutes"],
    )  # fmt: skip


def dropped_frame(result: ScheduleResult, scenario: Scenario) -> pd.DataFrame:
    """dropped.csv: visits left out, per account, with the reason."""
    names = {a.id: a.name for a in scenario.accounts}
    return pd.DataFrame(
        [
            {"account": d.account_id, "account_name": names.get(d.account_id, ""), "rep": d.rep_id or "",
             "planned_visits": result.planned.get(d.account_id, 0), "dropped_visits": d.visits,
             "reason": d.reason}
            for d in result.dropped
        ],
        columns=["account", "account_name", "rep", "planned_visits", "dropped_visits", "reason"],
    )  # fmt: skip


def _uid(scenario: Scenario, visit: ScheduledVisit) -> str:
    key = "\x1f".join((scenario.name, visit.rep_id, visit.account_id, visit.date.isoformat()))
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


def rep_calendar(
    result: ScheduleResult,
    scenario: Scenario,
    rep_id: str,
    opportunities: Mapping[str, Sequence[Opportunity]],
    timezone: str = TIMEZONE,
) -> bytes:
    """One rep's visits as an iCalendar file (RFC 5545), one VEVENT per visit."""
    zone = zoneinfo.ZoneInfo(timezone)
    stamp = dt.datetime.combine(scenario.horizon.start, dt.time(0, 0), tzinfo=dt.UTC)
    rep = scenario.rep_by_id[rep_id]
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//salesplan//visit schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{rep.name or rep.id} — {scenario.name}")
    calendar.add("x-wr-timezone", timezone)
    currency = scenario.policy.economics.currency
    for visit in result.visits_of(rep_id):
        account = scenario.account_by_id[visit.account_id]
        linked = opportunities.get(account.id, ())
        event = icalendar.Event()
        event.add("uid", _uid(scenario, visit))
        event.add("dtstamp", stamp)
        event.add("dtstart", dt.datetime.combine(visit.date, visit.start_time, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(visit.date, visit.end_time, tzinfo=zone))
        event.add("summary", account.name or account.id)
        event.add("location", account.address or f"{account.lat:.5f}, {account.lon:.5f}")
        event.add("geo", (account.lat, account.lon))
        event.add("description", _description(purpose_of(result, account.id, linked), linked, currency))
        event.add("categories", ["salesplan", f"account {account.id}"])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def write_calendars(
    result: ScheduleResult,
    scenario: Scenario,
    folder: Path,
    opportunities: Mapping[str, Sequence[Opportunity]],
) -> dict[str, Path]:
    """calendar/<rep>.ics for every rep with visits; returns rep id → path."""
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths: dict[str, Path] = {}
    for rep in scenario.reps:
        if not result.visits_of(rep.id):
            continue
        path = folder / f"{file_stem(rep.id, taken)}.ics"
        path.write_bytes(rep_calendar(result, scenario, rep.id, opportunities))
        paths[rep.id] = path
    return paths


def _sheet_name(rep_id: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", rep_id)[:28].strip("'") or "rep"
    base, k = name, 2
    while name.lower() in taken or name.lower() == "summary":
        name, k = f"{base[:25]}-{k}", k + 1
    taken.add(name.lower())
    return name


def write_workbook(result: ScheduleResult, scenario: Scenario, path: Path) -> None:
    """plan.xlsx: a Summary sheet (per rep), one sheet per rep (its visits by day), a Dropped sheet."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({
        "title": f"Visit schedule — {scenario.name}", "author": "salesplan", "comments": "salesplan schedule",
        "created": dt.datetime.combine(scenario.horizon.start, dt.time(0, 0)),
    })  # fmt: skip
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    band = workbook.add_format({"bg_color": "#F2F2F2"})
    accounts, reps = scenario.account_by_id, scenario.rep_by_id
    days_of = {}
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
    frame = dropped_frame(result, scenario)
    dropped.write_row(0, 0, list(frame.columns), head)
    for row, values in enumerate(frame.itertuples(index=False), start=1):
        dropped.write_row(row, 0, [neutralise(v) for v in values])
    dropped.set_column(0, 3, 12)
    dropped.set_column(5, 5, 100)
    workbook.close()


def week_map(result: ScheduleResult, scenario: Scenario, rep_id: str, week: int) -> str:
    """HTML map of one rep's week ``week`` (1 = the horizon's first week): a layer per day with the
    route (straight lines home → visits → home) and numbered stops."""
    rep = scenario.rep_by_id[rep_id]
    first = scenario.horizon.start + dt.timedelta(days=7 * (week - 1))
    home = (rep.home_lat, rep.home_lon)
    layers, legend = [], []
    for k in range(7):
        date = first + dt.timedelta(days=k)
        visits = [v for v in result.visits_of(rep_id) if v.date == date]
        if not visits:
            continue
        tint = colour(k)
        accounts = [scenario.account_by_id[v.account_id] for v in visits]
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
    return map_page(title, layers, legend, note=f"{scenario.name}. Lines are straight, not roads.")
