"""`salesplan plan`: the whole chain into one folder, with report.html."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..common import (
    Infeasible,
    csv_encoding_option,
    executor_options,
    guarded,
    load_or_exit,
    no_timings_option,
    open_runner,
    solver_options,
    stage_options,
    strict_option,
    travel_blocks_option,
)


@click.command("plan")
@stage_options("the whole plan (tables, summary.json, calendars, plan.xlsx, report.html)")
@executor_options
@no_timings_option
@strict_option
@csv_encoding_option
@travel_blocks_option
@click.option(
    "--previous",
    metavar="PLAN_DIR",
    type=click.Path(exists=True, file_okay=False),
    help="The folder of the plan the reps have now: visits and work blocks that stay keep their calendar UID "
    "(SEQUENCE grows when one changes), calendar/<rep>.cancel.ics cancels those that are gone, "
    "calendar/changes.csv lists what changed in the visits. May be OUTPUT itself.",
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
    strict: bool,
    csv_encoding: str,
    travel_blocks: bool,
    previous: str | None,
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
      plan.xlsx           every table, typed; a sheet per rep  report.html        the page for managers
      work.csv            opportunity work blocks, work_id     (in the calendars too)
      with --previous     calendar/<rep>.cancel.ics (events that are gone), calendar/changes.csv
      days.csv            each rep's days; start_place, end_place, night, night_cost for tours
      (and capacity, sizing, territory_summary, days, dropped .csv, matrix.png, sizing.png)

    CSV files are UTF-8 with a BOM (Excel reads the Chinese names), or --csv-encoding. A visit's
    calendar UID is its visit_id: rep, account and its ordinal among the rep's visits to the account;
    a work block's is its work_id: rep, opportunity, date and its ordinal among that day's blocks.
    A night away is an event "Overnight: <place>" from the day's end to the next morning (UID: rep and
    date); --travel-blocks adds a busy "Travel" event per leg.
    The folder is replaced only when everything is written. Exit code 2 for invalid input, 3 when the
    scenario has no feasible plan (with what to change). Each stage's wall clock is capped at
    --time-limit seconds; --effort scales the work budget that decides the plan.

    \b
    Example:
      salesplan plan scenarios/examples/bank-key-accounts -o out/bank
      salesplan plan scenarios/examples/electronics-distributor -o out/pearl --workers 2
      salesplan plan big/scenario.yaml -o out/big --executor dask --scheduler tcp://10.0.0.5:8786
      salesplan plan scenarios/examples/bank-key-accounts -o out/bank --previous out/bank
      salesplan plan scenarios/examples/dealer-network -o out/dealers --travel-blocks
    """
    from dataclasses import replace

    from ...pipeline import PlanInfeasible, plan
    from ..output import OutputFolder
    from ..sanitize import json_text, one_line
    from ..writers.calendar_previous import PreviousPlanError, read_previous
    from ..writers.plan import FILES, summary_json, write_plan

    loaded = load_or_exit(scenario, quiet=as_json)
    try:
        before = read_previous(Path(previous)) if previous else None
    except PreviousPlanError as exc:
        raise click.BadParameter(str(exc), param_hint="'--previous'") from None
    options = solver_options(loaded, time_limit, seed, quiet=as_json)
    say = (lambda text: None) if as_json else (lambda text: click.echo(f"[plan] {text}", err=True))
    try:
        with open_runner(executor, workers, scheduler) as runner:
            result = plan(loaded, replace(options, mapper=runner.mapper()), progress=say, strict=strict)
    except PlanInfeasible as exc:
        raise Infeasible(exc.stage, exc.explanations) from None
    say("writing outputs")
    with OutputFolder(output) as folder:
        calendar = write_plan(
            result,
            folder,
            timings=not no_timings,
            csv_encoding=csv_encoding.lower(),
            previous=before,
            travel_blocks=travel_blocks,
        )
    summary = result.summary if not no_timings else result.summary.without_timings()
    if as_json:
        data = json.loads(summary_json(summary))
        data["output"] = str(output)
        click.echo(json_text(data, indent=2))
        return
    click.echo(f"{one_line(loaded.name)}: planned in {result.runtime_seconds:.1f} s")
    for kpi in summary.kpis:
        current = "—" if kpi.current is None else f"{kpi.current:,.1f}"
        planned = "—" if kpi.planned is None else f"{kpi.planned:,.1f}"
        click.echo(f"  {kpi.name:48} {current:>16} → {planned:>16} {kpi.unit}")
    for stage in summary.stages:
        gap = "" if stage.gap is None else f", gap {stage.gap:.3%}"
        if gap and stage.stage == "schedule":  # the bound, not the routes, makes most of this gap
            proof = stage.message.partition("; bound: ")[2]  # which bound proves which reps (run.bound_note)
            gap += f" ({'bound: ' + proof + '; ' if proof else ''}routes vs a peer: python -m benchmarks schedule)"
        click.echo(
            f"  {stage.stage:12} {stage.status}{gap}" + (" (time limit hit)" if stage.time_limit_hit else "")
        )
    if calendar.compared:
        kinds = ("unchanged", "moved", "updated", "new", "cancelled")
        counts, work = calendar.counts(), calendar.counts(work=True)
        shown = ", ".join(f"{counts.get(k, 0)} {k}" for k in kinds)
        click.echo(f"  calendar against {previous}: {shown} (calendar/changes.csv)")
        if calendar.work or work["cancelled"]:
            click.echo("  opportunity work blocks: " + ", ".join(f"{work.get(k, 0)} {k}" for k in kinds))
        for kind, words in (("night", "nights away"), ("travel", "travel legs")):
            tours = calendar.counts(kind=kind)
            if sum(tours.values()):
                click.echo(f"  {words}: " + ", ".join(f"{tours.get(k, 0)} {k}" for k in kinds))
    click.echo(f"wrote {output}: {', '.join(FILES)}")
    click.echo(f"open {output}/report.html in a browser")
