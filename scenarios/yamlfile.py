"""Read one scenario YAML file safely: a regular file of bounded size, aliases and nesting bounded.

A "billion laughs" file (nine aliases of nine aliases of ...) is a few hundred bytes that expands to
billions of values; a deeply nested one exhausts the recursion of every reader. Both are refused while the
file is composed, at the line where the limit is passed, long before any value is built. Dates stay text,
so that pydantic reports an impossible date with its key. Every key's line is kept for messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .reader import read_bytes

MAX_YAML_BYTES = 1024 * 1024
MAX_DEPTH = 50
MAX_VALUES = 100_000  # values after aliases are expanded; a scenario.yaml has a few hundred

KeyLines = dict[tuple[str, ...], int]


class YamlLimit(yaml.YAMLError):
    """A limit of :mod:`yamlfile` was passed at ``problem_mark``."""

    def __init__(self, problem: str, advice: str, mark: Any):
        super().__init__(problem)
        self.problem = problem
        self.advice = advice
        self.problem_mark = mark


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader that leaves dates as text and bounds nesting and alias expansion."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._values = 0
        self._weights: dict[int, int] = {}  # id(node) → values in it, aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                weight = self._weights.get(id(node))
                if weight is None:
                    raise YamlLimit(
                        f"alias *{event.anchor} refers to the value that contains it",
                        "write the value out instead of the alias",
                        event.start_mark,
                    )
                self._count(weight, event.start_mark)
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimit(
                f"nested deeper than {MAX_DEPTH} levels",
                "a scenario needs a few levels (policy: tiers: visits: A: min); check the indentation",
                mark,
            )
        before = self._values
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, mark)
        self._weights[id(node)] = self._values - before
        return node

    def _count(self, values: int, mark: Any) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise YamlLimit(
                f"aliases expand to more than {MAX_VALUES:,} values (an alias bomb?)",
                "write the values out, or use fewer aliases (*name)",
                mark,
            )


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, shown: str, problems: list[Problem]) -> tuple[dict[str, Any] | None, KeyLines]:
    """The YAML mapping of a file and the line of every key; None (and problems) when it cannot be read."""
    data, problem = read_bytes(
        path, shown, limit=MAX_YAML_BYTES, advice="a scenario.yaml holds settings; keep tables in CSV files"
    )
    if data is None:
        assert problem is not None
        problems.append(problem)
        return None, {}
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            problems.append(Problem(shown, 0, "", "cannot be decoded", "save the YAML file as UTF-8"))
            return None, {}
    too_deep = _flow_nesting(text)
    if too_deep:
        problems.append(
            Problem(
                shown,
                too_deep,
                "",
                f"nested deeper than {MAX_DEPTH} levels",
                "a scenario needs a few levels (policy: tiers: visits: A: min); check the brackets",
            )
        )
        return None, {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        if isinstance(exc, YamlLimit):
            problems.append(Problem(shown, line, "", exc.problem, exc.advice))
        else:
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
    finally:
        loader.dispose()
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
    lines: KeyLines = {}
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


def _flow_nesting(text: str) -> int:
    """The line where brackets ([ and {, outside quotes and comments) nest deeper than MAX_DEPTH, or 0.

    Checked before parsing: PyYAML's scanner takes quadratic time in the depth of flow brackets.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth, line, quote, comment = 0, 1, "", False
    previous = "\n"
    for char in text:
        if char == "\n":  # a quoted scalar may span lines: the quote stays open
            line, comment = line + 1, False
        elif comment:
            pass
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (depth or previous in " \t:,[{-\n"):
            quote = char
        elif char == "#" and previous in " \t\n":
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        previous = char
    return 0


def _collect_lines(
    node: Any,
    prefix: tuple[str, ...],
    lines: KeyLines,
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


def line_of(lines: KeyLines, path: tuple[str, ...]) -> int:
    """The line of a key, or of the nearest enclosing key that was written; 0 when none was."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 0
