"""What `compare` and `sweep` write: the side-by-side page, the sweep table and its chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...optimizer.outcome import TOUR_KPIS
from ...whatif import PlanOutcome
from ..sanitize import CHART_RC, chart_text
from .report import _STYLE, _e, _images, _table

# KPIs drawn in the sweep chart: the ones a manager trades off against each other.
CHART_KPIS = (
    ("total_value", "total value per month (the ranking)"),
    ("expected_profit", "expected profit per month"),
    ("opportunity_value", "opportunity value (placed work)"),
    ("travel_hours", "travel hours over the horizon"),
    ("tier_a_coverage", "tier-A accounts at their minimum (%)"),
    ("dropped_visits", "planned visits not scheduled"),
)
# The one figure plans are ranked by: visit profit + placed opportunities − their work's cost − hotel and
# per diem of the nights away, per month (optimizer/outcome.py); ties keep the order the plans were given in.
RANK_KPI = "total_value"


def value_ranks(values: Sequence[float | None]) -> list[int | None]:
    """1 for the highest total value, 2 for the next, …; None for a plan without one (infeasible)."""
    order = sorted(
        (i for i, v in enumerate(values) if v is not None), key=lambda i: (-float(values[i] or 0.0), i)
    )
    ranks: list[int | None] = [None] * len(values)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def sweep_frame(outcomes: Sequence[PlanOutcome], assignments: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per variant: its settings, status, every KPI of its plan, each stage's gap, the
    explanation when it is infeasible. A tour figure (nights, hotel cost) some variant has is 0 in the
    planned variants without nights away."""
    rows = []
    for index, (outcome, assignment) in enumerate(zip(outcomes, assignments, strict=True), start=1):
        row: dict[str, Any] = {"variant": index, **assignment, "status": outcome.status()}
        if outcome.result is not None:
            summary = outcome.result.summary
            row.update({k.key: k.planned for k in summary.kpis})
            row.update({f"gap_{s.stage}": s.gap for s in summary.stages})
            row["time_limit_hit"] = any(s.time_limit_hit for s in summary.stages)
        row["explanation"] = outcome.explanation()
        rows.append(row)
    frame = pd.DataFrame(rows)
    planned = [o.result is not None for o in outcomes]
    for key in TOUR_KPIS:
        if key in frame:
            frame.loc[planned, key] = frame.loc[planned, key].fillna(0.0)
    values = [row.get(RANK_KPI) for row in rows]
    frame.insert(1, "rank", pd.array(value_ranks(values), dtype="Int64"))
    return frame


def sweep_chart(frame: pd.DataFrame, setting: str, path: Path) -> None:
    """Six small charts of the main KPIs against the first swept setting (variants in sweep order), the
    total value the variants are ranked by first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [chart_text(v) for v in frame[setting]]
    with plt.rc_context(CHART_RC):  # type: ignore[arg-type]
        _sweep_axes(plt, frame, x, chart_text(setting), path)


def _sweep_axes(plt: Any, frame: pd.DataFrame, x: list[str], setting: str, path: Path) -> None:
    figure, axes = plt.subplots(2, 3, figsize=(13, 6.4), dpi=100)
    for ax, (key, title) in zip(axes.flat, CHART_KPIS, strict=True):
        if key in frame:
            values = pd.to_numeric(frame[key], errors="coerce")
            ax.plot(range(len(x)), values, marker="o", color="#1f3a5f")
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(x)), x, rotation=45 if len(x) > 8 else 0, fontsize=8)
        ax.grid(alpha=0.3)
    figure.supxlabel(setting, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)


def page(
    title: str,
    subtitle: str,
    sections: Sequence[tuple[str, str]],
    images: dict[str, bytes] | None = None,
) -> str:
    """A self-contained HTML page: a header and (heading, html) sections; images inlined as PNG."""
    body = [f"<section><h2>{_e(heading)}</h2>{content}</section>" for heading, content in sections]
    if images:
        body.append(_images(images))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p>{_e(subtitle)}</p></header><main>{''.join(body)}</main></body></html>\n"
    )


def table(frame: pd.DataFrame) -> str:
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    return _table(frame, numeric=numeric)


def infeasible_list(outcomes: Sequence[PlanOutcome]) -> str:
    items = [
        f"<li><b>{_e(o.label)}</b> ({_e(o.stage)}): "
        + "".join(f"<br>{_e(str(e))}" for e in o.explanations)
        + "</li>"
        for o in outcomes
        if o.result is None
    ]
    return f"<ul>{''.join(items)}</ul>" if items else "<p class='note'>Every scenario has a plan.</p>"
