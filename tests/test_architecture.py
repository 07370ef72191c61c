"""The layout the code keeps: data flows one way, and every stage has the same shape.

Read from the source files themselves (their import statements), so a new import that breaks the rule
fails here, whatever it imports.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.plan import Plan
from salesplan.optimizer.result import Infeasibility, Kpi, SolveInfo, SolverOptions
from salesplan.pipeline import PLAN, run_stages
from salesplan.scenarios import Account, Horizon, Opportunity, Policy, Rep, Scenario

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"optimizer": "salesplan.optimizer", "scenarios": "salesplan.scenarios", "cli": "salesplan.cli"}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module a file imports (relative imports resolved), TYPE_CHECKING included."""
    relative = path.relative_to(ROOT)
    folder, *rest = relative.with_suffix("").parts
    package = (PACKAGES.get(folder, folder).split(".") + rest)[:-1]  # the module's own package
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def python_files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "examples" not in p.parts)


def test_no_optimizer_module_imports_the_scenario_model_but_the_compile_step() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith("salesplan.scenarios")
        )
        for path in python_files("optimizer")
        if path.name != "data.py"
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert any(m.startswith("salesplan.scenarios") for m in imported_modules(ROOT / "optimizer" / "data.py"))


def test_nothing_outside_the_cli_imports_it() -> None:
    files = [*python_files("optimizer"), *python_files("scenarios"), *python_files("salesplan")]
    # salesplan/__main__.py is the CLI's own entry point (python -m salesplan)
    files = [p for p in files if p != ROOT / "salesplan" / "__main__.py"]
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m.startswith("salesplan.cli")
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_solvers_start_no_pools_of_their_own() -> None:
    pools = ("concurrent.futures", "multiprocessing", "threading", "dask")
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.startswith(pools))
        for path in python_files("optimizer")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def small_scenario() -> Scenario:
    reps = tuple(
        Rep(id=f"R{k}", region="N", home_lat=31.2 + 0.02 * k, home_lon=121.4, hours_per_month=120)
        for k in range(2)
    )
    accounts = tuple(
        Account(
            id=f"A{i}", region="N", lat=31.2 + 0.01 * i, lon=121.45, current_sales=1e6 * (i + 1),
            current_rep=f"R{i % 2}", current_visits_per_month=2,
        )
        for i in range(6)
    )  # fmt: skip
    opportunities = (
        Opportunity(id="O1", account="A5", type="upsell", size=5e5, probability=0.6, effort_hours=4),
    )
    return Scenario(
        name="shape",
        horizon=Horizon(start=dt.date(2026, 3, 2), weeks=4),
        policy=Policy.model_validate({"balance": {"workload_tolerance": 0.6, "potential_tolerance": None}}),
        regions=(),
        reps=reps,
        accounts=accounts,
        opportunities=opportunities,
    )


@pytest.mark.parametrize("index", range(len(PLAN)))
def test_every_stage_has_the_same_entry_and_result_shape(index: int) -> None:
    data = compile_scenario(small_scenario())
    plan = run_stages(PLAN[:index], Plan(data), SolverOptions(time_limit_seconds=20, seed=1))
    stage = PLAN[index]
    assert isinstance(stage.name, str) and isinstance(stage.title, str)
    result = stage.run(plan, SolverOptions(time_limit_seconds=20, seed=1))
    assert isinstance(result.info, SolveInfo) and result.info.status.has_solution
    assert isinstance(result.infeasibilities, tuple) and all(
        isinstance(i, Infeasibility) for i in result.infeasibilities
    )
    assert result.check(data) == ()
    assert isinstance(result.summary(), str) and result.summary()
    frames = result.frames(data)
    assert isinstance(frames, dict) and all(isinstance(f, pd.DataFrame) for f in frames.values())
    assert all(isinstance(k, Kpi) for k in result.kpis(data))
    assert plan.with_result(stage.name, result).results()[-1][1] is result
