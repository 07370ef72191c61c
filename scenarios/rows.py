"""Validate raw table rows against their row model, mapping each error to file, row and column."""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .errors import Problem
from .messages import describe_error, field_hint
from .reader import RawTable
from .tables import TABLE_MODELS, Rep, Row

# Columns a planner may keep for their own notes; salesplan ignores them.
NOTE_PREFIXES = ("x_", "note", "#")


@cache
def _adapter(model: type[Row]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def required_columns(model: type[Row]) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def validate_rows(
    table_name: str, table: RawTable, model: type[Row] | None = None
) -> tuple[list[Row], list[Problem]]:
    """Validate every row; returns the valid rows and a problem per bad cell (all of them, not the first).

    ``model`` is the row model (default: the scenario table's, ``TABLE_MODELS[table_name]``)."""
    model = model or TABLE_MODELS[table_name]
    fields = set(model.model_fields)
    problems: list[Problem] = []
    ignored = [c for c in table.columns if c.startswith(NOTE_PREFIXES)]
    unknown = [c for c in table.columns if c not in fields and c not in ignored]
    for column in unknown:
        close = difflib.get_close_matches(column, sorted(fields), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        problems.append(
            Problem(
                table.file,
                1,
                column,
                f"unknown column '{column}' in the {table_name} table",
                f"{hint}rename or delete it, map it in scenario.yaml ({{file: ..., columns: {{{column}: "
                f"...}}}}), or prefix it with 'x_' to keep it as a note (columns: {', '.join(model.model_fields)})",
            )
        )
    missing = [c for c in required_columns(model) if c not in table.columns]
    if model is Rep and "hours_per_week" not in table.columns and "hours_per_month" not in table.columns:
        missing.append("hours_per_week")
    for column in missing:
        description = model.model_fields[column].description or ""
        problems.append(
            Problem(
                table.file,
                1,
                column,
                f"required column '{column}' is missing from the {table_name} table",
                f"add the column: {description}",
            )
        )
    keep = [c for c in table.columns if c in fields]
    rows = [{c: row.get(c) for c in keep if row.get(c) is not None} for row in table.rows]
    skip = set(missing) | set(unknown)
    try:
        return _adapter(model).validate_python(rows), problems
    except ValidationError as exc:
        bad_rows: set[int] = set()
        for error in exc.errors():
            loc = field_hint(error)
            index = int(loc[0])
            bad_rows.add(index)
            column = loc[1] if len(loc) > 1 else ""
            if column in skip:
                continue
            file, number = table.origin(index)
            shown = where = table.header(column) if column else ""
            override = table.cell_origins.get(index, {}).get(column)
            if override is not None:  # the cell was set by a what-if's update: point there
                file, number, where = override
            message, advice = describe_error({**error, "loc": tuple(loc[1:])}, model, shown or None)
            problems.append(Problem(file, number, where, message, advice))
    # Keep the valid rows so that cross-table checks still run and every problem is reported at once.
    good = [row for index, row in enumerate(rows) if index not in bad_rows]
    return _adapter(model).validate_python(good), problems
