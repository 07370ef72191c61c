"""What every command shares: loading a scenario or exiting with its problems, exit codes, errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..optimizer.result import Infeasibility
from ..scenarios import Scenario, inspect_scenario
from ..scenarios.errors import Problem

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])


class InvalidInput(click.ClickException):
    """Bad input: printed as problems, exit code 2."""

    exit_code = EXIT_INVALID

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s)")

    def show(self, file: Any = None) -> None:
        print_problems(self.problems)
        errors = sum(p.severity == "error" for p in self.problems)
        click.secho(f"{errors} error(s): nothing was planned and no output was written.", fg="red", err=True)


class Infeasible(click.ClickException):
    """The scenario has no feasible plan: printed with what would fix it, exit code 3."""

    exit_code = EXIT_INFEASIBLE

    def __init__(self, stage: str, explanations: Sequence[Infeasibility]):
        self.stage = stage
        self.explanations = list(explanations)
        super().__init__(f"{stage}: infeasible")

    def show(self, file: Any = None) -> None:
        click.secho(f"{self.stage}: no plan satisfies every constraint.", fg="red", err=True)
        for item in self.explanations:
            click.echo(f"  - {item}", err=True)
        click.echo("No output was written. Change the scenario as suggested and run again.", err=True)


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        click.secho(str(problem), fg=colour, err=True)


def load_or_exit(path: str | Path, *, quiet: bool = False) -> Scenario:
    """Load a scenario; print warnings; on errors raise InvalidInput (exit 2)."""
    report = inspect_scenario(path)
    if report.scenario is None:
        raise InvalidInput(report.problems)
    if report.warnings and not quiet:
        print_problems(report.warnings)
    return report.scenario


def guarded(func: F) -> F:
    """Turn anything unexpected into a one-line message and exit code 1 — never a traceback
    (unless `salesplan --debug`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.secho("Interrupted: no output was written.", fg="yellow", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except MemoryError:
            click.secho("Out of memory: try a smaller scenario or more memory.", fg="red", err=True)
            sys.exit(EXIT_INTERNAL)
        except Exception as exc:
            ctx = click.get_current_context(silent=True)
            if ctx is not None and ctx.find_root().params.get("debug"):
                raise
            click.secho(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in salesplan, not in your scenario. Run again with `salesplan --debug ...` "
                "and report the output. No output was written.",
                fg="red",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]
