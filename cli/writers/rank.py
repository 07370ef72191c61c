"""The opportunity matrix (matrix.png) and the summary of the `rank` stage; the tables are the result's frames."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ...optimizer.data import PlanData
from ...optimizer.opportunities import QUADRANTS, OpportunityResult
from ..sanitize import CHART_RC, chart_text

COLOURS = {"act now": "#2a9d3f", "plan": "#2b6cb0", "opportunistic": "#e08a00", "shelve": "#8a8a8a"}
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "AR PL UMing CN",
)
DPI = 130


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def write_matrix(path: Path, data: PlanData, result: OpportunityResult, labels: int = 10) -> None:
    """The size × probability matrix as a PNG: colour = action, ringed = chosen, thresholds dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranking, selected = result.ranking, result.portfolio.selected
    size = np.array([o.size for o in data.opportunities], dtype=float)
    probability = np.array([o.probability for o in data.opportunities], dtype=float)
    font = _cjk_font()
    style: dict[str, Any] = {
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "font.size": 9,
        **CHART_RC,
    }
    with plt.rc_context(style), warnings.catch_warnings():  # type: ignore[arg-type]
        warnings.simplefilter("ignore")  # missing CJK glyphs fall back silently
        fig, ax = plt.subplots(figsize=(9, 6.5))
        positive = size[size > 0]
        if len(positive) and positive.max() / positive.min() > 20:
            ax.set_xscale("log")
            size = np.maximum(size, positive.min())
        for k, name in enumerate(QUADRANTS):
            mask = ranking.quadrant == k
            ax.scatter(
                size[mask & ~selected],
                probability[mask & ~selected],
                s=22,
                color=COLOURS[name],
                alpha=0.45,
                linewidths=0,
                label=f"{name} ({int(mask.sum())})",
            )
            ax.scatter(
                size[mask & selected],
                probability[mask & selected],
                s=46,
                color=COLOURS[name],
                edgecolors="black",
                linewidths=1.0,
            )
        ax.scatter([], [], s=46, color="white", edgecolors="black", label=f"chosen ({int(selected.sum())})")
        t = ranking.thresholds
        ax.axvline(t.size, color="#444444", linestyle="--", linewidth=0.9)
        ax.axhline(t.probability, color="#444444", linestyle="--", linewidth=0.9)
        currency = chart_text(data.currency)
        ax.set_xlabel(
            f"size if won ({currency}); dashed: {t.size:,.0f}{' (median)' if t.size_is_median else ''}"
        )
        ax.set_ylabel(
            f"probability; dashed: {t.probability:.2f}{' (median)' if t.probability_is_median else ''}"
        )
        ax.set_ylim(-0.02, 1.02)
        corners = {
            "act now": (0.98, 0.98),
            "plan": (0.98, 0.02),
            "opportunistic": (0.02, 0.98),
            "shelve": (0.02, 0.02),
        }
        for name, (x, y) in corners.items():
            ax.text(
                x,
                y,
                name,
                transform=ax.transAxes,
                color=COLOURS[name],
                fontsize=12,
                fontweight="bold",
                ha="right" if x > 0.5 else "left",
                va="top" if y > 0.5 else "bottom",
            )
        ids = [chart_text(o.id) for o in data.opportunities]
        for j in np.argsort(ranking.rank, kind="stable")[:labels]:
            ax.annotate(
                ids[j], (size[j], probability[j]), xytext=(4, 3), textcoords="offset points", fontsize=7
            )
        ax.set_title(
            f"Opportunity matrix: {len(ids)} opportunities, {int(selected.sum())} chosen "
            f"(expected value {float(ranking.expected_value[selected].sum()):,.0f} {currency})"
        )
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        ax.grid(True, which="major", alpha=0.25)
        fig.tight_layout()
        fig.savefig(path, dpi=DPI, metadata={"Software": None})
        plt.close(fig)


def summary(data: PlanData, result: OpportunityResult) -> dict[str, Any]:
    """Machine-readable summary of the stage (for --json and the plan's summary.json)."""
    t = result.ranking.thresholds
    selected = result.portfolio.selected
    return {
        "scenario": data.name,
        "accounts": len(data.accounts),
        "opportunities": len(data.opportunities),
        "tiers": {
            "method": result.tiers.method,
            "basis": result.tiers.basis,
            "counts": result.tiers.counts(),
        },
        "classes": {
            "share_threshold": result.classes.share_threshold,
            "growth_threshold": result.classes.growth_threshold,
            "thresholds_are_medians": result.classes.share_is_median and result.classes.growth_is_median,
            "counts": result.classes.counts(),
        },
        "matrix": {
            "size_threshold": t.size,
            "size_threshold_is_median": t.size_is_median,
            "probability_threshold": t.probability,
            "probability_threshold_is_median": t.probability_is_median,
            "counts": result.ranking.counts(),
        },
        "portfolio": {
            **result.info.to_dict(),
            "capacity_by": result.capacity_by,
            "chosen": int(selected.sum()),
            "expected_value": float(result.ranking.expected_value[selected].sum()),
            "hours_available": sum(p.capacity_hours for p in result.portfolio.pools),
            "hours_used": sum(p.used_hours for p in result.portfolio.pools),
        },
        "pools": result.capacity_frame().replace({np.nan: None}).to_dict(orient="records"),
    }


def summary_lines(data: PlanData, result: OpportunityResult) -> list[str]:
    """The human summary: thresholds used, portfolio status/objective/bound/gap, hours per rep."""
    currency = data.currency
    tiers, classes, ranking = result.tiers, result.classes, result.ranking
    selected = result.portfolio.selected
    pools = result.portfolio.pools
    lines = [data.name]
    basis = f" on {tiers.basis.replace('_', ' ')}" if tiers.method == "pareto" else ""
    counts = ", ".join(f"{tier} {n}" for tier, n in sorted(tiers.counts().items()))
    lines.append(f"Tiers ({tiers.method}{basis}): {counts}")
    if classes.share_threshold is None or classes.growth_threshold is None:
        lines.append("Classes: none (no account has both potential and growth_rate in the accounts table)")
    else:
        median = " (median)" if classes.share_is_median else ""
        lines.append(
            f"Classes (share of wallet ≥ {classes.share_threshold:.0%}{median}, market growth ≥ "
            f"{classes.growth_threshold:+.1%}{' (median)' if classes.growth_is_median else ''}): "
            + ", ".join(f"{k} {n}" for k, n in classes.counts().items())
        )
    lines.append(f"Matrix: {ranking.thresholds.describe(currency)}")
    lines.append("  " + ", ".join(f"{k} {n}" for k, n in ranking.counts().items()))
    lines.append(f"Portfolio: {result.info.summary()}")
    lines.append(
        f"  chosen {int(selected.sum())} of {len(selected)} opportunities: expected value "
        f"{float(ranking.expected_value[selected].sum()):,.0f} {currency}, "
        f"{sum(p.used_hours for p in pools):,.1f} of {sum(p.capacity_hours for p in pools):,.1f} h"
    )
    who = "rep" if result.capacity_by == "rep" else "region"
    lines.append(
        f"Hours per {who} this quarter (after the visit load); value of one more hour by re-solving:"
    )
    width = max([len(who), *(len(p.name.removeprefix("region ")) for p in pools)])
    lines.append(
        f"  {who:<{width}} {'available':>10} {'used':>8} {'left':>8} {'chosen':>7} "
        f"{'+1 h value':>12} {'LP value/h':>11}"
    )
    for p in pools:
        if p.hour_value_low is None:
            extra = "—"
        elif p.hour_value_exact:
            extra = f"{p.hour_value_low:,.0f}"
        else:
            extra = f"{p.hour_value_low:,.0f}–{p.hour_value_high:,.0f}"
        lines.append(
            f"  {p.name.removeprefix('region '):<{width}} {p.capacity_hours:>10,.1f} {p.used_hours:>8,.1f} "
            f"{p.left_hours:>8,.1f} {p.chosen:>4}/{p.candidates:<3}{extra:>12} {p.lp_hour_value:>11,.0f}"
        )
    return lines
