"""Read one scenario table (CSV or XLSX) into raw rows, reporting every problem with file, row and column.

CSV: UTF-8 (with or without BOM) or GB18030 (what Chinese Excel exports write); comma, semicolon or tab
separated. XLSX: the first sheet, or the sheet named after '#' (``accounts.xlsx#Dealers``); formulas must
have cached values and merged cells are refused (their value would land in one cell only).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem

MAX_TABLE_BYTES = 512 * 1024 * 1024


@dataclass
class RawTable:
    """Cells as read, before validation; ``row_numbers[i]`` is the file row of ``rows[i]``."""

    file: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # per row, when rows come from several files

    def origin(self, index: int) -> tuple[str, int]:
        file = self.files[index] if self.files else self.file
        return file, self.row_numbers[index]


def split_sheet(spec: str) -> tuple[str, str | None]:
    """'accounts.xlsx#Dealers' → ('accounts.xlsx', 'Dealers')."""
    if "#" in spec:
        path, sheet = spec.rsplit("#", 1)
        return path, sheet or None
    return spec, None


def read_table(path: Path, shown: str, sheet: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read a table file; ``shown`` is how the file is named in messages."""
    if not path.exists():
        return None, [
            Problem(
                shown,
                0,
                "",
                "file not found",
                "check the path; it is relative to the YAML file that names it",
            )
        ]
    if path.is_dir():
        return None, [Problem(shown, 0, "", "is a folder, not a table file", "name a .csv or .xlsx file")]
    if path.stat().st_size > MAX_TABLE_BYTES:
        return None, [
            Problem(shown, 0, "", "file is larger than 512 MB", "split it or remove unused columns")
        ]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, shown, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, shown)
    return None, [
        Problem(shown, 0, "", f"unsupported file type '{suffix}'", "save the table as .csv (UTF-8) or .xlsx")
    ]


def decode_text(data: bytes) -> tuple[str | None, str, int]:
    """Decode CSV bytes: UTF-8 (BOM or not), then GB18030.

    Returns (text, encoding, 0), or (None, reason, line of the first byte that is not UTF-8).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 2:
        return None, "looks like UTF-16", 1
    first_error = 0
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding, 0
        except UnicodeDecodeError as exc:
            if not first_error:
                first_error = data[: exc.start].count(b"\n") + 1
    return None, "is neither UTF-8 nor GB18030", first_error


def _read_csv(path: Path, shown: str) -> tuple[RawTable | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            Problem(shown, 0, "", f"cannot be read ({exc.strerror})", "check the file's permissions")
        ]
    text, encoding, bad_line = decode_text(data)
    if text is None:
        return None, [
            Problem(
                shown,
                bad_line,
                "encoding",
                f"cannot be decoded: the file {encoding}",
                "save it as CSV UTF-8 (or GB18030) from Excel",
            )
        ]
    if not text.strip():
        return None, [
            Problem(shown, 1, "header", "file is empty", "add a header row and at least one data row")
        ]
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    record_lines: list[int] = []
    last_line = 0
    try:
        for record in reader:
            records.append(record)
            record_lines.append(last_line + 1)
            last_line = reader.line_num
    except csv.Error as exc:
        # the broken record starts on the line after the last good one (a quote may span lines)
        return None, [
            Problem(
                shown,
                last_line + 1,
                "quoting",
                f"is not valid CSV ({exc})",
                "check for an unclosed or stray quote",
            )
        ]
    header = records[0]
    body: list[tuple[int, list[Any]]] = []
    for number, record in zip(record_lines[1:], records[1:], strict=True):
        if not any(cell.strip() for cell in record):
            continue  # blank lines are harmless
        body.append((number, record))
    return _assemble(shown, header, body)


def _read_xlsx(path: Path, shown: str, sheet: str | None) -> tuple[RawTable | None, list[Problem]]:
    import openpyxl  # imported here: most scenarios are CSV only

    try:
        book = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [
            Problem(
                shown,
                0,
                "",
                f"is not a readable XLSX workbook ({type(exc).__name__})",
                "open and re-save it in Excel as .xlsx",
            )
        ]
    if sheet is not None and sheet not in book.sheetnames:
        return None, [
            Problem(
                shown,
                0,
                "",
                f"has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})",
                "fix the name after '#'",
            )
        ]
    name = sheet or book.sheetnames[0]
    values, raw = book[name], formulas[name]
    problems: list[Problem] = []
    for merged in values.merged_cells.ranges:
        column = _column_label(values, merged.min_col)
        problems.append(
            Problem(
                shown,
                merged.min_row,
                column,
                f"merged cells {merged.coord}",
                "unmerge the cells and fill every cell",
            )
        )
    grid = [list(row) for row in values.iter_rows(values_only=True)]
    raw_grid = [list(row) for row in raw.iter_rows(values_only=True)]
    for r, (row, raw_row) in enumerate(zip(grid, raw_grid, strict=False), start=1):
        for c, (value, formula) in enumerate(zip(row, raw_row, strict=False)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                problems.append(
                    Problem(
                        shown,
                        r,
                        _header_name(grid, c),
                        f"formula {formula!r} has no saved value",
                        "open the workbook in Excel and save it (or paste values)",
                    )
                )
    if problems:
        return None, problems
    if not grid or all(v is None for v in grid[0]):
        return None, [
            Problem(shown, 1, "header", "sheet is empty", "put the header in row 1 and data below it")
        ]
    header = ["" if v is None else str(v) for v in grid[0]]
    body = [
        (number, [_cell(v) for v in row])
        for number, row in enumerate(grid[1:], start=2)
        if any(v is not None and str(v).strip() for v in row)
    ]
    return _assemble(shown, header, body)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Excel stores 17 as 17.0; an id typed as 17 must read back as "17"
    return value


def _clean(value: Any) -> Any:
    """Strip text; an empty cell is None (so defaults apply and required fields report 'empty')."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _header_name(grid: list[list[Any]], column: int) -> str:
    if grid and column < len(grid[0]) and grid[0][column] is not None:
        return str(grid[0][column])
    return f"column {column + 1}"


def _column_label(sheet: Any, column: int) -> str:
    value = sheet.cell(row=1, column=column).value
    return str(value) if value is not None else f"column {column}"


def _assemble(
    shown: str, header: list[str], body: list[tuple[int, list[Any]]]
) -> tuple[RawTable | None, list[Problem]]:
    problems: list[Problem] = []
    columns = [str(h).strip().lstrip("\ufeff").lower() for h in header]
    seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name:
            if any(index < len(r) and str(r[index] or "").strip() for _, r in body):
                problems.append(
                    Problem(
                        shown,
                        1,
                        f"column {index + 1}",
                        "column has values but no header",
                        "give the column a header or delete it",
                    )
                )
            continue
        if name in seen:
            problems.append(
                Problem(
                    shown,
                    1,
                    name,
                    f"header '{name}' appears twice (columns {seen[name] + 1} and {index + 1})",
                    "delete or rename one of them",
                )
            )
        else:
            seen[name] = index
    if not body:
        problems.append(
            Problem(
                shown,
                2,
                "header",
                "table has a header but no data rows",
                "add rows, or remove the table from the scenario",
            )
        )
    table = RawTable(file=shown, columns=[c for c in columns if c])
    keep = [(index, name) for index, name in enumerate(columns) if name and seen.get(name) == index]
    for number, record in body:
        if len(record) > len(columns) and any(str(v or "").strip() for v in record[len(columns) :]):
            problems.append(
                Problem(
                    shown,
                    number,
                    f"column {len(columns) + 1}",
                    f"row has {len(record)} cells but the header has {len(columns)}",
                    "remove the extra cells or add headers",
                )
            )
            continue
        row = {name: _clean(record[index]) if index < len(record) else None for index, name in keep}
        table.rows.append(row)
        table.row_numbers.append(number)
    return table, problems
