"""Tables and the sizing chart of the call-planning stage (allocation.csv, reps.csv, sizing.csv/.png).

Units: expected_sales currency/year; profit, margin, costs currency/month; hours per month; shadow
prices and marginal profit currency per selling hour.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

from ...optimizer.calls.sizing import SizingResult
from ..sanitize import CHART_RC, chart_text

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
DPI = 120


def _font() -> list[str]:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in available] + ["DejaVu Sans"]


def _short_money(value: float, _position: int | None = None) -> str:
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:,.2f}B"
    if size >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if size >= 1e3:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


def sizing_chart(sizing: SizingResult, path: Path, currency: str) -> None:
    """sizing.png: net profit (margin − all reps' cost) against reps, one panel per region."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    regions = list(dict.fromkeys(p.region for p in sizing.points))
    columns = min(3, max(1, len(regions)))
    rows = max(1, math.ceil(len(regions) / columns))
    style: dict[str, Any] = {"font.family": _font(), **CHART_RC}
    with plt.rc_context(style), warnings.catch_warnings():  # type: ignore[arg-type]
        warnings.simplefilter("ignore")
        figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows), squeeze=False)
        for ax in axes.flat[len(regions) :]:
            ax.set_visible(False)
        for ax, region in zip(axes.flat, regions, strict=False):
            mine = [p for p in sizing.points if p.region == region]
            reps = [p.reps for p in mine]
            ax.plot(
                reps,
                [p.net_profit for p in mine],
                marker="o",
                markersize=3,
                color="#1f77b4",
                label="net profit (margin − reps' cost)",
            )
            for p in mine:
                if p.current:
                    ax.plot([p.reps], [p.net_profit], "s", color="#ff7f0e", markersize=7, label="today")
                if p.recommended:
                    ax.plot(
                        [p.reps], [p.net_profit], "*", color="#2ca02c", markersize=12, label="best headcount"
                    )
            ax.set_title(chart_text(f"region {region}"), fontsize=10)
            ax.set_xlabel("reps")
            ax.set_ylabel(chart_text(f"{currency}/month"))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="lower right")
        figure.suptitle("Sizing: net profit against headcount per region", fontsize=11)
        figure.tight_layout()
        figure.savefig(path, dpi=DPI, metadata={"Software": None})
        plt.close(figure)
