"""A what-if's edits of the scenario it extends: ``remove`` rows, ``add`` rows, ``update`` cells.

Applied in that order, per YAML file of an `extends` chain, on the raw rows (before validation), so that
every problem still names the file, row and field where a value came from: an updated cell that is wrong
is reported at the YAML line (or the row of the update table) that set it.

What happens to related rows is said, never silent: removing an account removes its opportunities (a
warning names them); an account or rep removed and added again keeps its opportunities (its id still
exists), with a warning that ``update`` changes columns in place; a rep added back has not left.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem
from .reader import RawTable
from .tables import TABLE_MODELS
from .yamlfile import KeyLines, line_of

if TYPE_CHECKING:
    from .model import AddSpec, RemoveSpec, Scenario, TableFile, UpdateSpec

LoadTable = Callable[[str, "str | TableFile", tuple[str, int, str]], RawTable | None]


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
class Resolved:
    """A scenario as its YAML files and tables resolve to, before validation."""

    config: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    removed_reps: list[str] = field(default_factory=list)
    named_tables: set[str] = field(default_factory=set)  # named in some YAML, loaded or not
    files: list[Path] = field(default_factory=list)  # every file read: YAML files and tables


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_edits(
    resolved: Resolved,
    remove: RemoveSpec,
    add: AddSpec,
    update: UpdateSpec,
    shown: str,
    lines: KeyLines,
    load: LoadTable,
    problems: list[Problem],
) -> None:
    """Apply one YAML file's ``remove``, ``add`` and ``update`` to what its base resolved to."""
    removed = _remove(resolved, remove, shown, lines, problems)
    added: dict[str, set[str]] = {}
    for name in type(add).model_fields:
        spec = getattr(add, name)
        if spec is None:
            continue
        table = load(name, spec, (shown, line_of(lines, ("add", name)), f"add.{name}"))
        if table is None:
            continue
        added[name] = {str(r.get("id")).strip() for r in table.rows if r.get("id") is not None}
        if name in resolved.tables:
            resolved.tables[name].extend(table)
        else:
            resolved.tables[name] = table
    _related(resolved, removed, added, shown, problems)
    _update(resolved, update, shown, lines, load, problems)


def _remove(
    resolved: Resolved, remove: RemoveSpec, shown: str, lines: KeyLines, problems: list[Problem]
) -> dict[str, dict[str, int]]:
    """Drop the rows ``remove`` names; returns table → removed id → the YAML line that removes it."""
    removed: dict[str, dict[str, int]] = {}
    for name in ("reps", "accounts", "opportunities", "regions"):
        wanted: list[str] = getattr(remove, name)
        if not wanted:
            continue
        table = resolved.tables.get(name)
        present = {str(r.get("id")) for r in table.rows} if table else set()
        removed[name] = {}
        for index, row_id in enumerate(wanted):
            line = line_of(lines, ("remove", name, str(index)))
            if row_id not in present:
                problems.append(
                    Problem(
                        shown,
                        line,
                        f"remove.{name}",
                        f"'{row_id}' is not in the {name} of the base scenario",
                        "remove it from the list or fix the id",
                    )
                )
            else:
                removed[name][row_id] = line
        if table is not None:
            ids = set(wanted)
            table.keep([i for i, row in enumerate(table.rows) if str(row.get("id")) not in ids])
        if name == "reps":
            resolved.removed_reps.extend(sorted(set(removed[name])))
    return removed


def _related(
    resolved: Resolved,
    removed: dict[str, dict[str, int]],
    added: dict[str, set[str]],
    shown: str,
    problems: list[Problem],
) -> None:
    """Opportunities of removed accounts go with them (said at the remove line); removed and re-added
    rows keep what refers to them, with a hint at ``update``."""
    for name in ("reps", "accounts"):
        for row_id in sorted(set(removed.get(name, {})) & added.get(name, set())):
            problems.append(
                Problem(
                    shown,
                    removed[name][row_id],
                    f"remove.{name}",
                    f"'{row_id}' is removed and added again: what refers to it (opportunities, current "
                    "reps) is kept",
                    f"to change some of its columns, use update: {{{name}: {{{row_id}: {{region: ...}}}}}} "
                    "instead of remove and add",
                    "warning",
                )
            )
    gone = {a: line for a, line in removed.get("accounts", {}).items() if a not in added.get("accounts", ())}
    opportunities = resolved.tables.get("opportunities")
    if not gone or opportunities is None:
        return
    dropped: dict[str, list[str]] = {}
    for row in opportunities.rows:
        account = str(row.get("account"))
        if account in gone:
            dropped.setdefault(account, []).append(str(row.get("id")))
    for account, ids in sorted(dropped.items()):
        shown_ids = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        problems.append(
            Problem(
                shown,
                gone[account],
                "remove.accounts",
                f"account '{account}' has {len(ids)} opportunit{'y' if len(ids) == 1 else 'ies'} "
                f"({shown_ids}): removed with it",
                "to move the account to another region and keep them, use update: {accounts: "
                f"{{{account}: {{region: ...}}}}}} instead",
                "warning",
            )
        )
    opportunities.keep([i for i, row in enumerate(opportunities.rows) if str(row.get("account")) not in gone])


def _update(
    resolved: Resolved,
    update: UpdateSpec,
    shown: str,
    lines: KeyLines,
    load: LoadTable,
    problems: list[Problem],
) -> None:
    for name in type(update).model_fields:
        spec = getattr(update, name)
        if spec is None:
            continue
        key = ("update", name)
        where = (shown, line_of(lines, key), f"update.{name}")
        table = resolved.tables.get(name)
        if table is None:
            problems.append(
                Problem(*where, f"there is no {name} table to update", f"add tables: {{{name}: ...}} first")
            )
            continue
        if isinstance(spec, dict):
            changes = [
                (
                    str(row_id),
                    (shown, line_of(lines, (*key, str(row_id))), f"update.{name}.{row_id}"),
                    {
                        str(column): (
                            value,
                            (
                                shown,
                                line_of(lines, (*key, str(row_id), str(column))),
                                f"update.{name}.{row_id}.{column}",
                            ),
                        )
                        for column, value in cells.items()
                    },
                )
                for row_id, cells in spec.items()
            ]
        else:
            changes = _changes_from_table(name, load(name, spec, where), problems)
        _change_cells(name, table, changes, problems)


Origin = tuple[str, int, str]


def _changes_from_table(
    name: str, table: RawTable | None, problems: list[Problem]
) -> list[tuple[str, Origin, dict[str, tuple[Any, Origin]]]]:
    """Changes given as a table: its id column names the rows, every other filled cell is a change."""
    if table is None:
        return []
    if "id" not in table.columns:
        problems.append(
            Problem(
                table.file,
                1,
                "id",
                "an update table needs an id column",
                f"add the id of each {name} row to change, and the columns to change beside it",
            )
        )
        return []
    changes = []
    for index, row in enumerate(table.rows):
        file, number = table.origin(index)
        row_id = row.get("id")
        if row_id is None:
            problems.append(
                Problem(
                    file, number, table.header("id"), "id is empty", "fill in the id of the row to change"
                )
            )
            continue
        cells = {
            column: (value, (file, number, table.header(column)))
            for column, value in row.items()
            if column != "id" and value is not None  # an empty cell leaves the value as it is
        }
        changes.append((str(row_id), (file, number, table.header("id")), cells))
    return changes


def _change_cells(
    name: str,
    table: RawTable,
    changes: list[tuple[str, Origin, dict[str, tuple[Any, Origin]]]],
    problems: list[Problem],
) -> None:
    fields = TABLE_MODELS[name].model_fields
    index = {str(row.get("id")).strip(): i for i, row in enumerate(table.rows)}
    for row_id, where, cells in changes:
        if row_id not in index:
            advice = f"{_close(row_id, index)}fix the id; new rows go under add:"
            problems.append(Problem(*where, f"'{row_id}' is not in the {name} of the base scenario", advice))
            continue
        row = table.rows[index[row_id]]
        for column, (value, origin) in cells.items():
            if column == "id":
                advice = "remove the row and add it with the new id (its opportunities then need it too)"
                problems.append(Problem(*origin, "an id cannot be updated", advice))
                continue
            if column not in fields:
                advice = f"{_close(column, fields)}columns: {', '.join(fields)}"
                problems.append(Problem(*origin, f"unknown column '{column}' in the {name} table", advice))
                continue
            row[column] = value.strip() or None if isinstance(value, str) else value
            table.cell_origins.setdefault(index[row_id], {})[column] = origin
            if column not in table.columns:
                table.columns.append(column)


def _close(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"did you mean '{close[0]}'? " if close else ""
