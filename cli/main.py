"""The `salesplan` command: a click group; each subcommand lives in its own module under cli/commands/."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import click

from salesplan import __version__

from . import signals

# name → (module, one-line description). Modules load only when their command runs, so `--help` is fast.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": (
        "plan",
        "Run the whole chain — tiers, opportunities, visits, territories, schedule — into one folder.",
    ),
    "rank": ("rank", "Tier the accounts and rank the opportunities; choose what to chase under rep hours."),
    "allocate": ("allocate", "Decide visits per month per account to maximise profit within rep hours."),
    "territories": (
        "territories",
        "Split each region into balanced, compact rep territories; list the moves.",
    ),
    "schedule": ("schedule", "Build every rep's day-by-day visit routes; export calendars and a workbook."),
    "review": (
        "review",
        "The quarter after: plan against actual, early warnings, dealer credit, cross-region shipments.",
    ),
    "rollover": ("rollover", "Write next quarter's scenario from this quarter's plan (and its actuals)."),
    "compare": ("compare", "Compare the plans of several scenarios side by side."),
    "sweep": ("sweep", "Run many what-ifs from one scenario (e.g. reps per region 16..24) in parallel."),
    "validate": ("validate", "Check a scenario and list every problem (file:row:field — what to do)."),
    "show": ("show", "Print the resolved scenario (after `extends`), or one of its tables."),
    "schema": ("schema", "Print the JSON Schema of scenario YAML (or of a table's rows)."),
    "examples": ("examples", "List the bundled example scenarios, or copy one to start from."),
}


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """Ctrl-C (or SIGTERM) while the command line is parsed or a command's module is imported exits 130
    (143) like Ctrl-C in a command, not 1 ("Aborted!") — also when an import turned it into another error."""
    try:
        yield
    except KeyboardInterrupt as exc:
        signals.exit_stopped(exc)
    except Exception:
        if signals.received() is None:
            raise
        signals.exit_stopped()


class LazyGroup(click.Group):
    """Loads a command's module only when the command is used."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _interrupts():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _interrupts():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"salesplan.cli.commands.{COMMANDS[name][0]}")
        command: click.Command = module.command
        command.short_help = COMMANDS[name][1]
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(__version__, prog_name="salesplan")
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
def cli(debug: bool) -> None:
    """salesplan — plan a quarter of key-account selling.

    Tiers the accounts (value pyramid), picks the opportunities to chase, decides how often to visit each
    account, splits territories inside regions, and schedules every rep's visits day by day. Everything
    is driven by a scenario folder: scenario.yaml plus CSV/XLSX tables.

    \b
    Start here:
      salesplan examples                                   # the bundled scenarios
      salesplan validate scenarios/examples/dealer-network # check a scenario
      salesplan plan scenarios/examples/dealer-network -o out/dealer

    Exit codes: 0 done, 1 internal error, 2 invalid input (or an output folder that cannot be written),
    3 infeasible scenario, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
    """


def main(argv: list[str] | None = None) -> Any:
    signals.install()
    return cli.main(args=argv, prog_name="salesplan")
