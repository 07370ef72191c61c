"""Everything `salesplan plan` writes: the tables, summary.json, calendars, plan.xlsx, charts, report.html."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ...pipeline import TABLES, PlanResult, PlanSummary
from ..output import write_csv
from . import allocation as allocation_writer
from . import rank as rank_writer
from . import schedule as schedule_writer
from .report import KpiRow, ReportContent, report_html
from .territories import territory_layers

FILES = (
    *(f"{name}.csv" for name in TABLES),
    "summary.json", "calendar/<rep>.ics", "plan.xlsx", "matrix.png", "sizing.png", "report.html",
)  # fmt: skip


def summary_json(summary: PlanSummary) -> str:
    return json.dumps(summary.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def write_plan(result: PlanResult, folder: Path, *, timings: bool = True) -> None:
    """Write every output of a plan into ``folder`` (the staging folder of an OutputFolder)."""
    data = result.data
    summary = result.summary if timings else result.summary.without_timings()
    for name in TABLES:
        write_csv(result.frames[name], folder / f"{name}.csv")
    (folder / "summary.json").write_text(summary_json(summary), encoding="utf-8")
    schedule_writer.write_calendars(result.schedule, data, folder / "calendar")
    schedule_writer.write_workbook(result.schedule, data, folder / "plan.xlsx")
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


def write_plans(plans: dict[str, PlanResult], folder: Path, *, timings: bool = True) -> None:
    """Write each named plan into ``folder/<name>/`` (compare's and sweep's plans/ folder)."""
    for name, result in plans.items():
        target = folder / name
        target.mkdir(parents=True)
        write_plan(result, target, timings=timings)


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
