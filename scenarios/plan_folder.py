"""Read a plan folder (what `salesplan plan -o DIR` wrote) back as typed tables, for the review and rollover.

Only the columns the quarter after needs are read; the others are left alone, so a plan written by an
older or newer salesplan (e.g. with ``visit_id`` and ISO start/end times in visits.csv) reads the same.
Visit times may be HH:MM or ISO date-times (``2026-04-06T08:40:00+08:00``): the clock time is taken.
Every problem is file:row:field, as for scenarios.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from .actuals import read_cells
from .actuals_fast import Cells, typed_frame
from .errors import Problem, ScenarioError, display_path
from .fields import Finite, Id, Money, Text
from .reader import decode_text
from .tables import Flag, Row


class PlanTerritoryRow(Row):
    account: Id = Field(description="Account id.")
    region: Id = Field(description="Region.")
    rep: Id | None = Field(default=None, description="Rep the plan gives the account (empty: none).")
    reason: Text | None = Field(default=None, description="Why it stays or moves.")
    forced: bool | None = Field(
        default=None, description="The plan had to move it (outside the move budget); absent in older plans."
    )


class PlanAllocationRow(Row):
    account: Id = Field(description="Account id.")
    visits_per_month: Finite = Field(description="Planned visits per month.")
    expected_sales: Money = Field(description="Expected sales under the plan, currency/year.")
    tier: Id | None = Field(default=None, description="Tier of the value pyramid.")
    min_visits: Finite | None = Field(default=None, description="Tier minimum, visits per month.")


class PlanVisitRow(Row):
    rep: Id = Field(description="Rep.")
    account: Id = Field(description="Account visited.")
    date: Text | None = Field(default=None, description="Day of the visit, YYYY-MM-DD (or in start).")
    start: Text | None = Field(default=None, description="Start, HH:MM or ISO date-time.")
    end: Text | None = Field(default=None, description="End, HH:MM or ISO date-time.")


class PlanOpportunityRow(Row):
    opportunity: Id = Field(description="Opportunity id.")
    account: Id = Field(description="Account.")
    rep: Id | None = Field(default=None, description="Rep.")
    expected_value: Finite | None = Field(default=None, description="Expected value.")
    selected: Flag = Field(default=False, description="Pursued in the plan.")


class PlanChangeRow(Row):
    account: Id = Field(description="Account that changes rep.")
    from_rep: Id | None = Field(default=None, description="Rep before.")
    to_rep: Id | None = Field(default=None, description="Rep after.")
    reason: Text | None = Field(default=None, description="Why.")


PLAN_MODELS: dict[str, tuple[type[Row], bool]] = {  # table → (row model, required)
    "territories": (PlanTerritoryRow, True),
    "allocation": (PlanAllocationRow, True),
    "visits": (PlanVisitRow, True),
    "opportunities": (PlanOpportunityRow, False),
    "changes": (PlanChangeRow, False),
}


@dataclass
class PlanTables:
    """A plan's tables as typed frames; visits carry ``date`` (datetime64) and ``minutes`` (planned on site)."""

    frames: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    source: str


def load_plan_folder(path: str | Path) -> PlanTables:
    """Read a plan folder; raises :class:`ScenarioError` with every problem."""
    folder = Path(path)
    shown_folder = display_path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ScenarioError(
            [
                Problem(
                    shown_folder,
                    0,
                    "",
                    "plan folder not found",
                    "name the folder `salesplan plan ... -o DIR` wrote",
                )
            ]
        )
    frames: dict[str, pd.DataFrame] = {}
    for name, (model, required) in PLAN_MODELS.items():
        file = folder / f"{name}.csv"
        shown = display_path(file)
        if not file.exists():
            if required:
                problems.append(
                    Problem(shown, 0, "", "file not found", "is this a plan folder? run `salesplan plan`")
                )
            continue
        if _header_only(file):  # a plan may have nothing in a table (no changes, no dropped visits)
            frames[name] = pd.DataFrame({f: pd.Series(dtype=object) for f in model.model_fields})
            continue
        cells, found = read_cells(file, shown)
        problems.extend(found)
        if cells is None:
            continue
        keep = [c for c in cells.frame.columns if c in model.model_fields]
        frame, found = typed_frame(name, model, Cells(cells.file, cells.frame[keep], cells.row_numbers))
        problems.extend(found)
        frames[name] = frame
    summary: dict[str, Any] = {}
    if (folder / "summary.json").exists():
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            problems.append(
                Problem(
                    display_path(folder / "summary.json"),
                    0,
                    "",
                    f"is not readable JSON ({exc})",
                    "write the plan again",
                )
            )
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems)
    frames["visits"] = _visit_times(frames["visits"])
    return PlanTables(frames, summary, shown_folder)


def _header_only(file: Path) -> bool:
    text, _ = decode_text(file.read_bytes()[: 1 << 16], str(file))
    return (
        text is not None
        and len([line for line in text.splitlines() if line.strip()]) <= 1
        and file.stat().st_size < 1 << 16
    )


def _clock(values: pd.Series) -> np.ndarray:
    """Minutes after midnight of HH:MM or ISO date-time text (NaN where empty)."""
    text = values.fillna("").astype(str)
    clock = text.str.extract(r"(?:T|\s|^)(\d{2}):(\d{2})")
    return (
        pd.to_numeric(clock[0], errors="coerce") * 60 + pd.to_numeric(clock[1], errors="coerce")
    ).to_numpy()


def _visit_times(visits: pd.DataFrame) -> pd.DataFrame:
    out = visits.copy()
    date_text = out["date"].fillna(out["start"].fillna("").astype(str).str.slice(0, 10))
    out["date"] = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    start, end = _clock(out["start"]), _clock(out["end"])
    out["start"] = start
    out["minutes"] = np.where(np.isfinite(start) & np.isfinite(end), end - start, np.nan)
    out = out.drop(columns=["end"])
    return out[out["date"].notna()].reset_index(drop=True)
