"""What `review` and `rollover` share: reading a plan folder, its actuals and its scenario, or exiting 2."""

from __future__ import annotations

from pathlib import Path

from ..scenarios import Scenario
from ..scenarios.actuals import Actuals, inspect_actuals
from ..scenarios.errors import Problem, ScenarioError, display_path
from ..scenarios.plan_folder import PlanTables, load_plan_folder
from .common import InvalidInput, load_or_exit, print_problems


def load_plan_or_exit(plan_dir: str) -> PlanTables:
    try:
        return load_plan_folder(plan_dir)
    except ScenarioError as exc:
        raise InvalidInput(exc.problems) from None


def load_actuals_or_exit(path: str, *, quiet: bool = False) -> Actuals:
    actuals, problems = inspect_actuals(path)
    if actuals is None:
        raise InvalidInput(problems)
    if actuals.warnings and not quiet:
        print_problems(actuals.warnings)
    return actuals


def scenario_or_exit(
    given: str | None, actuals: Actuals | None, plan: PlanTables, *, quiet: bool = False
) -> Scenario:
    """The plan's scenario: --scenario, else the one actuals.yaml names; its name must be the plan's."""
    path: Path | None = Path(given) if given else (actuals.scenario_path if actuals is not None else None)
    if path is None:
        where = actuals.source if actuals is not None else plan.source
        raise InvalidInput(
            [
                Problem(
                    where,
                    0,
                    "scenario",
                    "which scenario was this plan made from?",
                    "pass --scenario SCENARIO, or add `scenario: path/to/scenario.yaml` to actuals.yaml",
                )
            ]
        )
    scenario = load_or_exit(path, quiet=quiet)
    planned_name = plan.summary.get("scenario")
    if planned_name and planned_name != scenario.name:
        raise InvalidInput(
            [
                Problem(
                    display_path(Path(plan.source) / "summary.json"),
                    0,
                    "scenario",
                    f"the plan was made from '{planned_name}', not from '{scenario.name}' ({display_path(path)})",
                    "pass the plan's own scenario with --scenario",
                )
            ]
        )
    return scenario
