"""`salesplan territories`: balanced, compact rep territories inside each region, and the change list."""

from __future__ import annotations

import json
import math

import click

from ...optimizer.data import compile_scenario
from ...optimizer.territories import Territories
from ...optimizer.territories.problem import MEASURES
from ...optimizer.territories.result import RegionPlan, TerritoryResult
from ...optimizer.tiers import Tiers
from ..common import csv_encoding_option, guarded, load_or_exit, run_chain, solver_options, stage_options
from ..output import OutputFolder
from ..writers.tables import write_csv
from ..writers.territories import territory_map

FILES = ("territories.csv", "territory_summary.csv", "changes.csv", "map.html")


def _figure(value: float | None, fmt: str) -> str:
    return "—" if value is None or not math.isfinite(value) else format(value, fmt)


def _region_lines(region: RegionPlan, basis: str) -> list[str]:
    info = region.info
    lines = [
        f"region {region.region} ({region.accounts} accounts, {region.reps} reps): {info.status.value}, "
        f"objective {_figure(info.objective, ',.1f')}, bound {_figure(info.bound, ',.1f')}, "
        f"gap {_figure(info.gap, '.2%')}, {info.runtime_seconds:.1f} s"
        + (" (time limit hit)" if info.time_limit_hit else ""),
        f"  moved {region.chosen_moves} ({region.moved_share:.1%} of {basis}, cap {region.cap:.0%}); "
        f"forced {region.forced_moves} (rep left or in another region); new accounts {region.new_accounts}",
    ]
    parts = []
    for name, tol, before, after in zip(
        MEASURES,
        region.tolerance,
        region.largest_deviation_before,
        region.largest_deviation_after,
        strict=True,
    ):
        limit = "not balanced" if tol is None else f"tolerance ±{tol:.0%}"
        parts.append(f"{name} {_figure(before, '.0%')} → {_figure(after, '.0%')} ({limit})")
    lines.append("  largest deviation from target, before → after: " + "; ".join(parts))
    return lines


def _human(result: TerritoryResult, name: str, output: str) -> None:
    reps = sum(r.reps for r in result.regions)
    click.echo(
        f"{name}: territories for {len(result.accounts)} accounts and {reps} reps in {len(result.regions)} region(s)"
    )
    click.echo(result.info.summary())
    click.echo("(objective: visits × road km from the rep's home per month, plus the cost of the moves)")
    for region in result.regions:
        for line in _region_lines(region, result.basis):
            click.echo(line)
    click.echo(
        f"{len(result.changes())} account(s) change rep (changes.csv); wrote {', '.join(FILES)} to {output}"
    )


@click.command("territories")
@stage_options("territories.csv, territory_summary.csv, changes.csv and map.html")
@csv_encoding_option
@guarded
def command(scenario: str, output: str, time_limit: float | None, seed: int | None, as_json: bool, csv_encoding: str) -> None:  # fmt: skip
    """Split each region of SCENARIO into balanced, compact rep territories, moving few accounts.

    A territory never crosses a region: each rep only gets accounts (dealers included) of their own
    region. Every territory's workload (planned visits × on-site and hop minutes) and potential stay
    within ± policy.balance tolerances of the region's mean; accounts stay as close to their rep's home
    as possible; locked accounts stay put; and at most policy.reassignment.max_moved_share of the
    accounts that could keep their rep change hands. Accounts whose rep left (what-if) or works in
    another region must move and are counted apart. Planned visits come from the tier policy (current
    visits clipped to the tier's range).

    \b
    Writes to OUTPUT:
      territories.csv        account, region, rep, territory, moved, reason (+ names, workload, potential)
      territory_summary.csv  per territory: accounts, workload_hours, workload_deviation_pct, potential,
                             potential_deviation_pct, travel_estimate_hours, and the same before
      changes.csv            account, from_rep, to_rep, reason (which imbalance the move fixes)
      map.html               territories by colour, rep homes, moved accounts ringed (works offline)
    Prints per region status, objective, bound, gap, moved share, and the largest deviation before and
    after. Exit code 3 (nothing written) when a tolerance cannot be met, with the smallest that can.

    \b
    Example:
      salesplan territories scenarios/examples/dealer-network -o out/dealer-territories
      salesplan territories scenarios/examples/dealer-network-two-reps-fewer -o out/two-fewer --json
    """
    loaded = load_or_exit(scenario, quiet=as_json)
    data = compile_scenario(loaded)
    options = solver_options(loaded, time_limit, seed, quiet=as_json)
    result = run_chain((Tiers(), Territories()), data, options).territories
    with OutputFolder(output) as folder:
        for name, frame in result.frames(data).items():
            write_csv(frame, folder / f"{name}.csv", csv_encoding.lower())
        (folder / "map.html").write_text(territory_map(result, data), encoding="utf-8")
    if as_json:
        summary = result.to_dict()
        summary["output"] = str(output)
        summary["files"] = list(FILES)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _human(result, loaded.name, output)
