"""salesplan: sales-planning optimisation engine.

Python API::

    import salesplan
    scenario = salesplan.load("scenarios/examples/dealer-network")
    result = salesplan.plan(scenario)                 # every stage, see salesplan.pipeline
    result.summary.kpi("expected_profit")             # pydantic summary (as in summary.json)
    result.frames["territories"]                      # pandas DataFrames (as the CSV files)
    scenario = salesplan.Scenario.from_frames(reps=reps_frame, accounts=accounts_frame,
                                              horizon={"start": "2026-04-06", "weeks": 13})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .pipeline import PlanResult
    from .scenarios.model import Scenario

__all__ = ["Scenario", "ScenarioError", "__version__", "load", "plan"]


def __getattr__(name: str) -> Any:
    """``salesplan.Scenario`` (with ``Scenario.from_frames``) and ``salesplan.ScenarioError``, imported on
    first use so that ``import salesplan`` stays light."""
    if name in ("Scenario", "ScenarioError"):
        from . import scenarios

        return getattr(scenarios, name)
    raise AttributeError(f"module 'salesplan' has no attribute {name!r}")


def load(path: str) -> Scenario:
    """Load and validate a scenario folder or YAML file; raises ScenarioError listing every problem."""
    from .scenarios import load_scenario

    return load_scenario(path)


def plan(scenario: Scenario | str, **options: Any) -> PlanResult:
    """Plan a scenario (a loaded Scenario or a path): see :func:`salesplan.pipeline.plan`.

    Keyword options: ``time_limit_seconds``, ``seed``, ``relative_gap`` (default: the scenario's policy),
    ``effort`` (the work budget's scale, default 1), ``executor`` ("serial", "process", "dask"),
    ``workers``, ``scheduler``, ``progress`` (a callable taking a line of text).
    """
    from dataclasses import replace

    from .optimizer.result import SolverOptions
    from .parallel import Runner
    from .pipeline import plan as run_plan

    if isinstance(scenario, str):
        scenario = load(scenario)
    policy = scenario.policy.solver
    executor = options.pop("executor", "serial")
    workers = options.pop("workers", None)
    scheduler = options.pop("scheduler", None)
    progress = options.pop("progress", None)
    solver = SolverOptions(
        time_limit_seconds=options.pop("time_limit_seconds", policy.time_limit_seconds),
        relative_gap=options.pop("relative_gap", policy.relative_gap),
        seed=options.pop("seed", policy.seed),
        effort=options.pop("effort", 1.0),
    )
    if options:
        raise TypeError(f"unknown option(s): {', '.join(options)}")
    with Runner(executor, workers, scheduler) as runner:
        result = run_plan(scenario, replace(solver, mapper=runner.mapper()), progress=progress)
        result.peak_memory_mib = runner.peak_memory()
        return result
