"""`salesplan rollover`: next quarter's scenario from this quarter's plan (and what came back)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from ..common import InvalidInput, guarded


@click.command("rollover")
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.option(
    "--actuals",
    default=None,
    type=str,
    help="What came back (folder with actuals.yaml, or a database): actual visits and sales become the current ones.",
)
@click.option(
    "--scenario",
    default=None,
    type=click.Path(),
    help="The scenario the plan was made from (default: `scenario:` in the actuals' actuals.yaml).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the next scenario (replaced atomically, only when everything is written).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@guarded
def command(plan_dir: str, actuals: str | None, scenario: str | None, output: str, as_json: bool) -> None:
    """Write next quarter's scenario from the plan in PLAN_DIR: the quarter starts from this one.

    \b
      current_rep               the plan's rep of each account
      current_visits_per_month  actual visits per month (from --actuals), else the plan's
      current_sales             rolling 12 months: this quarter's actual sales (or the plan's expected)
                                replace the oldest quarter
      moved_dates               when the account changed rep: policy.reassignment.
                                max_moves_per_account_per_year (default 1) keeps a dealer with its rep
                                for a year unless it must move (its rep left), which is explained
      opportunities             won and lost ones leave; those of dealers over their credit limit are
                                excluded until they pay
      horizon                   moved on by its length; holidays and make-up days kept from the calendar,
                                or a warning to add them

    The same tables in the same files and encodings (GB18030 stays GB18030); the next scenario validates
    as it is. Also writes moves.csv (the move history) and rollover.json. Exit code 2 for invalid input.

    \b
    Example:
      salesplan rollover scenarios/examples/dealer-network/plan \\
          --actuals scenarios/examples/dealer-network/actuals -o q3
      salesplan validate q3 && salesplan plan q3 -o out/q3
      salesplan rollover out/q3 --scenario q3 -o q4      # no actuals: from the plan alone
    """
    from ...review import compile_review, review
    from ...rollover import RolloverProblem, check, notes, rollover
    from ...scenarios.errors import display_path
    from ..output import OutputFolder
    from ..quarter import load_actuals_or_exit, load_plan_or_exit, scenario_or_exit
    from ..writers.rollover import RolloverError, write_next_scenario

    plan = load_plan_or_exit(plan_dir)
    loaded = load_actuals_or_exit(actuals, quiet=as_json) if actuals else None
    model = scenario_or_exit(scenario, loaded, plan, quiet=as_json)
    reviewed = review(compile_review(model, plan, loaded)) if loaded is not None else None
    problem = RolloverProblem.from_data(model, plan, reviewed)
    result = rollover(problem)
    bad = check(result, problem.max_moves_per_year)
    if bad:
        raise RuntimeError("move history breaks the cap: " + "; ".join(bad[:5]))
    source = Path(scenario) if scenario else loaded.scenario_path  # type: ignore[union-attr]
    assert source is not None
    name = re.sub(r"\s*\(from \d{4}-\d{2}-\d{2}\)$", "", model.name) + f" (from {result.start})"
    try:
        with OutputFolder(output) as folder:
            extra = write_next_scenario(source, result, folder, name)
            lines = [*notes(result), *extra]
            (folder / "rollover.json").write_text(
                json.dumps({**result.summary(), "notes": lines}, ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
    except RolloverError as exc:
        raise InvalidInput(exc.problems) from None
    if as_json:
        click.echo(json.dumps({**result.summary(), "output": str(output)}, ensure_ascii=False, indent=2))
        return
    for line in lines:
        click.echo(("  " if not line.startswith("warning") else "") + line, err=line.startswith("warning"))
    click.echo(
        f"wrote {display_path(Path(output))}: the next scenario (validate it with `salesplan validate {output}`)"
    )
