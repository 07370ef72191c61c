"""Turn pydantic validation errors into a planner's message: what is wrong, and what to do."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_ADVICE_BY_TYPE = {
    "float_parsing": "write a plain number such as 1234.5 or 1,234,000 (no units)",
    "float_type": "write a plain number such as 1234.5",
    "int_parsing": "write a whole number",
    "int_from_float": "write a whole number",
    "bool_parsing": "write true or false (yes/no, 1/0 also work)",
    "date_parsing": "write dates as YYYY-MM-DD",
    "date_from_datetime_parsing": "write dates as YYYY-MM-DD",
    "date_from_datetime_inexact": "write dates as YYYY-MM-DD without a time",
    "date_type": "write dates as YYYY-MM-DD",
    "time_parsing": "write times as HH:MM, e.g. 08:30",
    "time_type": "write times as HH:MM, e.g. 08:30",
    "string_too_long": "shorten the text",
    "string_too_short": "fill in a value",
    "extra_forbidden": "remove it or fix its spelling; `salesplan schema` lists every key",
    "dict_type": "write a mapping of keys (key: value on their own lines)",
    "list_type": "write a list, e.g. [a, b]",
    "tuple_type": "write a list, e.g. [a, b]",
    "string_type": "write text",
}

# Our own error types (scenarios/fields.py): their messages are written for planners, kept as they are.
_OWN_ADVICE = {
    "number_ambiguous": "write 1234.5 with a decimal point, or 1,234,000 with commas between groups of "
    "three digits",
    "percent_not_allowed": "write the number itself; percentages (80%) are read for shares and "
    "probabilities only",
    "number_in_words": "write 1200000 rather than 120万",
    "id_unprintable": "retype the id without it (it often comes with a copy from a CRM export)",
}


def _field_description(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    if model is None:
        return ""
    current: Any = model
    description = ""
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            break
        info = fields[part]
        description = info.description or ""
        annotation = info.annotation
        current = annotation if isinstance(annotation, type) else _model_in(annotation)
    return description


def _model_in(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def field_hint(error: Any) -> tuple[str, ...]:
    """The loc of an error, extended by the field a cross-field validator names ('field: message')."""
    loc = tuple(str(p) for p in error.get("loc", ()) if not str(p).startswith("<"))
    if error.get("type") == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        head, sep, _ = message.partition(": ")
        if sep and head.isidentifier():
            return (*loc, head)
    return loc


def _strip_hint(message: str) -> str:
    head, sep, rest = message.partition(": ")
    return rest if sep and head.isidentifier() else message


def describe_error(
    error: Any, model: type[BaseModel] | None = None, column: str | None = None
) -> tuple[str, str]:
    """(message, advice) for one pydantic error dict; ``column`` names the field as the planner sees it."""
    kind = error.get("type", "")
    loc = tuple(p for p in error.get("loc", ()) if not str(p).startswith("<"))
    name = column or (str(loc[-1]) if loc else "value")
    value = error.get("input")
    raw_message = str(error.get("msg", "invalid value"))
    message = _strip_hint(raw_message.removeprefix("Value error, ").removeprefix("Assertion failed, "))
    description = _field_description(model, loc)
    if kind == "missing" or (value is None and kind not in ("value_error", "assertion_error")):
        advice = f"fill in {name}" + (f": {description}" if description else "")
        return f"{name} is empty", advice
    if kind == "extra_forbidden":
        return f"unknown key '{name}'", _ADVICE_BY_TYPE[kind]
    shown_value = _show(value)
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        return f"{name} = {shown_value} is not allowed", f"use one of {expected}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        advice = description or "correct the value"
        if name in ("lat", "home_lat", "lon", "home_lon"):
            advice = "latitude lies in [-90, 90], longitude in [-180, 180]; check that they are not swapped"
        return f"{name} = {shown_value}: {message.lower()}", advice
    if kind in _OWN_ADVICE:
        return f"{name} = {shown_value}: {message}", _OWN_ADVICE[kind]
    if kind in _ADVICE_BY_TYPE:
        return f"{name} = {shown_value}: {message.lower()}", _ADVICE_BY_TYPE[kind]
    if kind in ("value_error", "assertion_error"):
        return (f"{name} = {shown_value}: {message}" if loc and not isinstance(value, dict) else message), (
            description or "correct the values of this row"
        )
    return f"{name} = {shown_value}: {message.lower()}", description or "correct the value"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."
