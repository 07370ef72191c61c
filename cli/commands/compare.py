"""`salesplan compare`: plan several scenarios and set them side by side."""

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


@click.command("compare")
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=True, file_okay=True))
@stage_options(
    "kpis.csv, moves.csv, opportunities.csv, stages.csv, compare.html, summary.json and plans/<name>/",
    scenario_argument=False,
)
@click.option("--no-plans", is_flag=True, help="Do not write each scenario's full plan under plans/<name>/.")
@no_timings_option
@executor_options
@csv_encoding_option
@guarded
def command(
    scenarios: tuple[str, ...],
    output: str,
    time_limit: float | None,
    seed: int | None,
    as_json: bool,
    no_plans: bool,
    no_timings: bool,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    csv_encoding: str,
) -> None:
    """Plan two or more SCENARIOS and compare them: KPIs side by side, and the differences.

    The first scenario is the base; every other one is compared against it. Writes into OUTPUT:

    \b
      kpis.csv           every KPI per scenario (expected sales and profit, tier-A coverage, travel
                         hours, balance, accounts moved, dropped visits …) and the change against the base
      moves.csv          accounts whose rep differs between the plans, with the reason
      opportunities.csv  opportunities chosen in one plan and not in another, and why not
      stages.csv         each plan's solvers: status, objective, bound, gap, time
      compare.html       all of it on one page;  summary.json  the same for scripts
      plans/<name>/      each scenario's full plan, as `salesplan plan` writes it

    Scenarios that have no feasible plan are listed with what would fix them (exit code 3 only when
    none of them has a plan). Scenarios are planned in parallel (a local process pool by default).

    \b
    Example:
      salesplan compare scenarios/examples/dealer-network \\
                        scenarios/examples/dealer-network-two-reps-fewer -o out/two-fewer
    """
    import pandas as pd

    from ...whatif import (
        PlanJob,
        kpi_frame,
        label_of,
        moves_frame,
        opportunity_frame,
        stage_frame,
        unique_labels,
    )
    from ..common import Infeasible
    from ..output import OutputFolder
    from ..writers.compare import infeasible_list, page, table, value_ranks
    from ..writers.plan import write_plans
    from ..writers.tables import write_csv

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios: the base and one what-if.")
    problems = []
    loaded = []
    for path in scenarios:
        try:
            loaded.append(load_or_exit(path, quiet=as_json))
        except InvalidInput as exc:  # report every scenario's problems before giving up
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    labels = unique_labels([label_of(p) for p in scenarios])
    jobs = [
        PlanJob(label, s, solver_options(s, time_limit, seed, quiet=True))
        for label, s in zip(labels, loaded, strict=True)
    ]
    outcomes = plan_in_parallel(jobs, executor, workers, scheduler, what="compare", quiet=as_json)
    if not any(o.feasible for o in outcomes):
        explanations = [e for o in outcomes for e in o.explanations]
        raise Infeasible("compare (every scenario)", explanations)

    kpis, stages = kpi_frame(outcomes), stage_frame(outcomes)
    if no_timings and "runtime_seconds" in stages:
        stages = stages.drop(columns=["runtime_seconds"])
    moves, opportunities = moves_frame(outcomes), opportunity_frame(outcomes)
    value = {o.label: _total_value(o) for o in outcomes}
    ranks = value_ranks([value[label] for label in labels])
    ranking = [
        {"rank": rank, "label": label, "total_value": value[label]}
        for rank, label in sorted((r, name) for r, name in zip(ranks, labels, strict=True) if r is not None)
    ]
    summary: dict[str, Any] = {
        "base": labels[0],
        "ranking": ranking,
        "plans": [
            {"label": o.label, "scenario": s.name, "source": s.source, "status": o.status(),
             "explanation": o.explanation()}
            for o, s in zip(outcomes, loaded, strict=True)
        ],
        "kpis": json.loads(kpis.to_json(orient="records", force_ascii=False)),
        "accounts_moved_between_plans": len(moves),
        "opportunities_changed_between_plans": len(opportunities),
    }  # fmt: skip
    with OutputFolder(output) as folder:
        write_csv(kpis, folder / "kpis.csv", csv_encoding.lower())
        write_csv(moves, folder / "moves.csv", csv_encoding.lower())
        write_csv(opportunities, folder / "opportunities.csv", csv_encoding.lower())
        write_csv(stages, folder / "stages.csv", csv_encoding.lower())
        (folder / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        sections = [
            ("Ranked by total value per month", table(pd.DataFrame(ranking))),
            ("KPIs side by side", table(kpis.drop(columns=["key"]))),
            (f"Accounts whose rep differs ({len(moves)})", table(moves)),
            (
                f"Opportunities chosen in one plan and not another ({len(opportunities)})",
                table(opportunities),
            ),
            ("Scenarios without a feasible plan", infeasible_list(outcomes)),
            ("Solvers", table(stages)),
        ]
        subtitle = " vs ".join(labels) + f" — base: {labels[0]}"
        (folder / "compare.html").write_text(page("Plan comparison", subtitle, sections), encoding="utf-8")
        if not no_plans:
            plans = {o.label: o.result for o in outcomes if o.result is not None}
            write_plans(plans, folder / "plans", timings=not no_timings, csv_encoding=csv_encoding.lower())
    if as_json:
        summary["output"] = str(output)
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print_table(kpis, labels)
    click.echo(
        "ranked by total value per month: "
        + ", ".join(f"{r['rank']}. {r['label']} ({number(r['total_value'])})" for r in ranking)
    )
    for o in outcomes:
        if o.result is None:
            click.echo(f"{o.label}: no feasible plan ({o.stage}): {o.explanation()}")
    click.echo(f"{len(moves)} account(s) have a different rep between the plans; "
               f"{len(opportunities)} opportunit(y/ies) are chosen in one plan and not another.")  # fmt: skip
    planned = [o.label for o in outcomes if o.feasible]
    for row in moves.head(10).to_dict(orient="records"):
        reps = " → ".join(str(row[label]) or "—" for label in planned)
        click.echo(f"  {row['account']} {row['account_name']}: {reps} ({row['reason']})")
    if len(moves) > 10:
        click.echo(f"  … and {len(moves) - 10} more in moves.csv")
    click.echo(f"wrote {output}: kpis.csv, moves.csv, opportunities.csv, stages.csv, compare.html, summary.json"
               + ("" if no_plans else ", plans/<name>/"))  # fmt: skip


def _total_value(outcome: Any) -> float | None:
    """The plan's total value per month (the figure plans are ranked by), None without a plan."""
    from ..writers.compare import RANK_KPI

    if outcome.result is None:
        return None
    planned = next((k.planned for k in outcome.result.summary.kpis if k.key == RANK_KPI), None)
    return None if planned is None else float(planned)


def _print_table(kpis: Any, labels: list[str]) -> None:
    width = 16
    names = [label[:width] for label in labels]
    delta = len(labels) == 2
    header = (
        f"{'KPI':46}"
        + "".join(f"{n:>{width + 1}}" for n in names)
        + (f"{'change':>{width + 1}}" if delta else "")
    )
    click.echo(header)
    for row in kpis.to_dict(orient="records"):
        cells = "".join(f"{number(row[label]):>{width + 1}}" for label in labels)
        if delta:
            cells += f"{number(row[f'{labels[1]} − {labels[0]}'], sign=True):>{width + 1}}"
        click.echo(f"{(row['kpi'] + ' (' + row['unit'] + ')')[:46]:46}{cells}")
