"""The tour benchmark's generated scenario (benchmarks/_generate.py, write_tour_scenario): the same seed
writes the same bytes, the scenario loads, and `salesplan validate` warns of dealers beyond a day trip."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from salesplan.scenarios import load_scenario

from .conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    """benchmarks/_generate.py as a module (benchmarks/ is not installed)."""
    spec = importlib.util.spec_from_file_location("_tour_generate", ROOT / "benchmarks" / "_generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_and_another_seed_other_dealers(tmp_path: Path) -> None:
    write = generator().write_tour_scenario
    first = write(tmp_path / "a", seed=5, dealers=60, provinces=1, weeks=4).parent
    again = write(tmp_path / "b", seed=5, dealers=60, provinces=1, weeks=4).parent
    other = write(tmp_path / "c", seed=6, dealers=60, provinces=1, weeks=4).parent
    assert files(first) == files(again)
    assert files(first)["dealers.csv"] != files(other)["dealers.csv"]
    assert set(files(first)) == {
        "day-trips.yaml", "dealers.csv", "opportunities.csv", "overnight_places.csv", "regions.csv",
        "reps.csv", "scenario.yaml",
    }  # fmt: skip


def test_loads_with_tours_on_and_off_and_validate_warns_of_dealers_beyond_a_day_trip(tmp_path: Path) -> None:
    path = generator().write_tour_scenario(tmp_path / "tours", seed=1, dealers=60, provinces=1, weeks=4)
    tours, day_trips = load_scenario(path), load_scenario(path.parent / "day-trips.yaml")
    assert tours.policy.travel.overnight.enabled and not day_trips.policy.travel.overnight.enabled
    assert len(tours.accounts) == 60 and len(tours.reps) == 3 and {r.id for r in tours.regions} == {"SD"}
    assert tours.overnight_places and tours.horizon.weeks == 4
    assert day_trips.accounts == tours.accounts and day_trips.overnight_places == tours.overnight_places
    code, output = run_cli("validate", str(path.parent))
    assert code == 0, output
    assert "dealers no rep reaches in a day trip" in output and "overnight trips are allowed" in output
