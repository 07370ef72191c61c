"""`salesplan plan`: the whole chain into one folder, with report.html."""

from __future__ import annotations

import json
from functools import partial

import click

from ..common import Infeasible, guarded, load_or_exit, solver_options, stage_options


def executor_options(func):  # type: ignore[no-untyped-def]
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


def make_mapper(executor: str | None, workers: int | None, scheduler: str | None):  # type: ignore[no-untyped-def]
    from ...parallel import run_tasks

    chosen = executor or ("dask" if scheduler else "process" if (workers or 1) > 1 else "serial")
    if chosen == "serial":
        return None
    return partial(run_tasks, executor=chosen, workers=workers, scheduler=scheduler)


@click.command("plan")
@stage_options("the whole plan (tables, summary.json, calendars, plan.xlsx, report.html)")
@executor_options
@click.option(
    "--no-timings",
    is_flag=True,
    help="Leave run times out, so that every file is byte-identical across runs.",
)
@guarded
def command(
    scenario: str,
    output: str,
    time_limit: float | None,
    seed: int | None,
    as_json: bool,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    no_timings: bool,
) -> None:
    """Plan the quarter of SCENARIO: tiers and opportunities, territories, visits, and the schedule.

    Runs the chain — value-pyramid tiers; territories inside each region (balanced, compact, few
    moves); visits per month per account (maximum expected profit within each rep's hours);
    the opportunities worth the hours left; and every rep's day-by-day routes — and writes into OUTPUT:

    \b
      summary.json        every KPI against the current plan; each solver's status, bound, gap, time
      accounts.csv        tier, score, class, reason          opportunities.csv  rank, quadrant, selected
      allocation.csv      visits per month, expected sales     reps.csv           hours, shadow price
      territories.csv     account, region, rep, moved, reason  changes.csv        who changes rep, why
      visits.csv          rep, date, start, end, account       calendar/<rep>.ics one calendar per rep
      plan.xlsx           one sheet per rep and a summary      report.html        the page for managers
      (and capacity, sizing, territory_summary, days, dropped .csv, matrix.png, sizing.png)

    The folder is replaced only when everything is written. Exit code 2 for invalid input, 3 when the
    scenario has no feasible plan (with what to change). Each stage gets --time-limit seconds.

    \b
    Example:
      salesplan plan scenarios/examples/bank-key-accounts -o out/bank
      salesplan plan scenarios/examples/electronics-distributor -o out/pearl --workers 2
      salesplan plan big/scenario.yaml -o out/big --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from dataclasses import replace

    from ...pipeline import PlanInfeasible, plan
    from ..output import OutputFolder
    from ..writers.plan import FILES, summary_json, write_plan

    loaded = load_or_exit(scenario, quiet=as_json)
    options = replace(
        solver_options(loaded, time_limit, seed, quiet=as_json),
        mapper=make_mapper(executor, workers, scheduler),
    )
    say = (lambda text: None) if as_json else (lambda text: click.echo(f"[plan] {text}", err=True))
    try:
        result = plan(loaded, options, progress=say)
    except PlanInfeasible as exc:
        raise Infeasible(exc.stage, exc.explanations) from None
    say("writing outputs")
    with OutputFolder(output) as folder:
        write_plan(result, folder, timings=not no_timings)
    summary = result.summary if not no_timings else result.summary.without_timings()
    if as_json:
        data = json.loads(summary_json(summary))
        data["output"] = str(output)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{loaded.name}: planned in {result.runtime_seconds:.1f} s")
    for kpi in summary.kpis:
        current = "—" if kpi.current is None else f"{kpi.current:,.1f}"
        planned = "—" if kpi.planned is None else f"{kpi.planned:,.1f}"
        click.echo(f"  {kpi.name:48} {current:>16} → {planned:>16} {kpi.unit}")
    for stage in summary.stages:
        gap = "" if stage.gap is None else f", gap {stage.gap:.3%}"
        click.echo(
            f"  {stage.stage:12} {stage.status}{gap}" + (" (time limit hit)" if stage.time_limit_hit else "")
        )
    click.echo(f"wrote {output}: {', '.join(FILES)}")
    click.echo(f"open {output}/report.html in a browser")
