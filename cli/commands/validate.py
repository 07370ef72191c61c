"""`salesplan validate`: every problem of a scenario at once."""

from __future__ import annotations

import json

import click

from ...optimizer.capacity import check_tier_capacity
from ...optimizer.data import compile_scenario
from ...optimizer.reach import Unreachable, check_reach
from ...scenarios import inspect_scenario
from ...scenarios.errors import Problem
from ..common import EXIT_INVALID, guarded, print_problems


@click.command("validate")
@click.argument("scenario", type=click.Path(dir_okay=True, file_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@guarded
def command(scenario: str, as_json: bool) -> None:
    """Check SCENARIO (a scenario.yaml or its folder) and report every problem at once.

    Each problem reads `file:row:field: what is wrong — what to do`. Also checks that each region's reps
    have the hours its tier minimums need, and warns of accounts no rep of their region reaches in a day
    trip (and whether policy.travel.overnight allows nights away to them; --json lists them under
    "unreachable"). Exit code 0 when valid (warnings allowed), 2 when not.

    \b
    Example:
      salesplan validate scenarios/examples/bank-key-accounts
      salesplan validate my-quarter/scenario.yaml --json > problems.json
    """
    report = inspect_scenario(scenario)
    problems = list(report.problems)
    unreachable: list[Unreachable] = []
    if report.scenario is not None:
        data = compile_scenario(report.scenario)
        where = report.scenario.setting_origin("policy", "tiers", "visits")
        for item in check_tier_capacity(data):
            problems.append(
                Problem(
                    where[0],
                    where[1],
                    "policy.tiers.visits",
                    f"{item.scope}: {item.constraint} is short by {item.shortfall:,.0f} {item.unit}",
                    item.suggestion,
                )
            )
        names = {r.id: r.name for r in report.scenario.regions}
        unreachable = check_reach(data)
        for found in unreachable:
            key = found.fixes[0].target if found.fixes else "policy.travel.overnight"
            file, line = report.scenario.setting_origin(*key.split("."))
            problems.append(Problem(file, line, key, *found.text(names.get(found.region, "")), "warning"))
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "valid": not errors,
                    "problems": [p.to_dict() for p in problems],
                    "unreachable": [u.to_dict() for u in unreachable],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print_problems(problems)
        if errors:
            click.secho(
                f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s).", fg="red", err=True
            )
        else:
            assert report.scenario is not None
            facts = ", ".join(f"{v} {k}" for k, v in report.scenario.summary().items() if k != "name")
            click.secho(f"valid: {report.scenario.name} ({facts})", fg="green")
    if errors:
        raise SystemExit(EXIT_INVALID)
