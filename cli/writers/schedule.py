"""Exports of the visit schedule: the workbook of `salesplan schedule` (plan.xlsx: a summary per rep, the
visits, days and drops, a sheet per rep) and week_<rep>.html (the map of one rep's week). Calendars:
calendar.py; the workbook of `salesplan plan`: plan.py.

Times are the scenario's local time (TIMEZONE; scenarios carry no time zone of their own yet).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ...optimizer.data import WEEKDAYS, PlanData
from ...optimizer.schedule import DayPlan, ScheduleResult, clock
from ...optimizer.schedule.result import TIMEZONE
from .calendar import file_stem, write_calendars
from .maps import MapLayer, MapLine, MapPoint, colour, map_page
from .workbook import Table, write_workbook

__all__ = ["TIMEZONE", "file_stem", "rep_tables", "schedule_workbook", "week_map", "write_calendars"]

SHEET_COLUMNS = ["date", "weekday", "start", "end", "account", "address", "travel", "account_name", "order"]


def rep_summary_frame(result: ScheduleResult, data: PlanData) -> pd.DataFrame:
    """Per rep: accounts, visits planned, scheduled and dropped, days, hours, and the solve."""
    days_of: dict[str, list[DayPlan]] = {}
    for d in result.days:
        days_of.setdefault(d.rep_id, []).append(d)
    rows = []
    for rep in result.reps:
        days = days_of.get(rep.rep_id, [])
        rows.append({
            "rep": rep.rep_id, "name": data.rep_by_id[rep.rep_id].name, "accounts": rep.accounts,
            "planned visits": rep.planned_visits, "scheduled visits": rep.scheduled_visits,
            "dropped visits": rep.planned_visits - rep.scheduled_visits, "working days": rep.working_days,
            "days with visits": len(days), "travel hours": round(rep.travel_minutes / 60, 2),
            "visit hours": round(sum(d.visit_minutes for d in days) / 60, 2),
            "mean day hours": round(sum(d.length for d in days) / 60 / max(len(days), 1), 2),
            "status": rep.info.status.value, "gap": None if rep.info.gap is None else round(rep.info.gap, 4),
        })  # fmt: skip
    return pd.DataFrame(rows)


def rep_tables(result: ScheduleResult, data: PlanData) -> list[Table]:
    """One sheet per rep with visits: its visits day by day (every other day shaded)."""
    accounts = data.account_by_id
    tables = []
    for rep in data.reps:
        visits = result.visits_of(rep.id)
        if not visits:
            continue
        rows = []
        for v in visits:
            account = accounts[v.account_id]
            rows.append({
                "date": v.date.isoformat(), "weekday": WEEKDAYS[v.date.weekday()], "start": clock(v.start),
                "end": clock(v.end), "account": v.account_id,
                "address": account.address or f"{account.lat:.5f}, {account.lon:.5f}",
                "travel": v.travel_minutes_before, "account_name": account.name, "order": v.order,
            })  # fmt: skip
        tables.append(Table(rep.id, pd.DataFrame(rows, columns=SHEET_COLUMNS), band_by="date"))
    return tables


def schedule_workbook(
    result: ScheduleResult, data: PlanData, path: Path, visits: pd.DataFrame | None = None
) -> list[str]:
    """plan.xlsx of `salesplan schedule`: Summary (per rep), Visits, Days, a sheet per rep, Dropped."""
    tables = [
        Table("Summary", rep_summary_frame(result, data)),
        Table("Visits", result.visits_frame(data) if visits is None else visits, band_by="date"),
        Table("Days", result.days_frame()),
        *rep_tables(result, data),
        Table("Dropped", result.dropped_frame(data)),
    ]
    return write_workbook(path, tables, title=f"Visit schedule — {data.name}", created=data.horizon.start)


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
