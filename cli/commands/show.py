"""`salesplan show`: the resolved scenario, after every `extends`."""

from __future__ import annotations

import json

import click

from ..common import guarded, load_or_exit

TABLES = (
    "regions",
    "reps",
    "accounts",
    "opportunities",
    "travel_matrix",
    "absences",
    "adjacency",
    "overnight_places",
)


@click.command("show")
@click.argument("scenario", type=click.Path())
@click.option("--table", type=click.Choice(TABLES), help="Print one resolved table as CSV.")
@guarded
def command(scenario: str, table: str | None) -> None:
    """Print SCENARIO as salesplan sees it: settings with every default filled in, and table sizes.

    Useful for what-ifs: see exactly what a scenario that `extends` another resolves to.

    \b
    Example:
      salesplan show scenarios/examples/dealer-network-two-reps-fewer
      salesplan show scenarios/examples/dealer-network --table reps > reps.csv
    """
    import pandas as pd

    resolved = load_or_exit(scenario)
    if table:
        rows = [r.model_dump(mode="json") for r in getattr(resolved, table)]
        frame = pd.DataFrame(rows)
        click.echo(frame.to_csv(index=False, lineterminator="\n"), nl=False)
        return
    data = resolved.model_dump(
        mode="json",
        exclude=set(TABLES),
    )
    data["tables"] = {t: len(getattr(resolved, t)) for t in TABLES}
    data["regions"] = list(resolved.region_ids)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
