"""`salesplan rank`: account tiers and classes, the opportunity matrix, and the portfolio to chase."""

from __future__ import annotations

import json

import click

from ..common import csv_encoding_option, guarded, load_or_exit, solver_options, stage_options


@click.command("rank")
@stage_options("accounts.csv, opportunities.csv, capacity.csv and matrix.png")
@click.option(
    "--capacity-by",
    type=click.Choice(["rep", "region"]),
    default="rep",
    show_default=True,
    help="Whose hours an opportunity draws on: its rep's, or its region's reps' together.",
)
@csv_encoding_option
@guarded
def command(
    scenario: str,
    output: str,
    time_limit: float | None,
    seed: int | None,
    capacity_by: str,
    as_json: bool,
    csv_encoding: str,
) -> None:
    """Tier the accounts of SCENARIO and choose the opportunities to pursue this quarter.

    Accounts get a tier from the value pyramid (or the weighted criteria score) and, where potential and
    growth are known, a growth/share class (star, cash cow, question mark, dog). Opportunities are ranked
    by expected value (size × probability × margin) and placed in the size × likelihood matrix: act now,
    plan, opportunistic, shelve. The portfolio — the set with the highest expected value that fits each
    rep's hours after their tier-minimum visits, within the per-account limit and the must-pursue and
    exclude flags — is solved exactly (CP-SAT) with a proven bound.

    Writes accounts.csv, opportunities.csv, capacity.csv and matrix.png into OUTPUT. Exit code 3 (and no
    output) when the must-pursue opportunities of a rep need more hours than the rep has.

    \b
    Example:
      salesplan rank scenarios/examples/bank-key-accounts -o out/bank-rank
      salesplan rank scenarios/examples/dealer-network -o out/dealer-rank --capacity-by region --json
    """
    from pathlib import Path

    from ...optimizer.data import compile_scenario
    from ...optimizer.opportunities import Opportunities
    from ...optimizer.tiers import Tiers
    from ..common import run_chain
    from ..output import OutputFolder
    from ..writers import rank as writer
    from ..writers.tables import write_csv

    resolved = load_or_exit(scenario, quiet=as_json)
    options = solver_options(resolved, time_limit, seed, quiet=as_json)
    click.echo(
        f"rank: {len(resolved.accounts)} accounts, {len(resolved.opportunities)} opportunities, "
        f"{len(resolved.reps)} reps",
        err=True,
    )
    data = compile_scenario(resolved)
    stage = Opportunities(capacity_by="region" if capacity_by == "region" else "rep")
    result = run_chain((Tiers(), stage), data, options).opportunities
    files = ("accounts.csv", "opportunities.csv", "capacity.csv", "matrix.png")
    frames = result.frames(data)
    with OutputFolder(output) as folder:
        for name in ("accounts", "opportunities", "capacity"):
            write_csv(frames[name], folder / f"{name}.csv", csv_encoding.lower())
        writer.write_matrix(folder / files[3], data, result)
    summary = writer.summary(data, result)
    summary["output"] = {"folder": str(Path(output)), "files": list(files)}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
        return
    for line in writer.summary_lines(data, result):
        click.echo(line)
    click.echo(f"Wrote {output}: {', '.join(files)}")
