"""Problems found in scenario files, as data: file, row, field, what is wrong, what to do."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a scenario.

    ``row`` is the 1-based line in the file (the header of a table is row 1, its first data row is row 2;
    for YAML it is the line of the key), 0 when the problem concerns the whole file.
    ``field`` is a column name for tables, a dotted key path (``policy.tiers.visits.A``) for YAML.
    """

    file: str
    row: int
    field: str
    message: str
    advice: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}:{self.field or '-'}"
        label = "" if self.severity == "error" else "warning: "
        return f"{where}: {label}{self.message} — {self.advice}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "advice": self.advice,
            "severity": self.severity,
        }


class ScenarioError(Exception):
    """Raised when a scenario cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=_sort_key))
        super().__init__("\n".join(str(p) for p in self.errors) or "invalid scenario")

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.row, problem.field, problem.message)


def display_path(path: Path | str, base: Path | None = None) -> str:
    """A short path for messages: relative to ``base`` (or the working directory) when possible."""
    path = Path(path)
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
            try:
                return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(root)))
            except ValueError:
                continue
    return str(path)
