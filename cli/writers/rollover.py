"""Write the next quarter's scenario folder: the same tables in the same files and encodings, edited.

The accounts table gets current_rep, current_visits_per_month, current_sales and moved_dates; the
opportunities table loses the won and lost ones and excludes those of accounts over their credit limit;
every other table is copied byte for byte (CSV keeps its encoding — GB18030 stays GB18030 —, BOM,
separator and line ends; an XLSX keeps its other sheets). scenario.yaml keeps its comments: only the
name, the horizon's start and its holidays (and make-up working days) change. A what-if (``extends``) is
written flat: its base's tables with the what-if's removals applied, and one scenario.yaml.
Also writes moves.csv (the move history, carried from the scenario's folder and extended) and
rollover.json (what changed and the warnings).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ...rollover import RolloverResult
from ...scenarios.errors import Problem
from ...scenarios.reader import decode_text, split_sheet

ACCOUNT_COLUMNS = ("current_rep", "current_visits_per_month", "current_sales", "moved_dates")


class RolloverError(Exception):
    """The scenario cannot be rolled over as it is; carries the problems (file:row:field)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario's YAML files from the base to the what-if, each with its mapping."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    while True:
        config = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        chain.insert(0, (path, config))
        if not config.get("extends"):
            return chain
        path = (path.parent / config["extends"]).resolve()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def write_next_scenario(scenario_path: Path, result: RolloverResult, target: Path, name: str) -> list[str]:
    """Write the next scenario into ``target`` (a staging folder); returns notes on what was done."""
    scenario_path = scenario_path / "scenario.yaml" if scenario_path.is_dir() else scenario_path
    chain = _chain(scenario_path.resolve())
    merged: dict[str, Any] = {}
    tables: dict[str, tuple[Path, str | None]] = {}
    removed: dict[str, set[str]] = {
        "reps": set(),
        "accounts": set(),
        "opportunities": set(),
        "regions": set(),
    }
    for path, config in chain:
        if config.get("add"):
            raise RolloverError(
                [
                    Problem(
                        path.name,
                        0,
                        "add",
                        "a what-if that adds rows cannot be rolled over yet",
                        "roll over its base, then add the rows to the next scenario",
                    )
                ]
            )
        for table, spec in (config.get("tables") or {}).items():
            file, sheet = split_sheet(str(spec))
            tables[table] = ((path.parent / file).resolve(), sheet)
        for table, ids in (config.get("remove") or {}).items():
            removed.setdefault(table, set()).update(str(i) for i in ids)
        merged = _merge(merged, {k: v for k, v in config.items() if k not in ("extends", "remove", "add")})
    notes: list[str] = []
    written: dict[str, str] = {}
    for table, (source, sheet) in tables.items():
        file = source.name
        written[table] = file + (f"#{sheet}" if sheet else "")
        destination = target / file
        if table == "accounts":
            _edit_table(source, sheet, destination, lambda f: _accounts(f, result, removed["accounts"]))
        elif table == "opportunities":
            _edit_table(source, sheet, destination, lambda f: _opportunities(f, result, removed))
        elif removed.get(table):
            _edit_table(
                source, sheet, destination, lambda f, t=table: f[~f[_column(f, "id")].isin(removed[t])]
            )
        elif table == "absences":
            _edit_table(
                source,
                sheet,
                destination,
                lambda f: f[pd.to_datetime(f[_column(f, "end")]) >= pd.Timestamp(result.start)],
            )
        elif not destination.exists():
            shutil.copyfile(source, destination)
    text = _edit_yaml(chain[0][0].read_text(encoding="utf-8-sig"), result, name) if len(chain) == 1 else None
    if text is None:
        merged["name"] = name
        merged["tables"] = written
        horizon = dict(merged.get("horizon") or {})
        horizon["start"] = result.start.isoformat()
        horizon["holidays"] = [d.isoformat() for d in result.holidays]
        if result.workdays or "workdays" in horizon:
            horizon["workdays"] = [d.isoformat() for d in result.workdays]
        merged["horizon"] = horizon
        text = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False)
        notes.append("scenario.yaml written flat (the what-if's comments are not kept)")
    (target / "scenario.yaml").write_text(text, encoding="utf-8")
    moves = result.moves_frame()
    folders = list(dict.fromkeys(path.parent for path, _ in chain))  # the base's history first
    earlier = [
        pd.read_csv(f / "moves.csv", dtype=str, keep_default_na=False)
        for f in folders
        if (f / "moves.csv").exists()
    ]
    if earlier:
        moves = pd.concat([*earlier, moves.astype(str)], ignore_index=True).drop_duplicates()
    moves.to_csv(target / "moves.csv", index=False, lineterminator="\n")
    return notes


def _column(frame: pd.DataFrame, name: str) -> str:
    """The frame's own header for a salesplan column (headers are matched trimmed and lower-case)."""
    for column in frame.columns:
        if str(column).strip().lstrip("\ufeff").lower() == name:
            return str(column)
    frame[name] = ""
    return name


def _accounts(frame: pd.DataFrame, result: RolloverResult, removed: set[str]) -> pd.DataFrame:
    ids = frame[_column(frame, "id")].astype(str).str.strip()
    frame = frame[~ids.isin(removed)].copy()
    ids = ids[frame.index]
    figures = result.accounts.set_index("account")
    for name in ACCOUNT_COLUMNS:
        column = _column(frame, name)
        values = ids.map(figures[name])
        if name in ("current_visits_per_month", "current_sales"):
            values = values.map(lambda v: "" if pd.isna(v) else _number(float(v)))
        frame[column] = values.where(ids.isin(figures.index), frame[column]).fillna("")
    return frame


def _opportunities(frame: pd.DataFrame, result: RolloverResult, removed: dict[str, set[str]]) -> pd.DataFrame:
    ids = frame[_column(frame, "id")].astype(str).str.strip()
    accounts = frame[_column(frame, "account")].astype(str).str.strip()
    drop = ids.isin(set(result.removed_opportunities) | removed.get("opportunities", set())) | accounts.isin(
        removed.get("accounts", set())
    )
    frame = frame[~drop].copy()
    excluded = ids[frame.index].isin(result.excluded_opportunities)
    if excluded.any():
        exclude, must = _column(frame, "exclude"), _column(frame, "must_pursue")
        frame.loc[excluded, exclude] = "true"
        frame.loc[excluded, must] = "false"
    return frame


def _edit_table(source: Path, sheet: str | None, destination: Path, edit: Any) -> None:
    """Apply ``edit`` (frame → frame, cells as text) to a table and write it in the same format."""
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        _edit_xlsx(source, sheet, destination, edit)
        return
    data = source.read_bytes()
    text, _ = decode_text(data, str(source))
    encoding = "utf-8"
    if text is not None:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = "gb18030"  # what decode_text fell back to: written back the same way
    if text is None:
        shutil.copyfile(source, destination)
        return
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    import io

    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    out = edit(frame)
    newline = "\r\n" if "\r\n" in text else "\n"
    body = out.to_csv(index=False, sep=delimiter, lineterminator=newline)
    bom = data.startswith(b"\xef\xbb\xbf")
    destination.write_bytes(
        (b"\xef\xbb\xbf" if bom else b"") + body.encode("gb18030" if encoding == "gb18030" else "utf-8")
    )


def _edit_xlsx(source: Path, sheet: str | None, destination: Path, edit: Any) -> None:
    import openpyxl

    book = openpyxl.load_workbook(source)
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = ["" if h is None else str(h) for h in rows[0]]
    frame = pd.DataFrame([["" if v is None else v for v in r] for r in rows[1:]], columns=header).astype(
        object
    )
    frame = frame.map(lambda v: v.date().isoformat() if isinstance(v, dt.datetime) else v)
    out = edit(frame.astype(str).where(frame.astype(str) != "", ""))
    ws.delete_rows(1, ws.max_row)
    ws.append(list(out.columns))
    for record in out.itertuples(index=False):
        ws.append([_cell(v) for v in record])
    book.save(destination)


def _cell(value: str) -> Any:
    """Numbers back as numbers, empty as empty, text as text."""
    if value == "":
        return None
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return value


def _edit_yaml(text: str, result: RolloverResult, name: str) -> str | None:
    """The YAML text with name, horizon.start and horizon.holidays changed; None when the layout is not
    the simple one (start and holidays on one line each in the horizon block)."""
    lines = text.split("\n")
    try:
        top = next(i for i, line in enumerate(lines) if re.match(r"^horizon:\s*(#.*)?$", line))
    except StopIteration:
        return None
    block = [i for i in range(top + 1, len(lines)) if lines[i].startswith((" ", "\t"))]
    end = top + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    block = list(range(top + 1, end))
    starts = [i for i in block if re.match(r"^\s+start:", lines[i])]
    if len(starts) != 1:
        return None
    lines[starts[0]] = re.sub(r"(start:\s*)[^#\s]+", rf"\g<1>{result.start.isoformat()}", lines[starts[0]])
    for key, days in (("holidays", result.holidays), ("workdays", result.workdays)):
        found = [i for i in block if re.match(rf"^\s+{key}:", lines[i])]
        shown = "[" + ", ".join(d.isoformat() for d in days) + "]"
        if found:
            line = lines[found[0]]
            if not re.match(rf"^\s+{key}:\s*\[.*\]", line):
                return None
            indent = line[: len(line) - len(line.lstrip())]
            lines[found[0]] = f"{indent}{key}: {shown}"
        elif days:
            indent = lines[starts[0]][: len(lines[starts[0]]) - len(lines[starts[0]].lstrip())]
            lines.insert(starts[0] + 1, f"{indent}{key}: {shown}")
    names = [i for i, line in enumerate(lines) if re.match(r"^name:", line)]
    if names:
        lines[names[0]] = f"name: {json.dumps(name, ensure_ascii=False)}"
    else:
        lines.insert(0, f"name: {json.dumps(name, ensure_ascii=False)}")
    return "\n".join(lines)
