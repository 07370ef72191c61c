"""Fuzzing the whole plan (issue 9): random valid scenarios (tests/scenario_factory.py) never crash.

Each scenario either gets a plan that keeps every rule of tests/plan_invariants.py and is written like
`salesplan plan` writes it (atomic folder, every table, calendars, workbook, charts, report), or raises
:class:`PlanInfeasible` whose explanations name constraint, scope, shortfall, unit and a suggestion.
A thousand or more of the same run in `python -m benchmarks fuzz`.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from salesplan.cli.output import OutputFolder
from salesplan.cli.writers.plan import TABLES, write_plan
from salesplan.optimizer.result import SolverOptions
from salesplan.pipeline import PlanInfeasible, plan
from salesplan.scenarios import load_scenario

from .plan_invariants import explanation_violations, plan_violations
from .scenario_factory import scenario_specs, write_scenario

TIME_LIMIT = 1.0  # seconds per stage: small scenarios plan in well under that


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=scenario_specs(max_accounts=12, max_weeks=2))
def test_random_scenarios_plan_or_explain(spec: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = write_scenario(spec, tmp_path_factory.mktemp("fuzz"))
    scenario = load_scenario(folder / "scenario.yaml")
    options = SolverOptions(TIME_LIMIT, scenario.policy.solver.relative_gap, spec["seed"])
    try:
        result = plan(scenario, options)
    except PlanInfeasible as exc:
        assert exc.stage in ("territories", "allocate", "rank", "schedule")
        assert explanation_violations(exc.explanations) == []
        return
    assert plan_violations(result) == []
    out = folder / "out"
    with OutputFolder(out) as staging:
        write_plan(result, staging, timings=False)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {f"{name}.csv" for name in TABLES} | {"summary.json", "plan.xlsx", "report.html"} <= written
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["accounts"] == len(scenario.accounts)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == [], "staging folder left behind"
