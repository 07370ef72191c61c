"""`salesplan review`: the quarter's plan against what actually happened, with early warnings."""

from __future__ import annotations

import json

import click

from ..common import guarded


@click.command("review")
@click.argument("plan_dir", type=click.Path(file_okay=False))
@click.argument("actuals", type=str)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the review's tables, review.json, review.xlsx and review.html (replaced atomically).",
)
@click.option(
    "--scenario",
    default=None,
    type=click.Path(),
    help="The scenario the plan was made from (default: `scenario:` in actuals.yaml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print review.json instead of the summary.")
@guarded
def command(plan_dir: str, actuals: str, output: str, scenario: str | None, as_json: bool) -> None:
    """Review the plan in PLAN_DIR against ACTUALS: visits, sales, opportunities, money and regions.

    PLAN_DIR is a folder `salesplan plan` wrote. ACTUALS is what came back from CRM and finance: a folder
    with actuals.yaml (or with visits, shipments, receivables, opportunities, dealers .csv/.xlsx), or a
    database (sqlite:///file.db, postgresql+psycopg://user@host/db, or a .db file) with those tables.
    Figures run from the plan's first day to the date of the actuals (`as_of`, default the last visit or
    shipment):

    \b
      visits      done / late / missed per planned visit, unplanned ones (matched on rep, account, date)
      sales       against the plan's pace (its expected sales pro-rated to as_of), per account and rep
      warnings    receivables overdue (ageing buckets), sales behind pace, selling cost out of line,
                  churn (orders falling, a long gap), top-tier accounts behind their visit minimum —
                  each with the figure, the threshold (policy in actuals.yaml) and the rep who acts
      credit      score, class and credit limit per dealer (years, growth, arrears, our share, 窜货)
      regions     shipments of a dealer delivered into another region (cross-region selling)

    Writes reps, accounts, warnings, visits, sales, churn, receivables, credit, cross_region and
    opportunities .csv, review.json, review.xlsx and review.html (charts and a map). Exit code 2 for
    invalid input (file:row:field — what to do).

    \b
    Example:
      salesplan review scenarios/examples/dealer-network/plan scenarios/examples/dealer-network/actuals -o out/review
      salesplan review out/q2 sqlite:///crm.db --scenario my-quarter -o out/q2-review
    """
    from ...review import check, compile_review, review
    from ..output import OutputFolder
    from ..quarter import load_actuals_or_exit, load_plan_or_exit, scenario_or_exit
    from ..writers.review import FILES, write_review

    plan = load_plan_or_exit(plan_dir)
    loaded = load_actuals_or_exit(actuals, quiet=as_json)
    model = scenario_or_exit(scenario, loaded, plan, quiet=as_json)
    data = compile_review(model, plan, loaded)
    result = review(data)
    problems = check(result, data.rules.buckets)
    if problems:  # the figures must reconcile; anything else is a bug
        raise RuntimeError("review does not reconcile: " + "; ".join(problems[:5]))
    with OutputFolder(output) as folder:
        write_review(result, data, folder)
    summary = result.summary()
    if as_json:
        click.echo(json.dumps({**summary, "output": str(output)}, ensure_ascii=False, indent=2))
        return
    visits = summary["visits"]
    click.echo(f"{result.name}: {summary['window']}")
    click.echo(
        f"  visits: {visits['planned']} planned, {visits['done']} done ({visits['late']} late), "
        f"{visits['missed']} missed, {visits['unplanned']} unplanned"
    )
    sales = summary["sales"]
    if sales["ratio"] is not None:
        click.echo(
            f"  sales: {sales['actual']:,.0f} of a plan pace of {sales['pace']:,.0f} {result.currency} ({sales['ratio']:.0%})"
        )
    click.echo(f"  {len(result.warnings)} early warning(s)")
    for kind, count in summary["warnings"].items():
        click.echo(f"    {count:4d}  {kind}")
    if summary["over_credit_limit"]:
        click.echo(
            f"  over their credit limit (no new opportunity next quarter): {', '.join(summary['over_credit_limit'])}"
        )
    click.echo(f"wrote {output}: {', '.join(FILES)}")
