"""Everything `salesplan plan` writes: the tables, summary.json, calendars, plan.xlsx, charts, report.html."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ...pipeline import TABLES, PlanResult, PlanSummary, StageStatus
from ..sanitize import json_text
from . import allocation as allocation_writer
from . import rank as rank_writer
from .calendar import CalendarPlan, plan_calendar, write_calendars
from .calendar_previous import PreviousPlan
from .report import KpiRow, ReportContent, report_html
from .schedule import rep_tables
from .tables import DEFAULT_CSV_ENCODING, write_csv
from .territories import territory_layers
from .workbook import Table, write_workbook

FILES = (
    *(f"{name}.csv" for name in TABLES),
    "summary.json", "calendar/<rep>.ics", "plan.xlsx", "matrix.png", "sizing.png", "report.html",
)  # fmt: skip
SHEETS = (  # plan.xlsx: (sheet, table), after Summary and Solvers; then Calendar changes, a sheet per rep
    ("Accounts", "accounts"), ("Opportunities", "opportunities"), ("Allocation", "allocation"),
    ("Capacity", "capacity"), ("Reps", "reps"), ("Sizing", "sizing"), ("Territories", "territories"),
    ("Territory summary", "territory_summary"), ("Changes", "changes"), ("Visits", "visits"),
    ("Days", "days"), ("Dropped", "dropped"), ("Work", "work"), ("Workload", "workload"),
    ("Unreachable", "unreachable"), ("Shortfall", "shortfall"),
)  # fmt: skip
STATUS_WORDS = {
    "optimal": "the best possible plan (proven)",
    "feasible": "a good plan; the best possible is not proven",
    "infeasible": "no plan satisfies the rules",
    "unknown": "no plan found in the time allowed",
}


def summary_json(summary: PlanSummary) -> str:
    return json_text(summary.model_dump(mode="json"), indent=2) + "\n"


def write_plan(
    result: PlanResult, folder: Path, *, timings: bool = True, csv_encoding: str = DEFAULT_CSV_ENCODING,
    previous: PreviousPlan | None = None, travel_blocks: bool = False,
) -> CalendarPlan:  # fmt: skip
    """Write every output of a plan into ``folder`` (the staging folder of an OutputFolder); with the
    ``previous`` plan's calendars, keep their UIDs, cancel what is gone and list the changes;
    ``travel_blocks``: a busy event per travel leg in the calendars. Returns the calendar's entries and
    cancellations."""
    data = result.data
    summary = result.summary if timings else result.summary.without_timings()
    calendar = plan_calendar(result.schedule, data, previous, travel=travel_blocks)
    frames = dict(result.frames)
    frames["visits"] = frames["visits"].assign(visit_id=calendar.visit_ids)
    unplaced = [""] * len(result.schedule.work_short)  # work.csv's rows of work that does not fit come last
    frames["work"] = frames["work"].assign(work_id=[*calendar.work_ids, *unplaced])
    for name, frame in frames.items():  # TABLES always, shortfall.csv when a tier minimum is short
        write_csv(frame, folder / f"{name}.csv", csv_encoding)
    (folder / "summary.json").write_text(summary_json(summary), encoding="utf-8")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0) if timings else None
    write_calendars(result.schedule, data, folder / "calendar", calendar, stamp)
    changes = calendar.changes_frame(data) if calendar.compared else None
    if changes is not None:
        write_csv(changes, folder / "calendar" / "changes.csv", csv_encoding)
    write_workbook(
        folder / "plan.xlsx", plan_tables(result, summary, frames, changes),
        title=f"Sales plan — {data.name}", created=data.horizon.start, comments="salesplan plan",
    )  # fmt: skip
    rank_writer.write_matrix(folder / "matrix.png", data, result.opportunities)
    assert result.sizing is not None
    allocation_writer.sizing_chart(result.sizing, folder / "sizing.png", data.currency)
    images = {
        "Opportunity matrix: size × likelihood, coloured by action; chosen ones ringed": (
            folder / "matrix.png"
        ).read_bytes(),
        "Sizing: net profit against the number of reps per region": (folder / "sizing.png").read_bytes(),
    }
    (folder / "report.html").write_text(
        report_html(report_content(result, summary, images)), encoding="utf-8"
    )
    return calendar


def kpi_frame(summary: PlanSummary) -> pd.DataFrame:
    """The Summary sheet: every key figure in plain words, current plan against this plan."""
    better = {True: "higher", False: "lower", None: ""}
    return pd.DataFrame(
        [
            {"figure": k.name, "current plan": k.current, "this plan": k.planned, "change": None if k.change is None else round(k.change, 2),
             "unit": k.unit, "better when": better[k.higher_is_better]}
            for k in summary.kpis
        ],
        columns=["figure", "current plan", "this plan", "change", "unit", "better when"],
    )  # fmt: skip


def _stage_words(stage: StageStatus) -> str:
    words = STATUS_WORDS.get(stage.status, stage.status)
    if stage.status == "feasible" and stage.gap is not None:
        words = f"a good plan, at most {stage.gap:.1%} from the best possible"
    return words + ("; stopped at the time limit" if stage.time_limit_hit else "")


def stage_frame(summary: PlanSummary) -> pd.DataFrame:
    """The Solvers sheet: how each decision was made, in words, with the figures behind it."""
    return pd.DataFrame(
        [
            {"decision": s.stage, "result": _stage_words(s), "method": s.solver, "objective": s.objective,
             "best possible (bound)": s.bound, "gap": s.gap, "seconds": s.runtime_seconds, "note": s.message}
            for s in summary.stages
        ],
        columns=["decision", "result", "method", "objective", "best possible (bound)", "gap", "seconds", "note"],
    )  # fmt: skip


def plan_tables(
    result: PlanResult, summary: PlanSummary, frames: dict[str, pd.DataFrame], changes: pd.DataFrame | None
) -> list[Table]:
    """plan.xlsx: Summary, Solvers, every table of the plan, Calendar changes, then a sheet per rep."""
    tables = [Table("Summary", kpi_frame(summary)), Table("Solvers", stage_frame(summary))]
    tables += [
        Table(title, frames[name], "date" if name == "visits" else None)
        for title, name in SHEETS
        if name in frames
    ]
    if changes is not None:
        tables.append(Table("Calendar changes", changes))
    return tables + rep_tables(result.schedule, result.data)


def write_plans(
    plans: dict[str, PlanResult],
    folder: Path,
    *,
    timings: bool = True,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> None:
    """Write each named plan into ``folder/<name>/`` (compare's and sweep's plans/ folder)."""
    for name, result in plans.items():
        target = folder / name
        target.mkdir(parents=True)
        write_plan(result, target, timings=timings, csv_encoding=csv_encoding)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:,.1f} %"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def kpi_rows(summary: PlanSummary) -> list[KpiRow]:
    rows = []
    for kpi in summary.kpis:
        change = kpi.change
        shown = ""
        better = None
        if change is not None:
            shown = _number(change, kpi.unit)
            if not shown.startswith("-"):
                shown = "+" + shown
            if kpi.current and kpi.unit != "%":
                shown += f" ({change / abs(kpi.current):+.1%})"
            if kpi.higher_is_better is not None and abs(change) > 1e-9:
                better = (change > 0) == kpi.higher_is_better
        unit = "" if kpi.unit in ("%",) else f" ({kpi.unit})"
        rows.append(
            KpiRow(
                f"{kpi.name}{unit}",
                _number(kpi.current, kpi.unit),
                _number(kpi.planned, kpi.unit),
                shown,
                better,
            )
        )
    return rows


def balance_frame(result: PlanResult) -> pd.DataFrame:
    tolerance = result.data.rules.workload_tolerance
    rows = []
    for t in result.territories.territories:
        target = t.workload_hours / (1 + t.workload_deviation) if t.workload_deviation > -1 else 0.0
        rows.append(
            {
                "rep": t.rep_id, "region": t.region, "workload_hours": t.workload_hours, "target_hours": target,
                "deviation_pct": 100.0 * t.workload_deviation,
                "tolerance_pct": None if tolerance is None else 100.0 * tolerance,
            }
        )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["rep", "region", "workload_hours", "target_hours", "deviation_pct", "tolerance_pct"]
    )


def report_content(result: PlanResult, summary: PlanSummary, images: dict[str, bytes]) -> ReportContent:
    data = result.data
    layers, legend = territory_layers(result.territories, data)
    solvers = [
        {
            "stage": s.stage, "solver": s.solver, "status": s.status,
            "objective": "" if s.objective is None else f"{s.objective:,.2f}",
            "bound": "" if s.bound is None else f"{s.bound:,.2f}",
            "gap": "" if s.gap is None else f"{s.gap:.3%}",
            "time": "" if s.runtime_seconds is None else f"{s.runtime_seconds:.1f} s",
            "note": s.message + (" (time limit hit)" if s.time_limit_hit else ""),
        }
        for s in summary.stages
    ]  # fmt: skip
    frames = result.frames
    changes = frames["changes"]
    dropped = frames["dropped"]
    subtitle = (
        f"{summary.horizon} · {summary.regions} region(s), {summary.reps} reps, {summary.accounts} accounts, "
        f"{summary.opportunities} opportunities · money in {summary.currency}"
    )
    notes = [
        "Current plan: the previous alignment and the current visits per month. Travel hours come from the "
        "day-by-day routes of this plan; the current plan has no routes to compare with.",
    ]
    if result.schedule.nights:
        notes.append(
            f"Tours: {result.schedule.nights} nights away; their hotel and per diem "
            f"({result.schedule.night_cost:,.0f} {data.currency} over the horizon) are taken off the total "
            "value; the drives to and from the nights' places are in the travel hours (days.csv)."
        )
    return ReportContent(
        title=f"Sales plan — {data.name}",
        subtitle=subtitle,
        kpis=kpi_rows(summary),
        solvers=solvers,
        layers=layers,
        legend=legend,
        balance=balance_frame(result),
        images=images,
        changes=changes,
        dropped=dropped,
        notes=notes,
    )
