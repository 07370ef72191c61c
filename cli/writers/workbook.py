"""Workbooks Excel reads as planners expect: one sheet per table, typed cells, a frozen header and a filter.

Each table is a DataFrame; each column is written by what it holds — numbers as numbers (``#,##0`` or
``#,##0.00``), ``YYYY-MM-DD`` text as dates, ``HH:MM`` as times, ISO date-times as local date-times, flags
as TRUE/FALSE, everything else as text through :func:`~salesplan.cli.sanitize.xlsx_cell`. Sheet names come
from :func:`~salesplan.cli.sanitize.sheet_name`. The bytes are the same for the same tables and
``created`` date (xlsxwriter writes a reproducible zip).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ..sanitize import SHEET_RESERVED, one_line, sheet_name, xlsx_cell

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$")
FORMATS = {
    "date": "yyyy-mm-dd",
    "time": "hh:mm",
    "datetime": "yyyy-mm-dd hh:mm",
    "int": "#,##0",
    "float": "#,##0.00",
}


@dataclass(frozen=True)
class Table:
    """One sheet: its title (made a safe sheet name), the table, and a fill for every other day
    (``band_by``: the column whose change flips the shade, or None)."""

    title: str
    frame: pd.DataFrame
    band_by: str | None = None


def _kind(series: pd.Series) -> str:
    """How a column is written: int, float, bool, date, time, datetime or text."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    texts = [v for v in series if isinstance(v, str) and v != ""]
    if not texts or len(texts) != sum(1 for v in series if not _blank(v)):
        return "mixed"
    for kind, pattern in (("date", _DATE), ("time", _TIME), ("datetime", _DATETIME)):
        if all(pattern.match(t) for t in texts):
            return kind
    return "text"


def _blank(value: Any) -> bool:
    if value is None or value == "":
        return True
    return isinstance(value, float) and math.isnan(value)


def _typed(value: Any, kind: str) -> Any:
    """The value as Excel should hold it (None for an empty cell)."""
    if _blank(value) or value is pd.NA or value is pd.NaT:
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value).replace(tzinfo=None)  # the local time, as written
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value
    return xlsx_cell(str(value))


def _width(text: str) -> int:
    """Display width: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_workbook(
    path: Path, tables: Sequence[Table], *, title: str, created: dt.date, comments: str = "salesplan"
) -> list[str]:
    """Write ``tables`` as one sheet each into ``path``; return the sheet names used."""
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    workbook.set_properties({
        "title": xlsx_cell(one_line(title)), "author": "salesplan", "comments": comments,
        "created": dt.datetime.combine(created, dt.time(0, 0)),
    })  # fmt: skip
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in FORMATS.items()}
    banded = {
        kind: workbook.add_format({"num_format": f, "bg_color": "#F2F2F2"}) for kind, f in FORMATS.items()
    }
    band_text = workbook.add_format({"bg_color": "#F2F2F2"})
    taken: set[str] = set()
    names = []
    for table in tables:
        name = sheet_name(table.title, taken, SHEET_RESERVED)
        names.append(name)
        _write_sheet(workbook.add_worksheet(name), table, head, formats, banded, band_text)
    workbook.close()
    return names


def _write_sheet(
    sheet: Any, table: Table, head: Any, formats: dict[str, Any], banded: dict[str, Any], band_text: Any
) -> None:
    frame = table.frame
    columns = [xlsx_cell(str(c)) for c in frame.columns]
    sheet.write_row(0, 0, columns, head)
    kinds = [_kind(frame[c]) for c in frame.columns]
    widths = [min(max(_width(c), 6), 40) for c in columns]
    band_values = list(frame[table.band_by]) if table.band_by in frame.columns else None
    shade, previous = False, object()
    for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        if band_values is not None and band_values[row - 1] != previous:
            previous, shade = band_values[row - 1], not shade
        for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            cell = _typed(value, kind)
            if cell is None:
                if shade:
                    sheet.write_blank(row, col, None, band_text)
                continue
            if isinstance(cell, bool):
                sheet.write_boolean(row, col, cell, band_text if shade else None)
            elif isinstance(cell, dt.date | dt.time):  # datetime is a date
                fmt_kind = kind if kind in ("date", "time", "datetime") else "date"
                sheet.write_datetime(row, col, cell, (banded if shade else formats)[fmt_kind])
            elif isinstance(cell, int | float):
                fmt_kind = "int" if isinstance(cell, int) or kind == "int" else "float"
                sheet.write_number(row, col, cell, (banded if shade else formats)[fmt_kind])
            else:
                sheet.write_string(row, col, cell, band_text if shade else None)
                if row <= 200:
                    widths[col] = min(max(widths[col], _width(cell) + 1), 60)
        if row <= 200:
            for col, kind in enumerate(kinds):
                if kind in FORMATS:
                    widths[col] = max(widths[col], len(FORMATS[kind]) + 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(columns) - 1, 0))
