"""Load the actuals of a quarter (visit log, shipments, receivables, opportunity status, dealer profiles).

From files — a folder with ``actuals.yaml`` (or with tables named visits/shipments/receivables/
opportunities/dealers .csv/.xlsx), read by the scenarios' own reader, so GB18030, UTF-8 with BOM, ';' and
tab separators and XLSX sheets work as for scenarios — or from a SQL database through SQLAlchemy (an URL
and a table name or query per table; SQLite is the embedded default, PostgreSQL works the same way).

Every bad cell is a :class:`Problem` with file, row and field; rows are numbered as in the file (header =
row 1); for a database the "file" is ``URL#table`` and row n + 1 is the n-th record of the result, the row it
would have in a CSV export. Validation is the row models' (:mod:`.actuals_model`): a vectorised check
accepts the cells that are plainly valid (ISO dates, HH:MM times, finite numbers within the field's
bounds); every other row goes through the pydantic model, which gives the message — so the result is the
model's at the speed of a column operation (1.5 M visit rows in seconds).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from .actuals_fast import Cells, number_fields, typed_frame
from .actuals_model import ACTUALS_MODELS, ActualsFile, ActualsTables
from .errors import Problem, ScenarioError, display_path
from .messages import describe_error, field_hint
from .reader import RawTable, decode_text, read_table, split_sheet

TABLE_NAMES: tuple[str, ...] = tuple(ACTUALS_MODELS)
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".tsv", ".txt")


@dataclass
class Actuals:
    """The actuals as typed frames (one per table given), with their settings and where they came from.

    Columns are the row model's fields; dates are ``datetime64``, times minutes after midnight (float),
    numbers float, ids text. ``sources[name]`` is how the table is named in messages.
    """

    settings: ActualsFile
    frames: dict[str, pd.DataFrame]
    sources: dict[str, str]
    source: str  # actuals.yaml, the folder or the database URL as shown in messages
    scenario_path: Path | None  # the scenario named in actuals.yaml, resolved
    warnings: list[Problem] = field(default_factory=list)


def load_actuals(path: str | Path) -> Actuals:
    """Load and validate actuals; raises :class:`ScenarioError` listing every error."""
    actuals, problems = inspect_actuals(path)
    if actuals is None:
        raise ScenarioError(problems)
    return actuals


def inspect_actuals(path: str | Path) -> tuple[Actuals | None, list[Problem]]:
    """Load actuals and return them (None on errors) with every problem found."""
    text = str(path)
    problems: list[Problem] = []
    if "://" in text:
        settings = ActualsFile.model_validate({"database": {"url": text}})
        base, shown = Path.cwd(), _hide_password(text)
    else:
        target = Path(path)
        if target.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
            settings = ActualsFile.model_validate({"database": {"url": f"sqlite:///{target.resolve()}"}})
            base, shown = target.resolve().parent, display_path(target)
        else:
            yaml_path = target / "actuals.yaml" if target.is_dir() else target
            base = yaml_path.resolve().parent
            shown = display_path(yaml_path)
            if yaml_path.exists():
                loaded = _read_settings(yaml_path, shown, problems)
                if loaded is None:
                    return None, problems
                settings = loaded
            elif target.is_dir():
                settings = ActualsFile(tables=_found_tables(target))
                shown = display_path(target)
            else:
                return None, [
                    Problem(shown, 0, "", "not found", "name an actuals folder, actuals.yaml or a database")
                ]
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    if settings.database is not None:
        _from_database(settings, frames, sources, problems)
    for name in TABLE_NAMES:
        spec = getattr(settings.tables, name)
        if spec is None:
            continue
        if name in frames:
            problems.append(
                Problem(
                    shown,
                    0,
                    f"tables.{name}",
                    f"table {name} is named both in tables and in database",
                    "keep one of them",
                )
            )
            continue
        file, sheet = split_sheet(spec)
        table_shown = display_path(base / file, base)
        raw, found = read_cells(base / file, table_shown, sheet, number_fields(ACTUALS_MODELS[name]))
        problems.extend(found)
        if raw is not None:
            frame, found = typed_frame(name, ACTUALS_MODELS[name], raw)
            problems.extend(found)
            frames[name] = frame
            sources[name] = table_shown
    if not frames and not any(p.severity == "error" for p in problems):
        problems.append(
            Problem(
                shown,
                0,
                "tables",
                "no actuals table",
                f"add tables ({', '.join(TABLE_NAMES)}) to actuals.yaml, or put visits.csv, ... in the folder",
            )
        )
    scenario_path = None
    if settings.scenario is not None:
        scenario_path = (base / settings.scenario).resolve()
        if scenario_path.is_dir():
            scenario_path = scenario_path / "scenario.yaml"
        if not scenario_path.exists():
            problems.append(
                Problem(
                    shown,
                    0,
                    "scenario",
                    f"scenario '{settings.scenario}' not found",
                    "the path is relative to actuals.yaml; or pass --scenario",
                )
            )
    if any(p.severity == "error" for p in problems):
        return None, problems
    warnings = [p for p in problems if p.severity == "warning"]
    return Actuals(settings, frames, sources, shown, scenario_path, warnings), problems


def _hide_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"://([^:/@]*):[^@]*@", r"://\1:***@", url)


def _found_tables(folder: Path) -> ActualsTables:
    """Tables of a folder without actuals.yaml: the files named after the tables."""
    found: dict[str, str] = {}
    for name in TABLE_NAMES:
        for suffix in SUFFIXES:
            if (folder / f"{name}{suffix}").is_file():
                found[name] = f"{name}{suffix}"
                break
    return ActualsTables(**found)


def _read_settings(path: Path, shown: str, problems: list[Problem]) -> ActualsFile | None:
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text) or {}
        lines = _key_lines(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        problems.append(
            Problem(
                shown,
                line,
                "",
                f"is not readable YAML ({type(exc).__name__})",
                "check indentation and quotes",
            )
        )
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown, 1, "", "is not a mapping of keys", "write `key: value` lines"))
        return None
    try:
        return ActualsFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = field_hint(error)
            key = tuple(str(p) for p in loc)
            line = next((lines[key[:n]] for n in range(len(key), 0, -1) if key[:n] in lines), 0)
            problems.append(Problem(shown, line, ".".join(key), *describe_error(error, ActualsFile)))
        return None


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Line (1-based) of every mapping key in a YAML text, by its path."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                lines[here] = key.start_mark.line + 1
                walk(value, here)

    walk(yaml.compose(text), ())
    return lines


def _cells(table: RawTable | None, problems: list[Problem]) -> tuple[Cells | None, list[Problem]]:
    if table is None:
        return None, problems
    frame = (
        pd.DataFrame.from_records(table.rows, columns=table.columns)
        if table.rows
        else pd.DataFrame(columns=table.columns)
    )
    files = table.files or None
    return Cells(table.file, frame, list(table.row_numbers), files), problems


def read_cells(
    path: Path, shown: str, sheet: str | None = None, numbers: frozenset[str] = frozenset()
) -> tuple[Cells | None, list[Problem]]:
    """Read a table with the scenarios' reader; large plain CSVs take a column-wise path with the same rows.

    The fast path applies when the file decodes, every record is one line (so row n is line n) and the
    header is clean; anything else goes to :func:`.reader.read_table`, whose problems are the scenario's.
    """
    if (
        path.suffix.lower() not in (".csv", ".txt", ".tsv")
        or not path.is_file()
        or path.stat().st_size < 1 << 20
    ):
        return _cells(*read_table(path, shown, sheet))
    text, _ = decode_text(path.read_bytes(), shown)
    if text is None or not text.strip():
        return _cells(*read_table(path, shown, sheet))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    import io

    dtypes: defaultdict[str, type] = defaultdict(lambda: str, {c: float for c in numbers})
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=dtypes,  # numbers parsed in C; a bad one makes it text and the model reports it
            keep_default_na=False,
            na_values=[""],  # only an empty cell is empty
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        if numbers:  # a numeric column with text in it: read it as text, the model will say which cell
            return read_cells(path, shown, sheet)
        return _cells(*read_table(path, shown, sheet))
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    header = [str(c).strip().lstrip("\ufeff").lower() for c in frame.columns]
    if (
        lines != len(frame) + 1
        or len(set(header)) != len(header)
        or any(not h or h.startswith("unnamed:") for h in header)
    ):
        return _cells(*read_table(path, shown, sheet))  # a quoted line break, a blank or duplicate header
    frame.columns = header
    if any(pair in text for pair in (f" {delimiter}", f"{delimiter} ", " \n", "\n ", " \r")):  # cells to trim
        text_columns = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        frame[text_columns] = frame[text_columns].apply(lambda column: column.str.strip()).replace("", None)
    blank = frame.isna().all(axis=1).to_numpy()
    rows = np.arange(2, len(frame) + 2)[~blank]  # file row of each record (the header is row 1)
    frame = frame[~blank]
    return Cells(shown, frame.reset_index(drop=True), list(rows)), []


def _from_database(
    settings: ActualsFile, frames: dict[str, pd.DataFrame], sources: dict[str, str], problems: list[Problem]
) -> None:
    """Read each table (a name or a SELECT) from the database; every table the URL has when none is named."""
    assert settings.database is not None
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    url = settings.database.url
    shown_url = _hide_password(url)
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            named = {n: getattr(settings.database.tables, n) for n in TABLE_NAMES}
            if not any(named.values()):
                present = set(inspect(connection).get_table_names())
                named = {n: n for n in TABLE_NAMES if n in present}
            for name, spec in named.items():
                if not spec:
                    continue
                is_query = spec.lstrip().lower().startswith(("select", "with"))
                shown = f"{shown_url}#{name if is_query else spec}"
                query = spec if is_query else f'SELECT * FROM "{spec}"'
                try:
                    result = connection.execute(text(query))
                    columns = [str(c).strip().lower() for c in result.keys()]  # noqa: SIM118 (a cursor, not a dict)
                    records = result.fetchall()
                except SQLAlchemyError as exc:
                    problems.append(
                        Problem(
                            shown,
                            0,
                            "",
                            f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                            "check the table name or the query",
                        )
                    )
                    continue
                if not records:
                    problems.append(
                        Problem(shown, 2, "header", "table has no rows", "fill it, or leave it out")
                    )
                    continue
                frame = pd.DataFrame.from_records(records, columns=columns)
                frame = frame.astype(object).where(frame.notna(), None)
                typed, found = typed_frame(
                    name, ACTUALS_MODELS[name], Cells(shown, frame, list(range(2, len(frame) + 2)))
                )
                problems.extend(found)
                frames[name], sources[name] = typed, shown
    except SQLAlchemyError as exc:
        problems.append(
            Problem(
                shown_url,
                0,
                "database.url",
                f"cannot connect ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                "check the URL, the server and the credentials",
            )
        )
    except ImportError as exc:
        problems.append(
            Problem(
                shown_url,
                0,
                "database.url",
                f"no database driver ({exc})",
                "install the driver the URL names (e.g. psycopg for postgresql+psycopg)",
            )
        )


__all__ = ["TABLE_NAMES", "Actuals", "inspect_actuals", "load_actuals", "read_cells"]
