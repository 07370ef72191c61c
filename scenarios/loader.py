"""Load a scenario: YAML (with `extends` chains) plus its tables, into a validated :class:`Scenario`.

Every problem is collected — YAML syntax, unknown keys, missing columns, bad cells, broken references — so
that a planner fixes them all in one pass. Paths resolve relative to the file that names them.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import check_references
from .errors import Problem, ScenarioError, display_path
from .messages import describe_error, field_hint
from .model import AddSpec, RemoveSpec, Scenario, ScenarioFile, TablePaths
from .policy import Horizon
from .reader import RawTable, read_table, split_sheet
from .rows import validate_rows

MAX_EXTENDS_DEPTH = 20
_SECTIONS_OF_THE_FILE = ("extends", "tables", "remove", "add")


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader that leaves dates as text, so that pydantic reports an impossible date with its key."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LoadReport:
    """What loading found: the scenario (None when there are errors) and every problem, warnings included."""

    scenario: Scenario | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class _Resolved:
    config: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    removed_reps: list[str] = field(default_factory=list)
    named_tables: set[str] = field(default_factory=set)  # named in some YAML, loaded or not


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
    base = path.resolve().parent
    problems: list[Problem] = []
    resolved = _resolve(path.resolve(), base, [], problems)
    if resolved is None:
        return LoadReport(None, problems)
    shown = display_path(path, base)
    scenario = _build(resolved, shown, base, problems)
    if scenario is not None:
        problems.extend(check_references(scenario))
    if any(p.severity == "error" for p in problems):
        scenario = None
    return LoadReport(scenario, sorted(set(problems), key=lambda p: (p.file, p.row, p.field, p.message)))


def _resolve(path: Path, base: Path, chain: list[Path], problems: list[Problem]) -> _Resolved | None:
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
    document, key_lines = _read_yaml(path, shown, problems)
    if document is None:
        return None
    resolved = _Resolved()
    extends = document.get("extends")
    if extends is not None:
        if not isinstance(extends, str) or not extends.strip():
            problems.append(
                Problem(
                    shown,
                    _line(key_lines, ("extends",)),
                    "extends",
                    "must be a file path",
                    "write e.g. extends: ../base/scenario.yaml",
                )
            )
            return None
        parent_path = (path.parent / extends).resolve()
        if not parent_path.exists():
            problems.append(
                Problem(
                    shown,
                    _line(key_lines, ("extends",)),
                    "extends",
                    f"base scenario '{extends}' not found",
                    "check the path; it is relative to this file",
                )
            )
            return None
        parent = _resolve(parent_path, base, [*chain, path], problems)
        if parent is None:
            return None
        resolved = parent
    own = {k: v for k, v in document.items() if k not in _SECTIONS_OF_THE_FILE}
    resolved.config = _deep_merge(resolved.config, own)
    resolved.key_lines.update({k: (shown, line) for k, line in key_lines.items()})
    sections = _file_sections(document, key_lines, shown, problems)
    if sections is None:
        return resolved
    tables, remove, add = sections
    for name, spec in tables.model_dump(exclude_none=True).items():
        resolved.named_tables.add(name)
        where = (shown, _line(key_lines, ("tables", name)), f"tables.{name}")
        table = _load_table(path.parent, spec, base, problems, where)
        if table is not None:
            resolved.tables[name] = table
        else:
            resolved.tables.pop(name, None)
    _apply_remove(resolved, remove, shown, key_lines, problems)
    for name, spec in add.model_dump(exclude_none=True).items():
        where = (shown, _line(key_lines, ("add", name)), f"add.{name}")
        table = _load_table(path.parent, spec, base, problems, where)
        if table is not None:
            _append_rows(resolved, name, table)
    return resolved


def _read_yaml(
    path: Path, shown: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, dict[tuple[str, ...], int]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_bytes().decode("gb18030")
        except UnicodeDecodeError:
            problems.append(Problem(shown, 0, "", "cannot be decoded", "save the YAML file as UTF-8"))
            return None, {}
    except OSError as exc:
        problems.append(
            Problem(shown, 0, "", f"cannot be read ({exc.strerror})", "check the path and permissions")
        )
        return None, {}
    try:
        document = yaml.load(text, Loader=_Loader)  # safe: _Loader is a SafeLoader
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(
            Problem(
                shown,
                line,
                "",
                f"YAML syntax error: {reason}",
                "check indentation (spaces, not tabs) and quotes",
            )
        )
        return None, {}
    if not isinstance(document, dict):
        problems.append(
            Problem(
                shown,
                1,
                "",
                "is not a YAML mapping of keys",
                "start with e.g. 'name: My scenario'; see `salesplan schema`",
            )
        )
        return None, {}
    lines: dict[tuple[str, ...], int] = {}
    duplicates: list[tuple[tuple[str, ...], int]] = []
    _collect_lines(node, (), lines, duplicates)
    for key, line in duplicates:
        # YAML keeps the last of two equal keys silently: a planner's edit could vanish unseen.
        problems.append(
            Problem(
                shown,
                line,
                ".".join(key),
                f"key '{key[-1]}' appears twice in the same section",
                "keep one of them",
            )
        )
    return document, lines


def _collect_lines(
    node: Any,
    prefix: tuple[str, ...],
    lines: dict[tuple[str, ...], int],
    duplicates: list[tuple[tuple[str, ...], int]],
) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, str(key.value))
            if path in lines:
                duplicates.append((path, key.start_mark.line + 1))
            lines[path] = key.start_mark.line + 1
            _collect_lines(value, path, lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, str(index))
            lines[path] = item.start_mark.line + 1
            _collect_lines(item, path, lines, duplicates)


def _line(lines: dict[tuple[str, ...], int], path: tuple[str, ...]) -> int:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 0


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _file_sections(
    document: dict[str, Any], lines: dict[tuple[str, ...], int], shown: str, problems: list[Problem]
) -> tuple[TablePaths, RemoveSpec, AddSpec] | None:
    parsed: list[Any] = []
    for key, model in (("tables", TablePaths), ("remove", RemoveSpec), ("add", AddSpec)):
        try:
            parsed.append(model.model_validate(document.get(key) or {}))
        except ValidationError as exc:
            for error in exc.errors():
                loc = (key, *field_hint(error))
                problems.append(
                    Problem(shown, _line(lines, loc), ".".join(loc), *describe_error(error, model))
                )
            parsed.append(None)
    if any(p is None for p in parsed):
        return None
    return parsed[0], parsed[1], parsed[2]


def _load_table(
    folder: Path, spec: str, base: Path, problems: list[Problem], where: tuple[str, int, str]
) -> RawTable | None:
    """Read a table; a file that is missing or of the wrong kind is reported where the YAML names it."""
    file_part, sheet = split_sheet(spec)
    path = (folder / file_part).resolve()
    shown = display_path(path, base) + (f"#{sheet}" if sheet else "")
    table, found = read_table(path, shown, sheet)
    for problem in found:
        if problem.row == 0:  # about the file as a whole: point at the YAML line that names it
            problem = Problem(where[0], where[1], where[2], f"{shown}: {problem.message}", problem.advice)
        problems.append(problem)
    return table


def _apply_remove(
    resolved: _Resolved,
    remove: RemoveSpec,
    shown: str,
    lines: dict[tuple[str, ...], int],
    problems: list[Problem],
) -> None:
    for name in ("reps", "accounts", "opportunities", "regions"):
        ids = set(getattr(remove, name))
        if not ids:
            continue
        table = resolved.tables.get(name)
        present = {str(r.get("id")) for r in table.rows} if table else set()
        for index, row_id in enumerate(getattr(remove, name)):
            if row_id not in present:
                problems.append(
                    Problem(
                        shown,
                        _line(lines, ("remove", name, str(index))),
                        f"remove.{name}",
                        f"'{row_id}' is not in the {name} of the base scenario",
                        "remove it from the list or fix the id",
                    )
                )
        if table is not None:
            _drop_rows(table, lambda row, ids=ids: str(row.get("id")) in ids)
        if name == "reps":
            resolved.removed_reps.extend(sorted(ids & present))
        if name == "accounts" and "opportunities" in resolved.tables:
            _drop_rows(resolved.tables["opportunities"], lambda row, ids=ids: str(row.get("account")) in ids)


def _drop_rows(table: RawTable, drop: Any) -> None:
    keep = [i for i, row in enumerate(table.rows) if not drop(row)]
    files = [table.origin(i)[0] for i in keep]
    table.rows = [table.rows[i] for i in keep]
    table.row_numbers = [table.row_numbers[i] for i in keep]
    table.files = files


def _append_rows(resolved: _Resolved, name: str, extra: RawTable) -> None:
    table = resolved.tables.get(name)
    if table is None:
        resolved.tables[name] = extra
        return
    files = [table.origin(i)[0] for i in range(len(table.rows))] + [extra.file] * len(extra.rows)
    table.rows = table.rows + extra.rows
    table.row_numbers = table.row_numbers + extra.row_numbers
    table.files = files
    table.columns = list(dict.fromkeys(table.columns + extra.columns))


def _build(resolved: _Resolved, shown: str, base: Path, problems: list[Problem]) -> Scenario | None:
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
            key = row.get("id")
            if key is not None:
                origins.setdefault((name, str(key).strip()), table.origin(index))
    if "reps" not in rows or "accounts" not in rows:
        return None
    settings_valid = header is not None and header.horizon is not None
    if header is None or header.horizon is None:
        # The YAML part is broken (and reported); check the tables against default settings anyway.
        header = ScenarioFile(horizon=Horizon(start=dt.date(2000, 1, 3)))
    assert header.horizon is not None
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
        removed_reps=tuple(resolved.removed_reps),
        source=shown,
    )
    scenario._settings_valid = settings_valid
    scenario._key_lines.update(resolved.key_lines)
    scenario._origins.update(origins)
    scenario._raw_ids.update(
        {
            name: {str(r["id"]).strip() for r in t.rows if r.get("id") is not None}
            for name, t in resolved.tables.items()
        }
    )
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
