"""Field types shared by the scenario models: weekdays, lists in one cell, bounded numbers, ids."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

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


# Thousands grouped by commas (1,234,000 or 1,234.5); any other comma is a decimal comma or a typo.
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_PERCENT = re.compile(r"\s*%\s*$")


def parse_number(value: Any) -> Any:
    """'1,234,000' → '1234000' (full-width digits and commas too); '1,5' or '1.234,5' are refused as
    ambiguous, '80%' where a number is not a share is refused. Everything else is left for pydantic."""
    if not isinstance(value, str) or (value.isascii() and "," not in value and "%" not in value):
        return value  # the common case, in C: a plain number (or text pydantic rejects)
    text = unicodedata.normalize("NFKC", value).strip()
    if _PERCENT.search(text):
        raise PydanticCustomError("percent_not_allowed", "a percentage is not allowed here")
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise PydanticCustomError(
                "number_ambiguous", "ambiguous number: the comma could be a decimal comma or a typo"
            )
        return text.replace(",", "")
    if "万" in text or "亿" in text:
        raise PydanticCustomError("number_in_words", "write the number in digits")
    return text


def parse_fraction(value: Any) -> Any:
    """A share or probability: '80%' → 0.8, '1,234' as in :func:`parse_number`, 0.8 as it is."""
    if not isinstance(value, str) or (value.isascii() and "," not in value and "%" not in value):
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    if _PERCENT.search(text):
        number = parse_number(_PERCENT.sub("", text))
        try:
            return float(number) / 100.0
        except ValueError:
            raise PydanticCustomError("float_parsing", "input should be a valid number") from None
    return parse_number(text)


# Characters that are never part of an id: control characters (NUL, CR, LF, ...), line and paragraph
# separators, and invisible format characters (zero-width space, BOM, direction marks). Zero-width joiner
# stays: emoji sequences use it.
_INVISIBLE_OK = {"\u200d"}


def unprintable(text: str) -> str | None:
    """The first character of ``text`` that is a control, separator or invisible format character."""
    if text.isprintable():  # the common case, in C
        return None
    for char in text:
        if char in _INVISIBLE_OK:
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return char
    return None


def printable_id(value: str) -> str:
    char = unprintable(value)
    if char is not None:
        raise PydanticCustomError(
            "id_unprintable",
            "contains the invisible character U+{code} ({name})",
            {"code": f"{ord(char):04X}", "name": unicodedata.name(char, "control character").lower()},
        )
    return value


Id = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(printable_id)]
Text = Annotated[str, Field(max_length=2000)]
Finite = Annotated[float, BeforeValidator(parse_number), Field(allow_inf_nan=False)]
Fraction = Annotated[float, BeforeValidator(parse_fraction), Field(allow_inf_nan=False)]
Money = Annotated[Finite, Field(ge=0, le=1e13)]
Share = Annotated[Fraction, Field(ge=0, le=1)]
Probability = Annotated[Fraction, Field(ge=0, le=1)]
Latitude = Annotated[Finite, Field(ge=-90, le=90)]
Longitude = Annotated[Finite, Field(ge=-180, le=180)]
Score = Annotated[Finite, Field(ge=0, le=100)]
Ratio = Annotated[Fraction, Field(ge=0, le=100)]
WeekdayField = Annotated[Weekday, BeforeValidator(parse_weekday)]
WeekdayList = Annotated[tuple[Weekday, ...], BeforeValidator(_weekday_list)]
DateList = Annotated[tuple[dt.date, ...], BeforeValidator(split_cell)]
IdList = Annotated[tuple[Id, ...], BeforeValidator(split_cell)]
