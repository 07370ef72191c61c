"""`salesplan allocate`: visits per month per account that maximise expected profit within rep hours."""

from __future__ import annotations

import json
import math

import click

from ...optimizer.calls import Calls
from ...optimizer.calls.sizing import SizingResult
from ...optimizer.data import compile_scenario
from ...optimizer.tiers import Tiers
from ..common import (
    csv_encoding_option,
    guarded,
    load_or_exit,
    run_chain,
    solver_options,
    stage_options,
    strict_option,
)
from ..output import OutputFolder
from ..writers.allocation import sizing_chart
from ..writers.tables import write_csv

FILES = ("allocation.csv", "reps.csv", "sizing.csv", "sizing.png")


def _sizing_lines(sizing: SizingResult, currency: str) -> list[str]:
    lines = []
    for region in dict.fromkeys(p.region for p in sizing.points):
        mine = [p for p in sizing.points if p.region == region]
        now = next((p for p in mine if p.current), None)
        best = next(p for p in mine if p.recommended)
        after = next((p for p in mine if p.reps == best.reps + 1), None)
        text = f"  region {region}: {now.reps if now else 'no'} reps today; best headcount {best.reps}"
        if now is not None and best.reps != now.reps:
            text += f" (net profit {best.net_profit - now.net_profit:+,.0f} {currency}/month)"
        if after is not None and not math.isnan(after.marginal_margin):
            text += (
                f"; rep {after.reps} would add {after.marginal_margin:,.0f} {currency}/month of margin, "
                f"less than a rep costs ({sizing.rep_cost[region]:,.0f})"
            )
        else:
            text += "; every rep in the range examined still pays for itself"
        lines.append(text)
    return lines


@click.command("allocate")
@stage_options("allocation.csv, reps.csv, sizing.csv and sizing.png (and shortfall.csv)")
@strict_option
@csv_encoding_option
@guarded
def command(
    scenario: str,
    output: str,
    time_limit: float | None,
    seed: int | None,
    as_json: bool,
    strict: bool,
    csv_encoding: str,
) -> None:
    """Decide how many visits per month each account of SCENARIO gets, to maximise expected profit.

    Sales respond to visits along each account's ADBUDG curve (CALLPLAN judgments); profit is margin ×
    sales − the cost of the visits' time. Every account keeps its tier minimum and maximum, each rep's
    selling hours (travel included) are never exceeded, and the plan comes with a proven bound. Accounts
    are served by their current rep (or the nearest rep of their region).

    \b
    Writes to OUTPUT:
      allocation.csv  account, rep, visits_per_month, expected_sales (currency/year), profit
                      (currency/month), reason, then tier, current plan, marginal profit per hour
      reps.csv        hours_available, hours_used, shadow_price (currency per extra selling hour)
      sizing.csv/png  net profit against the number of reps per region, and the best headcount
      shortfall.csv   when some rep's tier minimums need more hours than the rep has: the accounts below
                      their minimum in the best plan (first the smallest shortfall, then the highest
                      profit), with the fixes
    Prints the current plan against the optimised one, and the shortfall. With --strict, a shortfall is
    exit code 3 instead (nothing written).

    \b
    Example:
      salesplan allocate scenarios/examples/bank-key-accounts -o out/bank-calls
      salesplan allocate my-quarter/scenario.yaml -o out/calls --time-limit 30 --json
    """
    loaded = load_or_exit(scenario, quiet=as_json)
    options = solver_options(loaded, time_limit, seed, quiet=as_json)
    data = compile_scenario(loaded)
    currency = data.currency
    result = run_chain((Tiers(), Calls(strict=strict)), data, options).calls
    sizing = result.sizing
    frames = result.frames(data)
    with OutputFolder(output) as folder:
        for name, frame in frames.items():
            write_csv(frame, folder / f"{name}.csv", csv_encoding.lower())
        sizing_chart(sizing, folder / "sizing.png", currency)
    if as_json:
        summary = result.to_dict()
        summary["sizing"] = {
            "solve": sizing.info.to_dict(),
            "current": sizing.current(),
            "recommended": sizing.recommended(),
            "rep_cost_per_month": sizing.rep_cost,
        }
        summary["output"] = str(output)
        summary["files"] = [*FILES, *(["shortfall.csv"] if result.shortfall else [])]
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"{loaded.name}: call plan for {len(result.accounts)} accounts and {len(result.reps)} reps")
    click.echo(result.summary())
    click.echo("sizing (territories re-cut around each headcount):")
    for line in _sizing_lines(sizing, currency):
        click.echo(line)
    click.echo(f"wrote {', '.join(FILES)} to {output}")
