"""Field types shared by the scenario models: weekdays, lists in one cell, bounded numbers, ids."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WEEKDAY_NAMES: dict[str, Weekday] = {}
for _i, _name in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]):
    _day = WEEKDAYS[_i]
    for _alias in (_name, _name[:3], _name[:2], str(_i + 1)):
        _WEEKDAY_NAMES[_alias] = _day
    for _prefix in ("周", "星期", "礼拜"):
        _WEEKDAY_NAMES[_prefix + "一二三四五六日"[_i]] = _day
_WEEKDAY_NAMES["周天"] = _WEEKDAY_NAMES["星期天"] = "sun"
_WEEKDAY_NAMES["tues"] = "tue"
_WEEKDAY_NAMES["thur"] = _WEEKDAY_NAMES["thurs"] = "thu"

_LIST_SEPARATORS = re.compile(r"[;,|/、，；\s]+")


def parse_weekday(value: Any) -> Any:
    """'Monday', 'mon', 'Mo', '1', '周一' → 'mon'; anything else is left for pydantic to reject."""
    if isinstance(value, str):
        return _WEEKDAY_NAMES.get(value.strip().lower(), value.strip().lower())
    if isinstance(value, int) and 1 <= value <= 7:
        return WEEKDAYS[value - 1]
    return value


def split_cell(value: Any) -> Any:
    """A list written in one spreadsheet cell: 'mon;wed;fri', 'mon, wed', 'mon|wed' → ['mon', 'wed', ...]."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return [part for part in _LIST_SEPARATORS.split(text) if part]
    if isinstance(value, dt.date):
        return [value]
    return value


def _weekday_list(value: Any) -> Any:
    items = split_cell(value)
    if isinstance(items, list):
        return [parse_weekday(v) for v in items]
    return items


Id = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=2000)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Money = Annotated[Finite, Field(ge=0, le=1e13)]
Share = Annotated[Finite, Field(ge=0, le=1)]
Probability = Annotated[Finite, Field(ge=0, le=1)]
Latitude = Annotated[Finite, Field(ge=-90, le=90)]
Longitude = Annotated[Finite, Field(ge=-180, le=180)]
Score = Annotated[Finite, Field(ge=0, le=100)]
Ratio = Annotated[Finite, Field(ge=0, le=100)]
WeekdayField = Annotated[Weekday, BeforeValidator(parse_weekday)]
WeekdayList = Annotated[tuple[Weekday, ...], BeforeValidator(_weekday_list)]
DateList = Annotated[tuple[dt.date, ...], BeforeValidator(split_cell)]
IdList = Annotated[tuple[Id, ...], BeforeValidator(split_cell)]
