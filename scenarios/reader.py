"""Read one scenario table (CSV or XLSX) into raw rows, reporting every problem with file, row and column.

CSV: UTF-8 (with or without BOM) or GB18030 (what Chinese Excel exports write), or the encoding the
scenario names for the table; comma, semicolon or tab separated. A file that reads as GB18030 but just as
well as Latin-1 (``J黵gen M黮ler`` or ``Jürgen Müller``) is refused until the scenario names its encoding.
XLSX: the first sheet, or the sheet named after '#' (``accounts.xlsx#Dealers``); formulas must have cached
values and merged cells are refused (their value would land in one cell only). A workbook is read once,
row by row as stored, so a used range that reaches row 1,048,576 through one formatted empty cell costs
nothing.

Only regular files are read (a FIFO would block, a device never end), up to :data:`MAX_TABLE_BYTES`,
checked before reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem


def _limit_from_environment(default_mb: int) -> int:
    """SALESPLAN_MAX_TABLE_MB raises (or lowers) the table size limit, for the rare scenario that needs it."""
    text = os.environ.get("SALESPLAN_MAX_TABLE_MB", "")
    return int(float(text) * 2**20) if text.replace(".", "", 1).isdigit() else default_mb * 2**20


# 80 times the largest bundled table; a table this size takes about 20 s to validate.
MAX_TABLE_BYTES = _limit_from_environment(20)
MAX_UNPACKED_XLSX_BYTES = 8 * MAX_TABLE_BYTES  # a sheet's XML is several times its cells' text
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass
class RawTable:
    """Cells as read, before validation; ``row_numbers[i]`` is the file row of ``rows[i]``.

    ``headers`` names a column as the file wrote it where that differs (a mapped or Chinese header);
    ``cell_origins[i]`` says where a cell of row i was set instead of its file (an ``update:`` of a
    what-if): column → (YAML file, line, key).
    """

    file: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # per row, when rows come from several files
    headers: dict[str, str] = field(default_factory=dict)
    cell_origins: dict[int, dict[str, tuple[str, int, str]]] = field(default_factory=dict)

    def origin(self, index: int) -> tuple[str, int]:
        file = self.files[index] if self.files else self.file
        return file, self.row_numbers[index]

    def header(self, column: str) -> str:
        """The column's name as the file wrote it."""
        return self.headers.get(column, column)

    def keep(self, indices: list[int]) -> None:
        """Keep only the rows at ``indices`` (in that order), with their origins."""
        files = [self.origin(i)[0] for i in indices]
        self.cell_origins = {
            new: self.cell_origins[old] for new, old in enumerate(indices) if old in self.cell_origins
        }
        self.rows = [self.rows[i] for i in indices]
        self.row_numbers = [self.row_numbers[i] for i in indices]
        self.files = files

    def extend(self, extra: RawTable) -> None:
        """Append the rows of another table (an ``add:`` of a what-if)."""
        offset = len(self.rows)
        self.files = [self.origin(i)[0] for i in range(offset)] + [
            extra.origin(i)[0] for i in range(len(extra.rows))
        ]
        self.cell_origins.update({offset + i: cells for i, cells in extra.cell_origins.items()})
        self.rows = self.rows + extra.rows
        self.row_numbers = self.row_numbers + extra.row_numbers
        self.columns = list(dict.fromkeys(self.columns + extra.columns))
        self.headers = {**extra.headers, **self.headers}


def split_sheet(spec: str) -> tuple[str, str | None]:
    """'accounts.xlsx#Dealers' → ('accounts.xlsx', 'Dealers'); '#' picks a sheet of a workbook only, so
    'reps#v2.csv' is a file name."""
    path, sep, sheet = spec.rpartition("#")
    if sep and path.lower().endswith(_WORKBOOK_SUFFIXES):
        return path, sheet or None
    return spec, None


_TOO_LARGE = (
    "remove unused columns or rows, or split the scenario by region (SALESPLAN_MAX_TABLE_MB=100 raises "
    "the limit)"
)


def file_problem(
    path: Path, shown: str, *, limit: int = MAX_TABLE_BYTES, advice: str = _TOO_LARGE
) -> Problem | None:
    """Why ``path`` cannot be read as a file — missing, a folder, a FIFO or device, a symlink loop, too
    large — or None. Checked before anything is read: a FIFO would block and /dev/zero never end."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Problem(
            shown, 0, "", "file not found", "check the path; it is relative to the YAML file that names it"
        )
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return Problem(
                shown, 0, "", "is a symbolic link that points to itself (a loop)", "point the link at a file"
            )
        return Problem(shown, 0, "", f"cannot be read ({exc.strerror})", "check the path and permissions")
    if stat.S_ISDIR(info.st_mode):
        return Problem(shown, 0, "", "is a folder, not a file", "name a file in it")
    for test, kind in _KINDS:
        if test(info.st_mode):
            return Problem(shown, 0, "", f"is {kind}, not a regular file", "name a file saved on disk")
    if not stat.S_ISREG(info.st_mode):
        return Problem(shown, 0, "", "is not a regular file", "name a file saved on disk")
    if info.st_size > limit:
        return Problem(
            shown,
            0,
            "",
            f"file is {info.st_size / 2**20:,.0f} MB, more than the {limit // 2**20} MB salesplan reads",
            advice,
        )
    return None


def read_bytes(
    path: Path, shown: str, *, limit: int = MAX_TABLE_BYTES, advice: str = _TOO_LARGE
) -> tuple[bytes | None, Problem | None]:
    """The bytes of a regular file of at most ``limit`` bytes (checked before and while reading)."""
    problem = file_problem(path, shown, limit=limit, advice=advice)
    if problem is not None:
        return None, problem
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return None, Problem(shown, 0, "", f"cannot be read ({exc.strerror})", "check the file's permissions")
    if len(data) > limit:  # it grew since it was checked
        return None, Problem(shown, 0, "", f"file is larger than {limit // 2**20} MB", advice)
    return data, None


def read_table(
    path: Path, shown: str, sheet: str | None = None, encoding: str | None = None, name: str = "TABLE"
) -> tuple[RawTable | None, list[Problem]]:
    """Read a table file; ``shown`` is how the file is named in messages, ``encoding`` the one the
    scenario names for a CSV (None: detect UTF-8 or GB18030), ``name`` the table's key in scenario.yaml."""
    problem = file_problem(path, shown)
    if problem is not None:
        return None, [problem]
    suffix = path.suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        return _read_xlsx(path, shown, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, shown, encoding, name)
    return None, [
        Problem(shown, 0, "", f"unsupported file type '{suffix}'", "save the table as .csv (UTF-8) or .xlsx")
    ]


def known_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def decode_text(
    data: bytes, shown: str, encoding: str | None = None, name: str = "TABLE"
) -> tuple[str | None, Problem | None]:
    """Decode CSV bytes: the named encoding, else UTF-8 (BOM or not), else GB18030 — unless the bytes read
    as Latin-1 just as well, which is refused with both readings shown."""
    if encoding is not None:
        name = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        try:
            return data.decode(name), None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return None, Problem(
                shown,
                line,
                "encoding",
                f"cannot be decoded as {encoding} (byte {data[exc.start]:#04x} on this line)",
                "fix encoding: in scenario.yaml, or save the file as CSV UTF-8 from Excel",
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 2:
        return None, _undecodable(shown, 1, "looks like UTF-16", name)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        first_error = data[: exc.start].count(b"\n") + 1
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        reason = "is neither UTF-8 nor GB18030"
        if _letters(data) is not None:
            reason += "; it looks like Latin-1 (name it: encoding: latin-1)"
        return None, _undecodable(shown, first_error, reason, name)
    ambiguous = _latin_look_alike(data, text)
    if ambiguous is not None:
        line, as_gb, as_latin = ambiguous
        return None, Problem(
            shown,
            line,
            "encoding",
            f"cannot tell the encoding: as GB18030 this line reads {as_gb!r}, as Latin-1 {as_latin!r}",
            "name it in scenario.yaml, e.g. tables: {"
            + name
            + ": {file: "
            + Path(shown.split("#")[0]).name
            + ", encoding: latin-1}} (or gb18030), or save the file as CSV UTF-8",
        )
    return text, None


def _undecodable(shown: str, line: int, reason: str, name: str) -> Problem:
    return Problem(
        shown,
        line,
        "encoding",
        f"cannot be decoded: the file {reason}",
        "save it as CSV UTF-8 (or GB18030) from Excel, or name its encoding in scenario.yaml "
        f"(tables: {{{name}: {{file: ..., encoding: latin-1}}}})",
    )


def _latin_look_alike(data: bytes, text: str) -> tuple[int, str, str] | None:
    """(line, GB18030 reading, Latin-1 reading) when bytes that decode as GB18030 are more likely Latin-1.

    Chinese exports use the common characters of GB2312 almost only; Latin-1 letters read as GB18030
    become rare characters of its extension (ü + r → 黵). Such text is ambiguous when the Latin-1
    reading of every byte above ASCII is a letter (nearly: Chinese text read as Latin-1 gives symbols
    such as ° ± ¾ too).
    """
    rare = {c for c in set(text) if c > "\x7f" and not _in_gb2312(c)}
    if not rare:
        return None
    latin = _letters(data)
    if latin is None:
        return None
    gb_lines = text.splitlines()
    latin_lines = latin.splitlines()
    for number, line in enumerate(gb_lines, start=1):
        if any(c in rare for c in line):
            shown_latin = latin_lines[number - 1] if number - 1 < len(latin_lines) else ""
            return number, line[:60], shown_latin[:60]
    return None


def _letters(data: bytes) -> str | None:
    """The Windows Latin-1 (cp1252) reading of ``data`` when (nearly) every character above ASCII in it
    is a letter, as in 'Jürgen Müller'; None otherwise."""
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    high = [c for c in latin if c > "\x7f"]
    if not high or sum(c.isalpha() for c in high) < 0.95 * len(high):
        return None
    return latin


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _read_csv(
    path: Path, shown: str, encoding: str | None, name: str
) -> tuple[RawTable | None, list[Problem]]:
    data, problem = read_bytes(path, shown)
    if data is None:
        assert problem is not None
        return None, [problem]
    text, problem = decode_text(data, shown, encoding, name)
    if text is None:
        assert problem is not None
        return None, [problem]
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
    return assemble(shown, header, body)


def _read_xlsx(path: Path, shown: str, sheet: str | None) -> tuple[RawTable | None, list[Problem]]:
    unreadable = _workbook_problem(path, shown)
    if unreadable is not None:
        return None, [unreadable]
    import openpyxl  # imported here: most scenarios are CSV only

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file (zip, XML, descriptors)
        return None, [_damaged(shown, None, exc)]
    try:
        return _read_sheet(book, shown, sheet)
    finally:
        book.close()


def _workbook_problem(path: Path, shown: str) -> Problem | None:
    """A workbook that is no zip, or whose parts unpack to more than salesplan reads (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return _damaged(shown, None, exc)
    if unpacked > MAX_UNPACKED_XLSX_BYTES:
        return Problem(
            shown,
            0,
            "",
            f"workbook unpacks to {unpacked / 2**20:,.0f} MB, more than the "
            f"{MAX_UNPACKED_XLSX_BYTES // 2**20} MB salesplan reads",
            "keep only the table's sheet and columns, or save it as CSV",
        )
    return None


def _damaged(shown: str, sheet: str | None, exc: BaseException) -> Problem:
    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}" if str(exc) else type(exc).__name__
    what = (
        f"sheet '{sheet}' cannot be read: it is truncated or damaged ({reason})"
        if sheet
        else f"is not a readable XLSX workbook ({reason})"
    )
    return Problem(shown, 0, "", what, "open and re-save it in Excel as .xlsx")


def _read_sheet(book: Any, shown: str, sheet: str | None) -> tuple[RawTable | None, list[Problem]]:
    from openpyxl.worksheet.cell_range import CellRange

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
    worksheet = book[name]
    if not hasattr(worksheet, "_get_source"):
        return None, [Problem(shown, 0, "", f"sheet '{name}' is a chart, not a table", "name a worksheet")]
    parser = _sheet_parser(worksheet)
    grid: list[tuple[int, list[Any]]] = []
    formulas: list[tuple[int, int, str]] = []
    try:
        with worksheet._get_source() as source:
            parser.source = source
            for number, cells in parser.parse():
                values: list[Any] = []
                for cell in cells:
                    column = cell["column"] - 1
                    if cell["value"] is None and "formula" not in cell:
                        continue  # formatted but empty: never widen the row for it
                    values.extend([None] * (column + 1 - len(values)))
                    values[column] = cell["value"]
                    if cell["value"] is None:
                        formulas.append((number, column, cell["formula"]))
                if any(v is not None for v in values) or number == 1:
                    grid.append((number, values))
    except MemoryError:
        raise
    except Exception as exc:  # a truncated or damaged sheet: XML errors surface while iterating
        return None, [_damaged(shown, name, exc)]
    header_row = grid[0][1] if grid and grid[0][0] == 1 else []
    problems: list[Problem] = []
    merged = parser.merged_cells.mergeCell if parser.merged_cells is not None else []
    for item in merged:
        cells = CellRange(item.ref)
        problems.append(
            Problem(
                shown,
                cells.min_row,
                _header_name(header_row, cells.min_col - 1),
                f"merged cells {cells.coord}",
                "unmerge the cells and fill every cell",
            )
        )
    for number, column, formula in formulas:
        problems.append(
            Problem(
                shown,
                number,
                _header_name(header_row, column),
                f"formula {formula!r} has no saved value",
                "open the workbook in Excel and save it (or paste values)",
            )
        )
    if problems:
        return None, problems
    if all(v is None for v in header_row):
        return None, [
            Problem(shown, 1, "header", "sheet is empty", "put the header in row 1 and data below it")
        ]
    header = ["" if v is None else str(v) for v in header_row]
    body = [
        (number, [_cell(v) for v in row])
        for number, row in grid[1:]
        if any(v is not None and str(v).strip() for v in row)
    ]
    return assemble(shown, header, body)


def _sheet_parser(worksheet: Any) -> Any:
    """openpyxl's own streaming sheet parser, reading cached values and noting formulas beside them.

    The parser yields the rows the sheet stores, no more; a read-only worksheet's ``iter_rows`` would
    pad every missing row up to the used range (a million for one formatted cell at row 1,048,576).
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CellsWithFormulas(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            if formula is not None:
                cell["formula"] = "=" + (formula.text or "(shared formula)")
            return cell

    book = worksheet.parent
    return CellsWithFormulas(
        None,
        worksheet._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )


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


def _header_name(header: list[Any], column: int) -> str:
    if column < len(header) and header[column] is not None:
        return str(header[column])
    return f"column {column + 1}"


def assemble(
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
