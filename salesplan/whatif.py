"""Many plans at once — the scenarios of `salesplan compare` or the variants of `salesplan sweep` — and the
tables that set them side by side.

A plan that a stage proves infeasible is an outcome too (with the stage and its explanations), so one
impossible what-if never stops a sweep. Plans are computed by :func:`salesplan.parallel.run_tasks`, one
task per scenario; the same scenarios and seed give the same outcomes serially, in a process pool, or on
a Dask cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .optimizer.outcome import TOUR_KPIS
from .optimizer.result import Infeasibility, Kpi, SolverOptions
from .parallel import Executor, run_tasks
from .pipeline import KPI_ORDER, PlanInfeasible, PlanResult, plan
from .scenarios.model import Scenario


@dataclass(frozen=True)
class PlanJob:
    """One plan to compute: a label for tables and folders, the scenario, and solver options."""

    label: str
    scenario: Scenario
    options: SolverOptions


@dataclass
class PlanOutcome:
    """A plan, or the stage that proved the scenario infeasible and what would fix it."""

    label: str
    result: PlanResult | None
    stage: str | None = None
    explanations: tuple[Infeasibility, ...] = ()

    @property
    def feasible(self) -> bool:
        return self.result is not None

    def status(self) -> str:
        return "planned" if self.result is not None else f"infeasible ({self.stage})"

    def explanation(self) -> str:
        return "; ".join(str(e) for e in self.explanations)


def plan_job(job: PlanJob) -> PlanOutcome:
    """Plan one job; an infeasible scenario becomes an outcome, not an exception. Runs in a worker."""
    try:
        result = plan(job.scenario, job.options)
    except PlanInfeasible as exc:
        return PlanOutcome(job.label, None, exc.stage, tuple(exc.explanations))
    result.frames  # noqa: B018 - computed in the worker, so the parent only receives them
    return PlanOutcome(job.label, result)


def plan_all(
    jobs: Sequence[PlanJob],
    *,
    executor: Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    on_done: Callable[[int, int], None] | None = None,
) -> list[PlanOutcome]:
    """Every job's outcome, in the order of ``jobs`` (see :func:`salesplan.parallel.run_tasks`)."""
    shipped = [PlanJob(j.label, j.scenario, j.options.for_worker()) for j in jobs]
    return run_tasks(
        plan_job, shipped, executor=executor, workers=workers, scheduler=scheduler, on_done=on_done
    )


def label_of(path: str | Path) -> str:
    """A short name for a scenario path: its folder for scenario.yaml or a folder, else the file stem."""
    p = Path(path)
    if p.is_dir() or p.name == "scenario.yaml":
        return (p if p.is_dir() else p.parent).resolve().name
    return p.stem


def unique_labels(labels: Sequence[str]) -> list[str]:
    """The labels, with #2, #3 … appended where one repeats."""
    seen: dict[str, int] = {}
    out = []
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text}#{seen[text]}")
    return out


# --- side-by-side tables -------------------------------------------------------------------------------


def kpi_frame(outcomes: Sequence[PlanOutcome]) -> pd.DataFrame:
    """One row per KPI of any plan, in summary order: key, kpi, unit, current (of the first plan that has
    it), each plan's value, and for every plan after the first its change against the first
    (``<label> − <first>``). A plan without nights away has no tour figures (:data:`TOUR_KPIS`): they are 0
    there, so nights and hotel cost show beside the other KPIs as soon as one plan has them."""
    planned = [o for o in outcomes if o.result is not None]
    if not planned:
        return pd.DataFrame(columns=["key", "kpi", "unit", "current"])
    shown: dict[str, Kpi] = {}
    for o in planned:
        assert o.result is not None
        for kpi in o.result.summary.kpis:
            shown.setdefault(kpi.key, kpi)
    order = {key: i for i, key in enumerate(KPI_ORDER)}
    keys = sorted(shown, key=lambda key: order.get(key, len(order)))  # summary order, as each summary's
    rows: list[dict[str, Any]] = []
    first = outcomes[0]
    for key in keys:
        kpi = shown[key]
        row: dict[str, Any] = {"key": kpi.key, "kpi": kpi.name, "unit": kpi.unit, "current": kpi.current}
        for o in outcomes:
            row[o.label] = _planned(o, key)
        for o in outcomes[1:]:
            a, b = row[first.label], row[o.label]
            row[f"{o.label} − {first.label}"] = None if a is None or b is None else round(b - a, 4)
        rows.append(row)
    return pd.DataFrame(rows)


def _planned(outcome: PlanOutcome, key: str) -> float | None:
    """The plan's value of KPI ``key``: None without a plan, 0 for a tour figure it does not have."""
    if outcome.result is None:
        return None
    found = next((k for k in outcome.result.summary.kpis if k.key == key), None)
    if found is None:
        return 0.0 if key in TOUR_KPIS else None
    return found.planned


def stage_frame(outcomes: Sequence[PlanOutcome]) -> pd.DataFrame:
    """One row per plan and stage: status, objective, bound, gap, time, time limit hit."""
    rows = []
    for o in outcomes:
        if o.result is None:
            rows.append(
                {"plan": o.label, "stage": o.stage, "status": "infeasible", "message": o.explanation()}
            )
            continue
        for s in o.result.summary.stages:
            rows.append({"plan": o.label, **s.model_dump(exclude={"sense"})})
    return pd.DataFrame(rows)


def moves_frame(outcomes: Sequence[PlanOutcome]) -> pd.DataFrame:
    """Accounts whose rep is not the same in every plan: the rep in each plan ('' where the account is not
    in that scenario), the plans that differ from the first, and the territory stage's reason there."""
    planned = [o for o in outcomes if o.result is not None]
    columns = ["account", "account_name", "region", *(o.label for o in planned), "differs_in", "reason"]
    if len(planned) < 2:
        return pd.DataFrame(columns=columns)
    tables = {o.label: o.result.frames["territories"].set_index("account") for o in planned if o.result}
    names: dict[str, tuple[str, str]] = {}
    for o in planned:
        assert o.result is not None
        for a in o.result.data.accounts:
            names.setdefault(a.id, (a.name, a.region))
    rows = []
    base = planned[0].label
    for account in sorted(names):
        reps = {label: _cell(t, account, "rep") for label, t in tables.items()}
        if len(set(reps.values())) <= 1:
            continue
        differs = [label for label in reps if label != base and reps[label] != reps[base]]
        reason = " | ".join(
            f"{label}: {_cell(tables[label], account, 'reason') or 'not in this scenario'}"
            for label in (base, *differs)
        )
        name, region = names[account]
        rows.append({"account": account, "account_name": name, "region": region, **reps,
                     "differs_in": ", ".join(differs), "reason": reason})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def opportunity_frame(outcomes: Sequence[PlanOutcome]) -> pd.DataFrame:
    """Opportunities chosen in some plans and not in others: chosen yes/no per plan, and why not where not."""
    planned = [o for o in outcomes if o.result is not None]
    columns = ["opportunity", "account", "type", "expected_value", *(o.label for o in planned), "why_not"]
    if len(planned) < 2:
        return pd.DataFrame(columns=columns)
    tables = {o.label: o.result.frames["opportunities"].set_index("opportunity") for o in planned if o.result}
    ids = sorted(set().union(*(set(t.index) for t in tables.values())))
    rows = []
    for opportunity in ids:
        chosen = {label: _chosen(t, opportunity) for label, t in tables.items()}
        if len(set(chosen.values())) <= 1:
            continue
        present = next(t for t in tables.values() if opportunity in t.index)
        why = [f"{label}: {_cell(t, opportunity, 'reason') or 'not in this scenario'}"
               for label, t in tables.items() if chosen[label] != "yes"]  # fmt: skip
        rows.append({
            "opportunity": opportunity, "account": _cell(present, opportunity, "account"),
            "type": _cell(present, opportunity, "type"),
            "expected_value": float(present.loc[opportunity, "expected_value"]), **chosen,
            "why_not": " | ".join(why),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _cell(table: pd.DataFrame, key: str, column: str) -> str:
    if key not in table.index:
        return ""
    value = table.loc[key, column]
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _chosen(table: pd.DataFrame, key: str) -> str:
    if key not in table.index:
        return "—"
    return "yes" if bool(table.loc[key, "selected"]) else "no"
