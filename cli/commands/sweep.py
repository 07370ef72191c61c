"""`salesplan sweep`: many what-ifs from one scenario, planned in parallel."""

from __future__ import annotations

import json
from typing import Any

import click

from ..common import (
    InvalidInput,
    csv_encoding_option,
    executor_options,
    guarded,
    load_or_exit,
    no_timings_option,
    number,
    plan_in_parallel,
    solver_options,
    stage_options,
)


@click.command("sweep")
@click.argument("scenario", type=click.Path(dir_okay=True, file_okay=True))
@click.option(
    "--set",
    "settings",
    multiple=True,
    required=True,
    metavar="PATH=VALUES",
    help="A setting and its values: policy.tiers.visits.A.min=2..6, reps=16..24, reps.NORTH=3,4, "
    "policy.balance.workload_tolerance=0.1:0.3:0.05. Repeat for a grid (every combination).",
)
@stage_options("sweep.csv, sweep.png, sweep.html, summary.json and plans/<n>/", scenario_argument=False)
@click.option(
    "--plans", "write_plans", is_flag=True, help="Also write every variant's full plan under plans/<n>/."
)
@no_timings_option
@executor_options
@csv_encoding_option
@guarded
def command(
    scenario: str,
    settings: tuple[str, ...],
    output: str,
    time_limit: float | None,
    seed: int | None,
    as_json: bool,
    write_plans: bool,
    no_timings: bool,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    csv_encoding: str,
) -> None:
    """Plan every variant of SCENARIO that the --set values give, and tabulate their KPIs.

    Each --set names a setting of the scenario (any policy.* or horizon.* value, as in `salesplan
    schema`; or reps / reps.REGION for the number of reps) and its values:

    \b
      2..6                 whole numbers 2, 3, 4, 5, 6
      0.1:0.3:0.05         start:stop:step, inclusive
      a,b,c                a list (each read as YAML: 3, 0.2, null, true)

    Several --set options give every combination. Fewer reps: the last reps of a region in table order
    leave (their accounts are reassigned); more reps: new reps like the region's average are placed at
    the accounts farthest from every home. Variants run in parallel — a local process pool by default,
    or a Dask cluster with --executor dask --scheduler tcp://HOST:8786 — with the same results either
    way. A variant with no feasible plan is reported in the table with what would fix it.

    Writes sweep.csv (one row per variant: settings, status, every KPI, each stage's gap), sweep.png
    (profit, travel, tier-A coverage and dropped visits against the first setting), sweep.html and
    summary.json.

    \b
    Example:
      salesplan sweep scenarios/examples/dealer-network --set reps=2..6 -o out/reps
      salesplan sweep scenarios/examples/bank-key-accounts \\
                      --set policy.tiers.visits.A.min=2..6 -o out/tier-a --workers 2
      salesplan sweep big/scenario.yaml --set reps=16..24 -o out/big \\
                      --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from ...scenarios.errors import ScenarioError
    from ...variants import apply_variant, grid, label, parse_setting
    from ...whatif import PlanJob
    from ..output import OutputFolder
    from ..writers.compare import infeasible_list, page, sweep_chart, sweep_frame, table
    from ..writers.plan import write_plans as write_all_plans
    from ..writers.tables import write_csv

    base = load_or_exit(scenario, quiet=as_json)
    try:
        parsed = [parse_setting(text) for text in settings]
        assignments = grid(parsed)
        variants = [apply_variant(base, assignment) for assignment in assignments]
    except ScenarioError as exc:
        raise InvalidInput(exc.problems) from None
    jobs = [
        PlanJob(str(index), variant, solver_options(variant, time_limit, seed, quiet=True))
        for index, variant in enumerate(variants, start=1)
    ]
    outcomes = plan_in_parallel(jobs, executor, workers, scheduler, what="sweep", quiet=as_json)
    for outcome, assignment in zip(outcomes, assignments, strict=True):
        outcome.label = label(assignment)
    frame = sweep_frame(outcomes, assignments)
    first = parsed[0].path
    with OutputFolder(output) as folder:
        write_csv(frame, folder / "sweep.csv", csv_encoding.lower())
        sweep_chart(frame, first, folder / "sweep.png")
        summary: dict[str, Any] = {
            "scenario": base.name,
            "source": base.source,
            "settings": {s.path: list(s.values) for s in parsed},
            "variants": json.loads(frame.to_json(orient="records", force_ascii=False)),
        }
        (folder / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        shown = frame.drop(columns=[c for c in frame.columns if c.startswith("gap_")])
        sections = [
            ("Variants", table(shown)),
            ("Variants without a feasible plan", infeasible_list(outcomes)),
        ]
        images = {f"Main KPIs against {first}": (folder / "sweep.png").read_bytes()}
        subtitle = f"{base.name} — " + "; ".join(settings)
        (folder / "sweep.html").write_text(page("Sweep", subtitle, sections, images), encoding="utf-8")
        if write_plans:
            plans = {str(k): o.result for k, o in enumerate(outcomes, start=1) if o.result is not None}
            write_all_plans(
                plans, folder / "plans", timings=not no_timings, csv_encoding=csv_encoding.lower()
            )
    if as_json:
        summary["output"] = str(output)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print(frame, [s.path for s in parsed])
    click.echo(f"wrote {output}: sweep.csv, sweep.png, sweep.html, summary.json"
               + (", plans/<n>/" if write_plans else ""))  # fmt: skip


SHOWN = (
    ("rank", "rank"),
    ("total_value", "value/month"),
    ("expected_profit", "profit/month"),
    ("opportunity_value", "opp. value"),
    ("tier_a_coverage", "tier-A %"),
    ("travel_hours", "travel h"),
    ("workload_balance", "balance %"),
    ("accounts_moved", "moved"),
    ("dropped_visits", "dropped"),
)


def _print(frame: Any, paths: list[str]) -> None:
    heads = [p.split(".")[-1] if p.startswith(("policy.", "horizon.")) else p for p in paths]
    header = "  ".join(f"{h[:14]:>14}" for h in heads) + "".join(f"{name:>15}" for _, name in SHOWN)
    click.echo(f"{'#':>3}  {header}  status")
    for row in frame.to_dict(orient="records"):
        settings = "  ".join(f"{str(row[p])[:14]:>14}" for p in paths)
        values = "".join(f"{number(row.get(key)):>15}" for key, _ in SHOWN)
        status = row["status"] + (f": {row['explanation'][:80]}" if row["explanation"] else "")
        click.echo(f"{row['variant']:>3}  {settings}{values}  {status}")
