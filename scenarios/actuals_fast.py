"""Validate a large table column by column, with the row model's messages for every row that is not plain.

A cell is *plain* when a vectorised check can see it is valid: an ISO date (YYYY-MM-DD) or a date, an
HH:MM[:SS] time or a time, a finite number within the field's bounds (``ge``/``gt``/``le``/``lt`` of the
model), text within its length. Rows with a cell that is not plain, or that break a rule across fields
(:data:`ROW_RULES`, the models' own validators written as column operations), are validated by the
pydantic row model through :func:`.rows.validate_rows`; its problems are the ones reported and the rows it
accepts are kept. So the accepted rows and the messages are the model's; only the speed differs.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import annotated_types as at
import numpy as np
import pandas as pd
from pydantic.fields import FieldInfo

from .errors import Problem
from .fields import parse_fraction, parse_number, printable_id
from .reader import RawTable
from .rows import validate_rows
from .tables import Row

# finance calls the sold-to a dealer or a customer; either header names the account column
ACCOUNT_ALIASES = ("dealer", "customer")


@dataclass
class Cells:
    """A table's cells as read (text, numbers, dates or None), ``row_numbers[i]`` the file row of row i."""

    file: str
    frame: pd.DataFrame
    row_numbers: list[int]
    files: list[str] | None = None  # per row, when rows come from several files


@dataclass(frozen=True)
class _Spec:
    kind: str  # "text", "date", "time", "number" or "model" (only the model can tell)
    required: bool
    low: float = -np.inf
    high: float = np.inf
    low_open: bool = False
    high_open: bool = False
    max_length: int | None = None
    min_length: int = 0
    printable: bool = False  # an id: no control or invisible characters (else the model says which)


def _flatten(annotation: Any, metadata: list[Any]) -> list[Any]:
    """The types inside Optional/Union/Annotated; constraints found on the way go into ``metadata``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _flatten(base, metadata)
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _flatten(arg, metadata)]
    return [annotation]


def field_spec(info: FieldInfo) -> _Spec:
    metadata: list[Any] = list(info.metadata)
    found = [t for t in _flatten(info.annotation, metadata) if t is not type(None)]
    if any(
        not isinstance(m, (at.Ge, at.Gt, at.Le, at.Lt, at.MaxLen, at.MinLen)) and not _harmless(m)
        for m in metadata
    ):
        kind = "model"  # a validator or an alias table: only the model knows
    elif found == [dt.date]:
        kind = "date"
    elif found == [dt.time]:
        kind = "time"
    elif found == [float]:
        kind = "number"
    elif found == [str]:
        kind = "text"
    else:
        kind = "model"
    spec: dict[str, Any] = {"kind": kind, "required": info.is_required()}
    for m in metadata:
        if isinstance(m, at.Ge):
            spec["low"] = max(spec.get("low", -np.inf), float(m.ge))  # type: ignore[arg-type]
        elif isinstance(m, at.Gt):
            spec["low"], spec["low_open"] = float(m.gt), True  # type: ignore[arg-type]
        elif isinstance(m, at.Le):
            spec["high"] = min(spec.get("high", np.inf), float(m.le))  # type: ignore[arg-type]
        elif isinstance(m, at.Lt):
            spec["high"], spec["high_open"] = float(m.lt), True  # type: ignore[arg-type]
        elif isinstance(m, at.MaxLen):
            spec["max_length"] = m.max_length
        elif isinstance(m, at.MinLen):
            spec["min_length"] = m.min_length
        elif getattr(m, "func", None) is printable_id:
            spec["printable"] = True
    return _Spec(**spec)


def number_fields(model: type[Row]) -> frozenset[str]:
    """The model's plain number fields (read as numbers by the CSV parser)."""
    return frozenset(f for f, info in model.model_fields.items() if field_spec(info).kind == "number")


def _harmless(item: Any) -> bool:
    # what the vectorised checks enforce anyway: allow_inf_nan=False, plain digits (a grouped number or a
    # percentage is not plain, so the model reads it), printable ids
    if getattr(item, "allow_inf_nan", None) is False:
        return True
    return getattr(item, "func", None) in (parse_number, parse_fraction, printable_id)


def _parse(values: pd.Series, spec: _Spec) -> tuple[pd.Series, np.ndarray]:
    """(typed values, plain mask): a cell is plain when empty and optional, or plainly valid.

    A column of text (what CSV gives) is checked with string operations only; a column of mixed Python
    values (XLSX, SQL) also accepts dates, times and whole numbers as the model would."""
    empty = values.isna().to_numpy()
    optional_empty = empty & (not spec.required)
    if spec.kind == "model":
        return values, optional_empty
    all_text = pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    if all_text:
        is_text, text = ~empty, values
    else:
        kinds = values.map(type)
        is_text = kinds.eq(str).to_numpy()
        text = values.where(is_text, None).astype(object)
    if spec.kind == "text":
        if not all_text:
            integers = kinds.eq(int).to_numpy()  # ids typed as numbers read as text, as the model does
            text = text.where(is_text, None).str.strip().where(is_text, values.map(str).where(integers, None))
            is_text = is_text | integers
        lengths = text.str.len().fillna(0).to_numpy()
        ok = is_text & (lengths >= max(spec.min_length, 1))
        if spec.max_length is not None:
            ok &= lengths <= spec.max_length
        if spec.printable:
            ok &= text.map(lambda t: not isinstance(t, str) or t.isprintable()).to_numpy(dtype=bool)
        return text, ok | optional_empty
    if spec.kind == "number":
        numbers = pd.to_numeric(
            values if all_text else values.where(~kinds.eq(bool), None), errors="coerce"
        ).astype(float)
        arr = numbers.to_numpy()
        ok = np.isfinite(arr)
        ok &= (arr > spec.low) if spec.low_open else (arr >= spec.low)
        ok &= (arr < spec.high) if spec.high_open else (arr <= spec.high)
        return numbers, ok | optional_empty
    lengths = text.str.len().fillna(0).to_numpy()
    if spec.kind == "date":
        shaped = (lengths == 10) & is_text
        parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
        if not all_text:
            objects = values.map(
                lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime)
            ).to_numpy()
            if objects.any():
                parsed = parsed.where(~objects, pd.to_datetime(values.where(objects, None), errors="coerce"))
        return parsed.astype("datetime64[ns]"), parsed.notna().to_numpy() | optional_empty
    # time (HH:MM or HH:MM:SS, two digits each) → minutes after midnight
    short = pd.to_datetime(text.where(is_text & (lengths == 5)), format="%H:%M", errors="coerce")
    long = pd.to_datetime(text.where(is_text & (lengths == 8)), format="%H:%M:%S", errors="coerce")
    clock = short.fillna(long)
    out = (clock.dt.hour * 60 + clock.dt.minute + clock.dt.second / 60).to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(out)
    if not all_text:
        objects = values.map(lambda v: isinstance(v, dt.time)).to_numpy()
        if objects.any():
            times = values.map(
                lambda v: v.hour * 60 + v.minute + v.second / 60 if isinstance(v, dt.time) else np.nan
            )
            out = np.where(objects, times, out)
            ok |= objects
    return pd.Series(out, index=values.index, dtype=float), ok | optional_empty


def _model_value(value: Any, spec: _Spec) -> Any:
    if spec.kind == "date":
        return None if value is None else pd.Timestamp(value)
    if spec.kind == "time":
        return np.nan if value is None else value.hour * 60 + value.minute + value.second / 60
    if spec.kind == "number":
        return np.nan if value is None else float(value)
    return value


def _shipment_rule(t: pd.DataFrame) -> np.ndarray:
    return (t["ship_to_lat"].isna() != t["ship_to_lon"].isna()).to_numpy()


def _receivable_rule(t: pd.DataFrame) -> np.ndarray:
    due, date = t["due_date"], t["date"]
    return ((due < date) | (t["paid"].fillna(0) > t["amount"] + 0.005)).to_numpy()


# The models' cross-field validators as column operations (rows they flag go to the model for the message).
ROW_RULES: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {
    "ShipmentRow": _shipment_rule,
    "ReceivableRow": _receivable_rule,
}


def typed_frame(name: str, model: type[Row], cells: Cells) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a table's cells against its row model; returns the valid rows as typed columns and the
    problems (unknown and missing columns, and one per bad cell with file, row and field)."""
    frame = cells.frame
    if "account" in model.model_fields and "account" not in frame.columns:
        frame = frame.rename(columns={a: "account" for a in ACCOUNT_ALIASES if a in frame.columns})
    columns = list(frame.columns)
    head = RawTable(file=cells.file, columns=columns)
    _, problems = validate_rows(name, head, model)
    fields = model.model_fields
    specs = {f: field_spec(info) for f, info in fields.items()}
    if any(p.row == 1 and p.field in fields and "missing" in p.message for p in problems):
        return pd.DataFrame(columns=list(fields)), problems
    n = len(frame)
    typed: dict[str, Any] = {}
    plain = np.ones(n, dtype=bool)
    for f, spec in specs.items():
        if f in frame.columns:
            values, ok = _parse(
                frame[f].astype(object).where(frame[f].notna(), None).reset_index(drop=True), spec
            )
            plain &= ok
        elif spec.kind == "date":
            values = pd.Series(pd.NaT, index=range(n))
        elif spec.kind in ("number", "time"):
            values = pd.Series(np.nan, index=range(n))
        else:
            values = pd.Series([None] * n, dtype=object)
        typed[f] = values.reset_index(drop=True)
    out = pd.DataFrame(typed)
    rule = ROW_RULES.get(model.__name__)
    if rule is not None and n:
        plain &= ~rule(out)
    bad = np.flatnonzero(~plain)
    if len(bad):
        keep = [c for c in columns if c in fields]
        rows = frame.iloc[bad][keep].astype(object).where(frame.iloc[bad][keep].notna(), None)
        subset = RawTable(
            file=cells.file,
            columns=keep,
            rows=rows.to_dict("records"),
            row_numbers=[cells.row_numbers[i] for i in bad],
            files=[cells.files[i] for i in bad] if cells.files else [],
        )
        valid, found = validate_rows(name, subset, model)
        problems.extend(p for p in found if p.row != 1)
        failed = {(p.file, p.row) for p in found if p.row != 1}
        accepted = [i for j, i in enumerate(bad) if subset.origin(j) not in failed]
        for index, row in zip(accepted, valid, strict=True):
            for f, spec in specs.items():
                out.at[index, f] = _model_value(getattr(row, f), spec)
        drop = sorted(set(bad) - set(accepted))
        out = out.drop(index=drop).reset_index(drop=True)
    return out, problems
