"""`salesplan schedule`: every rep's visits day by day, exported to CSV, calendars, a workbook and a map."""

from __future__ import annotations

import collections
import json
from dataclasses import replace
from pathlib import Path

import click
import pandas as pd

from ...optimizer.data import PlanData, compile_scenario
from ...optimizer.plan import GivenCalls
from ...optimizer.schedule import Schedule, ScheduleResult
from ...optimizer.tiers import Tiers
from ..common import (
    csv_encoding_option,
    executor_options,
    guarded,
    load_or_exit,
    open_runner,
    run_chain,
    solver_options,
    stage_options,
    travel_blocks_option,
)
from ..output import OutputFolder
from ..writers.calendar import plan_calendar
from ..writers.schedule import file_stem, schedule_workbook, week_map, write_calendars
from ..writers.tables import write_csv


def _allocation(path: str, data: PlanData) -> GivenCalls:
    """account → rep and visits per month from an allocation.csv written by `salesplan allocate`."""
    frame = pd.read_csv(path, dtype={"account": str, "rep": str}, keep_default_na=False)
    missing = {"account", "rep", "visits_per_month"} - set(frame.columns)
    if missing:
        raise click.BadParameter(
            f"{path} lacks the column(s) {', '.join(sorted(missing))}", param_hint="--allocation"
        )
    known = data.account_by_id
    unknown = [a for a in frame["account"] if a not in known]
    if unknown:
        raise click.BadParameter(
            f"{path}: accounts not in the scenario: {', '.join(unknown[:5])}", param_hint="--allocation"
        )
    rep_of = {str(a): (str(r) or None) for a, r in zip(frame["account"], frame["rep"], strict=True)}
    visits = {str(a): float(v) for a, v in zip(frame["account"], frame["visits_per_month"], strict=True)}
    return GivenCalls(rep_of, visits)


def _map_rep(result: ScheduleResult, wanted: str | None, data: PlanData) -> str | None:
    if wanted is not None:
        if wanted not in data.rep_by_id:
            raise click.BadParameter(f"no rep {wanted!r} in the scenario", param_hint="--map-rep")
        return wanted
    counts = collections.Counter(v.rep_id for v in result.visits)
    order = {r.id: k for k, r in enumerate(data.reps)}
    return min(counts, key=lambda r: (-counts[r], order[r])) if counts else None


@click.command("schedule")
@stage_options("visits.csv, days.csv, dropped.csv, calendar/, plan.xlsx and the week map")
@click.option(
    "--allocation",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="allocation.csv from `salesplan allocate`: who serves each account and visits per month.",
)
@click.option(
    "--map-rep", default=None, help="Rep whose week is mapped (default: the rep with the most visits)."
)
@click.option("--map-week", type=click.IntRange(min=1), default=1, show_default=True, help="Week of the map.")
@executor_options
@csv_encoding_option
@travel_blocks_option
@guarded
def command(
    scenario: str, output: str, allocation: str | None, time_limit: float | None, seed: int | None,
    map_rep: str | None, map_week: int, as_json: bool, executor: str | None, workers: int | None,
    scheduler: str | None,
    csv_encoding: str, travel_blocks: bool,
) -> None:  # fmt: skip
    """Build every rep's day-by-day visit routes for the horizon of SCENARIO.

    Each account's visits (tier minimum, or its current visits when more, within the tier maximum — or
    the call plan given with --allocation) are spread evenly over the horizon: weekly ones on one
    weekday, fortnightly and monthly ones at regular spacing, on days the account is open and the rep
    works (holidays, absences, closed dates removed). Each working day is one route from the rep's home
    and back within the working hours, with the lunch break in the middle; day patterns and routes are
    chosen together for the least travel. When a rep's days cannot hold every visit, the least valuable
    ones (above the tier minimum first) are dropped, each with its reason.

    \b
    Writes to OUTPUT:
      visits.csv          rep, date, start, end, account, travel_minutes_before (+ names, order, purpose)
      days.csv            each rep's working days: leave/back home, lunch, travel, visit and wait minutes;
                          start_place, end_place, night and night_cost (hotel and per diem) for tours
      dropped.csv         visits left out and why
      calendar/<rep>.ics  one calendar per rep (Asia/Shanghai time), to import into Outlook or a phone:
                          visits, nights away ("Overnight: <place>"), with --travel-blocks each drive
      plan.xlsx           a Summary sheet, one sheet per rep, a Dropped sheet
      week_<rep>.html     map of one rep's week (--map-rep, --map-week)

    \b
    Example:
      salesplan schedule scenarios/examples/bank-key-accounts -o out/bank-schedule
      salesplan allocate my-quarter -o out/calls
      salesplan schedule my-quarter --allocation out/calls/allocation.csv -o out/schedule --map-rep R03
    """
    loaded = load_or_exit(scenario, quiet=as_json)
    data = compile_scenario(loaded)
    given = _allocation(allocation, data) if allocation else None
    options = solver_options(loaded, time_limit, seed, quiet=as_json)
    with open_runner(executor, workers, scheduler) as runner:
        plan = run_chain((Tiers(), Schedule()), data, replace(options, mapper=runner.mapper()), given)
    result = plan.schedule
    chosen = _map_rep(result, map_rep, data)
    files = ["visits.csv", "days.csv", "dropped.csv", "calendar/", "plan.xlsx"]
    with OutputFolder(output) as folder:
        for name, frame in result.frames(data).items():
            write_csv(frame, folder / f"{name}.csv", csv_encoding.lower())
        write_calendars(result, data, folder / "calendar", plan_calendar(result, data, travel=travel_blocks))
        schedule_workbook(result, data, folder / "plan.xlsx")
        if chosen is not None:
            name = f"week_{file_stem(chosen)}.html"
            (folder / name).write_text(week_map(result, data, chosen, map_week), encoding="utf-8")
            files.append(name)
    if as_json:
        summary = result.to_dict()
        summary.update(output=str(Path(output)), files=files, map_rep=chosen, map_week=map_week)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo(f"{data.name}: visit schedule for {len(result.reps)} reps over {data.horizon.weeks} weeks")
    click.echo(result.summary())
    if result.dropped:
        top = collections.Counter(d.reason.split(":")[0] for d in result.dropped).most_common(3)
        click.echo("dropped visits (see dropped.csv): " + "; ".join(f"{n}× {why}" for why, n in top))
    click.echo(f"wrote {', '.join(files)} to {output}")
