"""What every command shares: loading a scenario or exiting with its problems, exit codes, errors."""

from __future__ import annotations

import errno
import functools
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..optimizer.result import Infeasibility
from ..scenarios import Scenario, inspect_scenario
from ..scenarios.errors import Problem
from . import signals
from .signals import exit_stopped, received

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE = 3
EXIT_INTERRUPTED = signals.EXIT_INTERRUPTED
EXIT_TERMINATED = signals.EXIT_TERMINATED

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
        # when only the clock stopped the search, nothing is proven infeasible: say that, not "no plan"
        timed_out = bool(self.explanations) and all(
            item.fact("clock") and item.fact("proven") is False for item in self.explanations
        )
        if timed_out:
            click.secho(
                f"{self.stage}: the time limit stopped the search before it found a plan (none is proven "
                "impossible).",
                fg="red",
                err=True,
            )
        else:
            click.secho(f"{self.stage}: no plan satisfies every constraint.", fg="red", err=True)
        for item in self.explanations:
            click.echo(f"  - {item}", err=True)
        advice = "Raise --time-limit" if timed_out else "Change the scenario as suggested"
        click.echo(f"No output was written. {advice} and run again.", err=True)


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        click.secho(str(problem), fg=colour, err=True)


def load_or_exit(path: str | Path, *, quiet: bool = False) -> Scenario:
    """Load a scenario; print warnings; on errors raise InvalidInput (exit 2).

    The scenario's files are protected from the run's output folder: an ``-o`` that would replace a
    folder holding them is refused now, before anything is planned (exit 2).
    """
    from .output import check_output_folder, protect

    report = inspect_scenario(path)
    if report.scenario is None:
        raise InvalidInput(report.problems)
    protect(report.scenario.files())
    ctx = click.get_current_context(silent=True)
    output = ctx.params.get("output") if ctx is not None else None
    if output:
        check_output_folder(output)
    if report.warnings and not quiet:
        print_problems(report.warnings)
    return report.scenario


# OS errors a user fixes (a path, a permission, a full disk), not bugs: exit 2 with the path and cause.
_USER_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EMFILE,
    errno.ENFILE,
}


def guarded(func: F) -> F:
    """Turn anything unexpected into a one-line message and exit code 1 — never a traceback
    (unless `salesplan --debug`). Ctrl-C exits 130 and SIGTERM 143; an OS error about a path the user
    controls (permission, read-only, disk full) exits 2 with the path and cause."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            exit_stopped(exc)
        except MemoryError:
            click.secho(
                "Out of memory: try a smaller scenario, fewer --workers, or a machine with more memory. "
                "No output was written.",
                fg="red",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        except OSError as exc:
            if exc.errno not in _USER_ERRNOS or _debug():
                _internal(exc)
            where = exc.filename or "salesplan"
            click.secho(
                f"{where}: {exc.strerror or exc} — check the path, its permissions and the free disk space. "
                "No output was written.",
                fg="red",
                err=True,
            )
            sys.exit(EXIT_INVALID)
        except Exception as exc:
            _internal(exc)

    return wrapper  # type: ignore[return-value]


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


def _internal(exc: Exception) -> NoReturn:
    if received() is not None:  # the signal surfaced as another exception
        exit_stopped()
    if _debug():
        raise exc
    click.secho(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in salesplan, not in your scenario. Run again with `salesplan --debug ...` "
        "and report the output. No output was written.",
        fg="red",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


class ProgressLine:
    """Progress of long solves on stderr: one updating line on a terminal, a line every few seconds in logs."""

    def __init__(self, enabled: bool = True, every_seconds: float = 5.0):
        import time

        self._clock = time.monotonic
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.every = every_seconds
        self._last: dict[str, float] = {}
        self._started = self._clock()

    def __call__(self, event: Any) -> None:
        if not self.enabled:
            return
        now = self._clock()
        finished = event.total is not None and event.done >= event.total
        if not self.tty and not finished and now - self._last.get(event.stage, -1e9) < self.every:
            return
        self._last[event.stage] = now
        if event.total:
            share = min(1.0, event.done / event.total)
            bar = "#" * int(share * 20)
            text = f"[{event.stage}] {bar:<20} {event.done:,.0f}/{event.total:,.0f}"
        else:
            text = f"[{event.stage}] {event.done:,.0f}"
        text += f"  {now - self._started:5.1f}s  {event.message}"[:200]
        if self.tty:
            end = "\n" if finished else ""
            click.echo("\r" + text.ljust(100), nl=False, err=True)
            if end:
                click.echo("", err=True)
        else:
            click.echo(text, err=True)


def solver_options(
    scenario: Scenario, time_limit: float | None, seed: int | None, *, quiet: bool = False
) -> Any:
    """SolverOptions from the scenario's policy, overridden by --time-limit / --seed, with progress on stderr."""
    from ..optimizer.result import SolverOptions

    policy = scenario.policy.solver
    ctx = click.get_current_context(silent=True)
    effort = ctx.meta.get("salesplan.effort") if ctx is not None else None
    return SolverOptions(
        time_limit_seconds=policy.time_limit_seconds if time_limit is None else time_limit,
        relative_gap=policy.relative_gap,
        seed=policy.seed if seed is None else seed,
        effort=1.0 if effort is None else effort,
        progress=ProgressLine(enabled=not quiet),
    )


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds", ctx=ctx, param=param)
    return value


def _remember_effort(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", ctx=ctx, param=param)
    ctx.meta["salesplan.effort"] = value
    return value


def stage_options(files: str, *, scenario_argument: bool = True) -> Callable[[F], F]:
    """The options every planning command shares: SCENARIO (unless the command takes its own scenario
    arguments), -o/--output, --time-limit, --seed, --json."""

    def decorate(func: F) -> F:
        argument = click.argument("scenario", type=click.Path(dir_okay=True, file_okay=True))
        for option in reversed(
            (
                *((argument,) if scenario_argument else ()),
                click.option(
                    "-o",
                    "--output",
                    required=True,
                    type=click.Path(file_okay=False),
                    help=f"Folder for {files} (replaced atomically, only when the run succeeds).",
                ),
                click.option(
                    "--time-limit",
                    type=click.FloatRange(min=0, min_open=True, max=86400),
                    default=None,
                    callback=_finite,
                    help="Wall-clock safety net of each stage, seconds, shared among its solves (default: "
                    "policy.solver.time_limit_seconds). The plan itself is decided by the work budget "
                    "(--effort); when the safety net fires first, the summary says 'time limit hit'.",
                ),
                click.option(
                    "--effort",
                    type=click.FloatRange(min=0, min_open=True, max=1000),
                    default=None,
                    callback=_remember_effort,
                    expose_value=False,
                    help="Scale of every solver's deterministic work budget (default 1): more effort, "
                    "better routes and territories, the same plan on any machine for the same value.",
                ),
                click.option(
                    "--seed",
                    type=click.IntRange(0, 2**31 - 1),
                    default=None,
                    help="Random seed, 0 to 2147483647 (default: policy.solver.seed).",
                ),
                click.option(
                    "--json", "as_json", is_flag=True, help="Print a machine-readable summary instead."
                ),
            )
        ):
            func = option(func)
        return func

    return decorate


strict_option = click.option(
    "--strict",
    is_flag=True,
    help="No plan (exit code 3) when a tier minimum cannot be met, instead of the plan with the smallest "
    "shortfall.",
)

no_timings_option = click.option(
    "--no-timings",
    is_flag=True,
    help="Leave run times out, so that every file is byte-identical across runs.",
)

travel_blocks_option = click.option(
    "--travel-blocks",
    is_flag=True,
    help="Put every travel leg in the reps' calendars as a busy 'Travel' event (off: visits, opportunity "
    "work and nights away only).",
)

csv_encoding_option = click.option(
    "--csv-encoding",
    type=click.Choice(["utf-8-sig", "utf-8", "gb18030"], case_sensitive=False),
    default="utf-8-sig",
    show_default=True,
    help="Encoding of the CSV files written: utf-8-sig (UTF-8 with a BOM: Excel on Chinese Windows reads the "
    "names when the file is double-clicked), utf-8 (no BOM, for scripts), gb18030 (as CRM exports are).",
)


def executor_options(func: F) -> F:
    """--executor, --workers, --scheduler: where independent pieces (regions, reps, variants) run."""
    func = click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786) for --executor dask; default: a local cluster.",
    )(func)
    func = click.option(
        "--workers", type=int, default=None, help="Processes (or local Dask workers) to use."
    )(func)
    return click.option(
        "--executor",
        type=click.Choice(["serial", "process", "dask"]),
        default=None,
        help="Run independent pieces one after another, in a local process pool, or on Dask "
        "(default: process pool when --workers > 1, else serial). The plan is the same either way.",
    )(func)


def chosen_executor(executor: str | None, workers: int | None, scheduler: str | None, default: str) -> str:
    """--executor if given; dask when a scheduler address is given; else ``default``."""
    return executor or ("dask" if scheduler else default)


def open_runner(executor: str | None, workers: int | None, scheduler: str | None) -> Any:
    """The one executor of a run (salesplan.parallel.Runner): a local process pool when --workers > 1,
    Dask with --scheduler or --executor dask, else serial. Use it as a context manager."""
    from ..parallel import Runner

    chosen = chosen_executor(executor, workers, scheduler, "process" if (workers or 1) > 1 else "serial")
    return Runner(chosen, workers, scheduler)  # type: ignore[arg-type]


def run_chain(stages: Sequence[Any], data: Any, options: Any, given: Any = None) -> Any:
    """Run a command's stages (salesplan.pipeline.run_stages) on a scenario's facts; an infeasible
    scenario becomes exit code 3 with what would fix it."""
    from ..optimizer.plan import Plan
    from ..pipeline import PlanInfeasible, run_stages

    try:
        return run_stages(stages, Plan(data, given=given), options)
    except PlanInfeasible as exc:
        raise Infeasible(exc.stage, exc.explanations) from None


def number(value: Any, sign: bool = False) -> str:
    """A figure for terminal tables: thousands separated, one decimal, '—' when missing."""
    if value is None or value != value:
        return "—"
    return f"{value:+,.1f}" if sign else f"{value:,.1f}"


def plan_in_parallel(
    jobs: Sequence[Any],
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    *,
    what: str,
    quiet: bool,
) -> list[Any]:
    """Plan every job (salesplan.whatif.plan_all) on the chosen executor — a local process pool by
    default, one worker per job up to the CPU count — with progress on stderr unless ``quiet``."""
    import os

    from ..whatif import plan_all

    mode = chosen_executor(executor, workers, scheduler, "process")
    count = workers or min(len(jobs), os.cpu_count() or 1)
    if not quiet:
        where = "" if mode == "serial" else f" ({count} worker(s))"
        click.echo(f"[{what}] {len(jobs)} plan(s) on {mode}{where}", err=True)

    def done(finished: int, total: int) -> None:
        if not quiet:
            click.echo(f"[{what}] {finished}/{total} plans done", err=True)

    return plan_all(jobs, executor=mode, workers=count, scheduler=scheduler, on_done=done)  # type: ignore[arg-type]
