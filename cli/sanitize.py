"""One text sanitiser per output format: every writer passes scenario text (names, ids, addresses,
reasons) through the one of its format, so that no name can inject a formula, an event, markup or
mathtext, or make a file that its reader refuses.

=============  =================================================================================
format         what :func:`...` guarantees
=============  =================================================================================
CSV            :func:`csv_cell`: line breaks normalised to ``\\n`` (the writer quotes every cell
               that holds one), other control characters removed, a leading ``= + - @`` (or tab,
               CR) neutralised by a leading quote — after the normalisation, so no line of the
               file starts a formula.
XLSX           :func:`xlsx_cell`: the same, and no character XML 1.0 forbids (the workbook
               opens); :func:`sheet_name`: unique (case-insensitive), ≤ 31 UTF-16 units, none of
               ``[ ] : * ? / \\``, no leading or trailing apostrophe, no reserved name.
iCalendar      :func:`ics_text`: line breaks normalised to ``\\n``, other control characters
               removed; the value then goes out as an RFC 5545 TEXT (``icalendar.vText``), which
               escapes ``\\`` ``;`` ``,`` and the line break — a name can add no line, property or
               event.
JSON           :func:`json_text`: lone surrogates (which no UTF-8 file can hold) become U+FFFD.
HTML           :func:`html_text` for text and attribute values, :func:`script_json` for data
               inside ``<script>`` (no ``<``, ``>``, ``&`` or line separator survives), and
               :func:`html_text` again for names that a script hands to ``innerHTML`` (Leaflet's
               layer control).
charts         :func:`chart_text` (control characters removed) under :data:`CHART_RC`
               (mathtext off: ``$…$`` is drawn as typed).
=============  =================================================================================
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

# C0 and C1 control characters except tab and line feed; lone surrogates (not encodable anywhere);
# the non-characters U+FFFE and U+FFFF (illegal in XML).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_RESERVED = frozenset({"history"})  # Excel refuses it; the workbook writer adds its own sheets
CHART_RC: dict[str, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
}  # rcParams of every chart: mathtext off


def plain(text: str) -> str:
    """``text`` with line breaks as ``\\n`` (CR LF, CR, NEL, LS, PS) and no other control character."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x85", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """:func:`plain` with every line break as a space (file names, sheet names, titles)."""
    return plain(text).replace("\n", " ").replace("\t", " ")


def neutralise(value: Any) -> Any:
    """Make a text cell inert in spreadsheets: a leading =, +, -, @, tab, CR or LF gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_cell(value: Any) -> Any:
    """A CSV cell: text normalised (:func:`plain`) then neutralised; other values unchanged."""
    if isinstance(value, str):
        return neutralise(plain(value))
    return value


def xlsx_cell(value: Any) -> Any:
    """An XLSX cell: like :func:`csv_cell`, and within Excel's 32,767 characters."""
    if isinstance(value, str):
        return neutralise(plain(value))[:32767]
    return value


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, units: int) -> str:
    while _utf16_units(text) > units:
        text = text[:-1]
    return text


def sheet_name(name: str, taken: set[str], reserved: frozenset[str] = SHEET_RESERVED) -> str:
    """A worksheet name for ``name``: Excel's rules kept, unique within ``taken`` (lower-cased names,
    updated), never one of ``reserved``."""
    base = _SHEET_FORBIDDEN.sub("_", one_line(name)).strip().strip("'").strip() or "sheet"
    candidate, k = _clip(base, 31), 2
    while candidate.lower() in taken or candidate.lower() in reserved:
        suffix = f"-{k}"
        candidate, k = _clip(base, 31 - len(suffix)).rstrip("'") + suffix, k + 1
    taken.add(candidate.lower())
    return candidate


def ics_text(value: object) -> str:
    """Text for an iCalendar TEXT value (escaped by ``icalendar.vText`` when written)."""
    return plain(str(value))


def html_text(value: object) -> str:
    """Text for an HTML text node or a quoted attribute value."""
    return html.escape(plain(str(value)), quote=True)


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(data: Any, **options: Any) -> str:
    """JSON (UTF-8, non-ASCII kept) that every encoder accepts: a lone surrogate becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", json.dumps(data, ensure_ascii=False, **options))


def script_json(data: Any) -> str:
    """JSON to place inside a ``<script>`` element: it cannot close the element or open a comment."""
    text = json_text(data, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_text(value: object) -> str:
    """A chart label (drawn with :data:`CHART_RC`, so ``$`` is a dollar sign, not mathtext)."""
    return one_line(str(value))
