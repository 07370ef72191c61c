"""Write the scenario reference (tables, columns, settings) into README.md between the markers.

python scripts/scenario_reference.py          # rewrite README.md
python scripts/scenario_reference.py --check  # exit 1 when README.md is out of date (used by the tests)
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path

from pydantic import BaseModel

from salesplan.scenarios.columns import ALIASES
from salesplan.scenarios.model import RemoveSpec, TableFile, UpdateSpec
from salesplan.scenarios.policy import Horizon, Policy
from salesplan.scenarios.tables import TABLE_MODELS

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- scenario-reference:start -->", "<!-- scenario-reference:end -->"


def _type(annotation: typing.Any) -> str:
    text = str(annotation).replace("typing.", "").replace("datetime.", "").replace("NoneType", "None")
    for noise in ("Annotated[", "<class '", "'>"):
        text = text.replace(noise, "")
    if "Literal" in text:
        return (
            " / ".join(typing.get_args(annotation))
            if typing.get_origin(annotation) is typing.Literal
            else "choice"
        )
    for word in ("float", "int", "str", "bool", "date", "time"):
        if word in text:
            return {"str": "text", "float": "number", "int": "whole number", "bool": "true/false"}.get(
                word, word
            )
    return text


def _table(model: type[BaseModel], aliases: dict[str, str]) -> list[str]:
    lines = ["| column | required | meaning | Chinese headers |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        required = "yes" if info.is_required() else ""
        chinese = ", ".join(alias for alias, column in aliases.items() if column == name)
        lines.append(f"| `{name}` | {required} | {info.description or ''} | {chinese} |")
    return lines


def _what_ifs() -> list[str]:
    out = ["### Table files and what-ifs", ""]
    out += [(TableFile.__doc__ or "").strip().splitlines()[0], ""]
    out += ["| key | meaning |", "|---|---|", *_settings(TableFile, "tables.NAME."), ""]
    for key, model in (("remove", RemoveSpec), ("update", UpdateSpec)):
        out += [" ".join(line.strip() for line in (model.__doc__ or "").strip().splitlines()), ""]
        out += ["| key | meaning |", "|---|---|", *_settings(model, f"{key}."), ""]
    return out


def _settings(model: type[BaseModel], prefix: str) -> list[str]:
    lines: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            lines += _settings(annotation, f"{prefix}{name}.")
            continue
        default = info.get_default(call_default_factory=True)
        shown = "" if default is None or info.is_required() else f" (default `{_short(default)}`)"
        lines.append(f"| `{prefix}{name}` | {(info.description or '').strip()}{shown} |")
    return lines


def _short(value: typing.Any) -> str:
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}: {v}" for k, v in value.model_dump().items())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def reference() -> str:
    out = [START, "", "### Tables", ""]
    titles = {
        "reps": "`reps` (required)",
        "accounts": "`accounts` (required)",
        "opportunities": "`opportunities`",
        "regions": "`regions`",
        "travel_matrix": "`travel_matrix`",
        "absences": "`absences`",
        "adjacency": "`adjacency`",
        "overnight_places": "`overnight_places`",
    }
    for name, model in TABLE_MODELS.items():
        out += [
            f"#### {titles[name]}",
            "",
            (model.__doc__ or "").strip().splitlines()[0],
            "",
            *_table(model, ALIASES.get(name, {})),
            "",
        ]
    out += _what_ifs()
    out += ["### `horizon`", "", "| key | meaning |", "|---|---|", *_settings(Horizon, "horizon."), ""]
    out += ["### `policy`", "", "| key | meaning |", "|---|---|", *_settings(Policy, "policy."), "", END]
    return "\n".join(out)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + reference() + tail
    if "--check" in sys.argv:
        return 0 if new == text else 1
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
