"""Load a scenario: YAML (with `extends` chains) plus its tables, into a validated :class:`Scenario`.

Every problem is collected — YAML syntax, unknown keys, missing columns, bad cells, broken references — so
that a planner fixes them all in one pass. Paths resolve relative to the file that names them. The YAML
files are read by :mod:`yamlfile` (bounded), the tables by :mod:`reader` (regular files of bounded size),
their headers mapped by :mod:`columns`; a what-if's ``remove``, ``add`` and ``update`` are applied by
:mod:`edits`.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .checks import check_references
from .columns import rename_columns
from .edits import LoadReport, Resolved, apply_edits, deep_merge
from .errors import Problem, ScenarioError, display_path
from .fields import unprintable
from .messages import describe_error, field_hint
from .model import AddSpec, RemoveSpec, Scenario, ScenarioFile, TableFile, TablePaths, UpdateSpec
from .policy import Horizon
from .reader import RawTable, file_problem, known_encoding, read_table, split_sheet
from .rows import validate_rows
from .tables import key_column
from .yamlfile import MAX_YAML_BYTES, KeyLines, line_of, read_yaml

MAX_EXTENDS_DEPTH = 20
_SECTIONS_OF_THE_FILE = ("extends", "tables", "remove", "add", "update")

__all__ = ["LoadReport", "inspect_scenario", "load_scenario"]


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario; raises :class:`ScenarioError` listing every error."""
    report = inspect_scenario(path)
    if report.scenario is None:
        raise ScenarioError(report.problems)
    return report.scenario


def inspect_scenario(path: str | Path) -> LoadReport:
    """Load a scenario and return it with every problem found (warnings do not stop loading)."""
    # Loading creates millions of small objects and no cycles worth collecting; the cyclic collector
    # would otherwise take half the time on large scenarios.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _inspect(path)
    finally:
        if collecting:
            gc.enable()


def _inspect(path: str | Path) -> LoadReport:
    path = Path(path)
    if path.is_dir():
        path = path / "scenario.yaml"
    path = absolute(path)
    base = path.parent
    problems: list[Problem] = []
    resolved = _resolve(path, base, [], problems)
    if resolved is None:
        return LoadReport(None, problems)
    return finish(resolved, display_path(path, base), problems)


def finish(resolved: Resolved, shown: str, problems: list[Problem]) -> LoadReport:
    """Validate what the YAML files and tables resolved to, check the references, and report."""
    scenario = _build(resolved, shown, problems)
    if scenario is not None:
        problems.extend(check_references(scenario))
    if any(p.severity == "error" for p in problems):
        scenario = None
    return LoadReport(scenario, sorted(set(problems), key=lambda p: (p.file, p.row, p.field, p.message)))


def absolute(path: Path) -> Path:
    """The path with links resolved; as written (made absolute) when it cannot be resolved (a link loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _resolve(path: Path, base: Path, chain: list[Path], problems: list[Problem]) -> Resolved | None:
    shown = display_path(path, base)
    if path in chain:
        cycle = " → ".join(display_path(p, base) for p in [*chain, path])
        problems.append(
            Problem(
                shown,
                0,
                "extends",
                f"extends cycle: {cycle}",
                "make one of these files stop extending the other",
            )
        )
        return None
    if len(chain) >= MAX_EXTENDS_DEPTH:
        problems.append(
            Problem(
                shown,
                0,
                "extends",
                "extends chain deeper than 20 files",
                "extend a scenario closer to the base",
            )
        )
        return None
    document, key_lines = read_yaml(path, shown, problems)
    if document is None:
        return None
    resolved = Resolved()
    extends = document.get("extends")
    if extends is not None:
        parent_path = _base_of(path, shown, extends, key_lines, base, problems)
        if parent_path is None:
            return None
        parent = _resolve(parent_path, base, [*chain, path], problems)
        if parent is None:
            return None
        resolved = parent
    resolved.files.append(path)
    own = {k: v for k, v in document.items() if k not in _SECTIONS_OF_THE_FILE}
    resolved.config = deep_merge(resolved.config, own)
    resolved.key_lines.update({k: (shown, line) for k, line in key_lines.items()})
    sections = _file_sections(document, key_lines, shown, problems)
    if sections is None:
        return resolved
    tables, remove, add, update = sections
    for name in TablePaths.model_fields:
        spec = getattr(tables, name)
        if spec is None:
            continue
        resolved.named_tables.add(name)
        where = (shown, line_of(key_lines, ("tables", name)), f"tables.{name}")
        table = load_table(path.parent, name, spec, base, problems, where, resolved.files)
        if table is not None:
            resolved.tables[name] = table
        else:
            resolved.tables.pop(name, None)

    def load(name: str, spec: str | TableFile, where: tuple[str, int, str]) -> RawTable | None:
        return load_table(path.parent, name, spec, base, problems, where, resolved.files)

    apply_edits(resolved, remove, add, update, shown, key_lines, load, problems)
    return resolved


def _base_of(
    path: Path, shown: str, extends: Any, key_lines: KeyLines, base: Path, problems: list[Problem]
) -> Path | None:
    """The file `extends` names, or None (and a problem at the line that says `extends`)."""
    line = line_of(key_lines, ("extends",))
    if not isinstance(extends, str) or not extends.strip():
        problems.append(
            Problem(
                shown, line, "extends", "must be a file path", "write e.g. extends: ../base/scenario.yaml"
            )
        )
        return None
    parent_path = absolute(path.parent / extends)
    problem = file_problem(parent_path, display_path(parent_path, base), limit=MAX_YAML_BYTES)
    if problem is None:
        return parent_path
    if problem.message == "file not found":
        message = f"base scenario '{extends}' not found"
        advice = "check the path; it is relative to this file"
    else:
        message = f"base scenario '{extends}' {problem.message}"
        advice = "name the base scenario's YAML file, e.g. extends: ../base/scenario.yaml"
    problems.append(Problem(shown, line, "extends", message, advice))
    return None


def _file_sections(
    document: dict[str, Any], lines: KeyLines, shown: str, problems: list[Problem]
) -> tuple[TablePaths, RemoveSpec, AddSpec, UpdateSpec] | None:
    parsed: list[Any] = []
    models = (("tables", TablePaths), ("remove", RemoveSpec), ("add", AddSpec), ("update", UpdateSpec))
    for key, model in models:
        try:
            parsed.append(model.model_validate(document.get(key) or {}))
        except ValidationError as exc:
            for error in exc.errors():
                loc = (key, *field_hint(error))
                problems.append(
                    Problem(shown, line_of(lines, loc), ".".join(loc), *describe_error(error, model))
                )
            parsed.append(None)
    if any(p is None for p in parsed):
        return None
    return parsed[0], parsed[1], parsed[2], parsed[3]


def load_table(
    folder: Path,
    name: str,
    spec: str | TableFile,
    base: Path,
    problems: list[Problem],
    where: tuple[str, int, str],
    files: list[Path],
) -> RawTable | None:
    """Read a table and map its headers; a file that is missing or of the wrong kind is reported where
    the YAML names it."""
    table_file = spec if isinstance(spec, TableFile) else TableFile(file=spec)
    file_part, sheet = split_sheet(table_file.file)
    sheet = table_file.sheet or sheet
    if table_file.encoding is not None and not known_encoding(table_file.encoding):
        problems.append(
            Problem(
                where[0],
                where[1],
                f"{where[2]}.encoding",
                f"unknown encoding '{table_file.encoding}'",
                "use e.g. utf-8, gb18030, latin-1, cp1252, big5 or shift_jis",
            )
        )
        return None
    path = absolute(folder / file_part)
    files.append(path)
    shown = display_path(path, base) + (f"#{sheet}" if sheet else "")
    table, found = read_table(path, shown, sheet, table_file.encoding, name.split(".")[0])
    for problem in found:
        if problem.row == 0:  # about the file as a whole: point at the YAML line that names it
            problem = Problem(where[0], where[1], where[2], f"{shown}: {problem.message}", problem.advice)
        problems.append(problem)
    if table is not None:
        mapped = rename_columns(name, table, table_file.columns, where)
        problems.extend(mapped)
        if any(p.severity == "error" for p in mapped):
            return None
    return table


def _build(resolved: Resolved, shown: str, problems: list[Problem]) -> Scenario | None:
    config = dict(resolved.config)
    try:
        header = ScenarioFile.model_validate(config)
    except ValidationError as exc:
        for error in exc.errors():
            loc = field_hint(error)
            file, line = _locate(resolved.key_lines, loc, (shown, 0))
            problems.append(Problem(file, line, ".".join(loc), *describe_error(error, ScenarioFile)))
        header = None
    if header is not None and header.horizon is None:
        problems.append(
            Problem(shown, 0, "horizon", "horizon is missing", "add horizon: {start: YYYY-MM-DD, weeks: 13}")
        )
    for required in ("reps", "accounts"):
        if required not in resolved.tables and required not in resolved.named_tables:
            problems.append(
                Problem(
                    shown,
                    0,
                    f"tables.{required}",
                    f"no {required} table",
                    f"add tables: {{{required}: {required}.csv}}",
                )
            )
    rows: dict[str, tuple[Any, ...]] = {}
    origins: dict[tuple[str, str], tuple[str, int]] = {}
    for name, table in resolved.tables.items():
        valid, found = validate_rows(name, table)
        problems.extend(found)
        rows[name] = tuple(valid)
        for index, row in enumerate(table.rows):
            origins[(name, f"#{index}")] = table.origin(index)
            key = row.get(key_column(name))
            if key is not None:
                origins.setdefault((name, str(key).strip()), table.origin(index))
    if "reps" not in rows or "accounts" not in rows:
        return None
    settings_valid = header is not None and header.horizon is not None
    if header is None or header.horizon is None:
        # The YAML part is broken (and reported); check the tables against default settings anyway.
        header = ScenarioFile(horizon=Horizon(start=dt.date(2000, 1, 3)))
    assert header.horizon is not None
    reps_table = resolved.tables.get("reps")
    present_reps = {str(r.get("id")).strip() for r in reps_table.rows} if reps_table else set()
    scenario = Scenario(
        name=header.name or Path(shown).parent.name or shown,
        description=header.description,
        horizon=header.horizon,
        policy=header.policy,
        regions=rows.get("regions", ()),
        reps=rows.get("reps", ()),
        accounts=rows.get("accounts", ()),
        opportunities=rows.get("opportunities", ()),
        travel_matrix=rows.get("travel_matrix", ()),
        absences=rows.get("absences", ()),
        adjacency=rows.get("adjacency", ()),
        overnight_places=rows.get("overnight_places", ()),
        # a rep removed by one what-if and added back (by it or a later one) has not left
        removed_reps=tuple(r for r in dict.fromkeys(resolved.removed_reps) if r not in present_reps),
        source=shown,
    )
    scenario._files = tuple(dict.fromkeys(resolved.files))
    scenario._settings_valid = settings_valid
    scenario._key_lines.update(resolved.key_lines)
    scenario._origins.update(origins)
    scenario._raw_ids.update({name: _written_ids(t, key_column(name)) for name, t in resolved.tables.items()})
    return scenario


def _locate(
    key_lines: dict[tuple[str, ...], tuple[str, int]], loc: tuple[str, ...], default: tuple[str, int]
) -> tuple[str, int]:
    path = loc
    while path:
        if path in key_lines:
            return key_lines[path]
        path = path[:-1]
    return default


def _written_ids(table: RawTable, key: str = "id") -> set[str]:
    """Ids (the ``key`` column) as written, and as they look (invisible characters left out): a reference
    to 'AM03' whose row says 'AM03' with a NUL inside is not reported again as unknown."""
    ids = {str(r[key]).strip() for r in table.rows if r.get(key) is not None}
    return ids | {"".join(c for c in i if unprintable(c) is None) for i in ids if unprintable(i)}
