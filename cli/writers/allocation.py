"""Tables and the sizing chart of the call-planning stage (allocation.csv, reps.csv, sizing.csv/.png).

Units: expected_sales currency/year; profit, margin, costs currency/month; hours per month; shadow
prices and marginal profit currency per selling hour.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd

from ...optimizer.calls.result import AllocationResult
from ...optimizer.calls.sizing import SizingResult
from ...scenarios.model import Scenario

ACCOUNT_COLUMNS = ["account", "rep", "visits_per_month", "expected_sales", "profit", "reason"]
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


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits) if math.isfinite(value) else math.nan


def accounts_frame(result: AllocationResult, scenario: Scenario) -> pd.DataFrame:
    """allocation.csv: the issue's six columns first, then tier, bounds, current plan and rates."""
    names = {a.id: a.name for a in scenario.accounts}
    shadow = {r.rep_id: r.shadow_price for r in result.reps}
    rows = [
        {
            "account": p.account_id,
            "rep": p.rep_id,
            "visits_per_month": p.visits_per_month,
            "expected_sales": _r(p.expected_sales),
            "profit": _r(p.profit),
            "reason": p.reason,
            "name": names.get(p.account_id, ""),
            "region": p.region,
            "tier": p.tier,
            "min_visits": p.min_visits,
            "max_visits": p.max_visits,
            "current_visits_per_month": p.current_visits_per_month,
            "current_expected_sales": _r(p.current_expected_sales),
            "current_profit": _r(p.current_profit),
            "hours_per_month": _r(p.hours_per_month),
            "marginal_profit_per_hour": _r(p.marginal_profit_per_hour),
            "shadow_price": _r(shadow.get(p.rep_id, math.nan)),
        }
        for p in result.accounts
    ]
    return pd.DataFrame(rows, columns=[*ACCOUNT_COLUMNS, *(list(rows[0])[6:] if rows else [])])


def reps_frame(result: AllocationResult, scenario: Scenario) -> pd.DataFrame:
    """reps.csv: hours available and used, and the shadow price of one more selling hour."""
    names = {r.id: r.name for r in scenario.reps}
    return pd.DataFrame(
        [
            {
                "rep": r.rep_id,
                "name": names.get(r.rep_id, ""),
                "region": r.region,
                "accounts": r.accounts,
                "hours_available": _r(r.hours_available),
                "hours_used": _r(r.hours_used),
                "shadow_price": _r(r.shadow_price),
                "extra_hour_value": _r(r.extra_hour_value),
                "current_hours": _r(r.current_hours),
                "profit": _r(r.profit),
                "proven_optimal": r.proven_optimal,
            }
            for r in result.reps
        ]
    )


def sizing_frame(sizing: SizingResult) -> pd.DataFrame:
    """sizing.csv: one row per region and headcount."""
    return pd.DataFrame(
        [
            {
                "region": p.region,
                "reps": p.reps,
                "selling_hours": _r(p.selling_hours),
                "hours_used": _r(p.hours_used),
                "expected_sales": _r(p.expected_sales),
                "margin": _r(p.margin),
                "profit": _r(p.profit),
                "bound": _r(p.bound),
                "rep_cost": _r(p.rep_cost),
                "net_profit": _r(p.net_profit),
                "marginal_margin": _r(p.marginal_margin),
                "pays_for_itself": "" if p.pays_for_itself is None else p.pays_for_itself,
                "current": p.current,
                "recommended": p.recommended,
            }
            for p in sizing.points
        ]
    )


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
    with plt.rc_context({"font.family": _font()}), warnings.catch_warnings():
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
            ax.set_title(f"region {region}", fontsize=10)
            ax.set_xlabel("reps")
            ax.set_ylabel(f"{currency}/month")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, loc="lower right")
        figure.suptitle("Sizing: net profit against headcount per region", fontsize=11)
        figure.tight_layout()
        figure.savefig(path, dpi=DPI, metadata={"Software": None})
        plt.close(figure)
