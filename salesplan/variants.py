"""What-if variants of a scenario for sweeps: `--set path=values`, expanded into a grid.

Paths:
- any setting under ``policy.`` or ``horizon.`` (``policy.tiers.visits.A.min=2..6``);
- ``reps=N``: every region gets N reps; ``reps.REGION=N``: only that region.

Values: ``2..6`` (whole numbers, inclusive), ``0.1:0.3:0.05`` (start:stop:step, inclusive), ``a,b,c``, or
one value; each item is read as YAML (``null``, ``true``, ``0.2``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from .scenarios.errors import Problem, ScenarioError
from .scenarios.model import Scenario
from .scenarios.policy import Horizon, Policy
from .scenarios.tables import Rep


@dataclass(frozen=True)
class Setting:
    path: str
    values: tuple[Any, ...]


def parse_setting(text: str) -> Setting:
    """'policy.tiers.visits.A.min=2..6' → Setting('policy.tiers.visits.A.min', (2, 3, 4, 5, 6))."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not sep or not path or not spec:
        raise _error(text, "write --set PATH=VALUES, e.g. --set policy.tiers.visits.A.min=2..6")
    if not (path.startswith(("policy.", "horizon.")) or path == "reps" or path.startswith("reps.")):
        raise _error(text, "the path must start with policy., horizon. or be reps / reps.REGION")
    return Setting(path, _values(text, spec))


def _values(text: str, spec: str) -> tuple[Any, ...]:
    try:
        if ".." in spec:
            low, high = (int(v) for v in spec.split(".."))
            if high < low:
                raise ValueError
            return tuple(range(low, high + 1))
        if ":" in spec:
            start, stop, step = (float(v) for v in spec.split(":"))
            if step <= 0 or stop < start:
                raise ValueError
            count = math.floor((stop - start) / step + 1e-9) + 1
            return tuple(round(start + k * step, 10) for k in range(count))
        return tuple(yaml.safe_load(item) for item in spec.split(","))
    except (ValueError, yaml.YAMLError):
        raise _error(text, "values are a..b (whole numbers), start:stop:step, or a,b,c") from None


def _error(text: str, advice: str) -> ScenarioError:
    return ScenarioError([Problem("--set", 0, text, f"cannot read '{text}'", advice)])


def grid(settings: Sequence[Setting]) -> list[dict[str, Any]]:
    """Every combination of the settings' values, in a fixed order (first setting varies slowest)."""
    names = [s.path for s in settings]
    return [
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(s.values for s in settings))
    ]


def label(assignment: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in assignment.items()) or "base"


def apply_variant(scenario: Scenario, assignment: dict[str, Any]) -> Scenario:
    """The scenario with the assignment's settings changed; invalid values raise ScenarioError."""
    policy = scenario.policy.model_dump()
    horizon = scenario.horizon.model_dump()
    rep_counts: dict[str, int] = {}
    for path, value in assignment.items():
        if path == "reps":
            rep_counts.update({region: int(value) for region in scenario.region_ids})
        elif path.startswith("reps."):
            region = path.split(".", 1)[1]
            if region not in scenario.region_ids:
                raise _error(
                    f"{path}={value}", f"no region '{region}'; regions: {', '.join(scenario.region_ids)}"
                )
            rep_counts[region] = int(value)
        else:
            root, _, rest = path.partition(".")
            _set(policy if root == "policy" else horizon, rest.split("."), value, path)
    try:
        changed = scenario.with_changes(
            policy=Policy.model_validate(policy), horizon=Horizon.model_validate(horizon)
        )
    except ValidationError as exc:
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise _error(label(assignment), message) from None
    for region, count in rep_counts.items():
        changed = set_rep_count(changed, region, count)
    return changed


def _set(data: dict[str, Any], keys: list[str], value: Any, path: str) -> None:
    for key in keys[:-1]:
        if not isinstance(data.get(key), dict):
            raise _error(path, f"'{key}' is not a section of the scenario (see `salesplan schema`)")
        data = data[key]
    if keys[-1] not in data and not all(isinstance(v, dict) for v in data.values()):
        raise _error(path, f"'{keys[-1]}' is not a setting here (see `salesplan schema`)")
    data[keys[-1]] = value


def set_rep_count(scenario: Scenario, region: str, count: int) -> Scenario:
    """Scenario with exactly ``count`` reps in ``region``.

    Fewer: the last reps in table order whose accounts are not locked to them leave (as in a what-if that
    removes them). More: new reps like the region's average rep, homes at the region's accounts farthest
    from every existing home (farthest-point placement, deterministic).
    """
    if count < 1:
        raise _error(f"reps.{region}={count}", "a region needs at least one rep")
    current = [r for r in scenario.reps if r.region == region]
    locked = {a.locked_rep for a in scenario.accounts if a.locked_rep}
    reps = list(scenario.reps)
    removed = list(scenario.removed_reps)
    if count < len(current):
        leaving = [r for r in reversed(current) if r.id not in locked][: len(current) - count]
        if len(leaving) < len(current) - count:
            raise _error(f"reps.{region}={count}", "too many of the region's reps have locked accounts")
        gone = {r.id for r in leaving}
        reps = [r for r in reps if r.id not in gone]
        removed += sorted(gone)
    elif count > len(current):
        accounts = [a for a in scenario.accounts if a.region == region]
        if not accounts:
            raise _error(f"reps.{region}={count}", "the region has no accounts to place new reps near")
        points = np.radians([[a.lat, a.lon] for a in accounts])
        homes = [np.radians([r.home_lat, r.home_lon]) for r in current]
        distance = np.full(len(accounts), np.inf)
        for home in homes:
            distance = np.minimum(distance, _sphere_distance(points, home))
        template = current[0] if current else scenario.reps[0]
        for k in range(count - len(current)):
            pick = int(np.argmax(distance))
            site = accounts[pick]
            reps.append(
                Rep(
                    id=f"{region}+{k + 1}",
                    name=f"new rep {k + 1} ({region})",
                    region=region,
                    home_lat=site.lat,
                    home_lon=site.lon,
                    hours_per_week=float(np.mean([r.weekly_hours for r in current]))
                    if current
                    else template.weekly_hours,
                    selling_share=float(np.mean([r.selling_share for r in current]))
                    if current
                    else template.selling_share,
                    cost_per_hour=template.cost_per_hour,
                )
            )
            distance = np.minimum(distance, _sphere_distance(points, points[pick]))
    return scenario.with_changes(reps=tuple(reps), removed_reps=tuple(removed))


def _sphere_distance(points: np.ndarray, point: np.ndarray) -> np.ndarray:
    lat, lon = points[:, 0], points[:, 1]
    a = np.sin((lat - point[0]) / 2) ** 2 + np.cos(lat) * np.cos(point[0]) * np.sin((lon - point[1]) / 2) ** 2
    return np.asarray(2 * np.arcsin(np.sqrt(np.clip(a, 0, 1))), dtype=float)
