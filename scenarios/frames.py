"""A scenario from pandas DataFrames: the same validation and the same messages as a scenario folder.

    scenario = Scenario.from_frames(
        reps=reps, accounts=accounts, opportunities=opportunities,   # DataFrames, named as in tables:
        horizon={"start": "2026-04-06", "weeks": 13}, policy={"tiers": {"method": "pareto"}},
        name="Q2", columns={"accounts": {"客户编号": "id"}},         # headers mapped as in columns:
    )

A frame is read as the CSV file it would be saved to (``frame.to_csv(index=False)``): its column labels are
the header, row 2 is its first row, an empty cell (None, NaN, NaT) is empty. Problems name the table as
the file (``reps:3:hours_per_week``), and the settings as ``settings`` (``settings:0:horizon.start``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .columns import rename_columns
from .edits import LoadReport, Resolved
from .errors import Problem
from .model import TablePaths
from .reader import RawTable, assemble

SETTINGS = "settings"


def inspect_frames(
    *,
    name: str = "",
    description: str = "",
    horizon: Mapping[str, Any] | BaseModel | None = None,
    policy: Mapping[str, Any] | BaseModel | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    **frames: Any,
) -> LoadReport:
    """Validate a scenario given as DataFrames (keyword arguments named as the tables of scenario.yaml)
    and settings (as the keys of scenario.yaml); returns the scenario (or None) with every problem."""
    from .loader import finish

    unknown = sorted(set(frames) - set(TablePaths.model_fields))
    if unknown:
        raise TypeError(f"unknown table(s) {unknown}; tables are {', '.join(TablePaths.model_fields)}")
    config: dict[str, Any] = {"name": name or "scenario from DataFrames", "description": description}
    for key, value in (("horizon", horizon), ("policy", policy)):
        if value is not None:
            config[key] = value.model_dump() if isinstance(value, BaseModel) else dict(value)
    resolved = Resolved(config=config)
    problems: list[Problem] = []
    for table_name, frame in frames.items():
        if frame is None:
            continue
        resolved.named_tables.add(table_name)
        table, found = frame_table(table_name, frame)
        problems.extend(found)
        if table is None:
            continue
        mapping = (columns or {}).get(table_name, {})
        mapped = rename_columns(table_name, table, mapping, (SETTINGS, 0, f"columns.{table_name}"))
        problems.extend(mapped)
        if not any(p.severity == "error" for p in mapped):
            resolved.tables[table_name] = table
    return finish(resolved, SETTINGS, problems)


def frame_table(table_name: str, frame: Any) -> tuple[RawTable | None, list[Problem]]:
    """The raw table of a DataFrame, as if it were read from ``frame.to_csv(index=False)``."""
    if not hasattr(frame, "itertuples") or not hasattr(frame, "columns"):
        return None, [
            Problem(table_name, 0, "", f"is a {type(frame).__name__}, not a DataFrame", "pass a DataFrame")
        ]
    header = [str(c) for c in frame.columns]
    body = []
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        cells = [_cell(v) for v in values]
        if any(c is not None and str(c).strip() for c in cells):
            body.append((number, cells))
    return assemble(table_name, header, body)


def _cell(value: Any) -> Any:
    """A DataFrame cell as a file cell: empty for None/NaN/NaT/NA, plain Python values, dates without time."""
    if value is None or _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        value = value.item()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # an id read by pandas as 17.0 must be "17", as from the file
    return value


def _missing(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas NA refuses to be a bool
        return True
