"""report.html: one self-contained page a sales manager can open — KPIs against the current plan, the map,
workload balance per rep, the opportunity matrix, the sizing curve and the accounts that change rep.

Everything is inlined (Leaflet, charts as PNG data URIs); every text from the scenario goes through
sanitize.html_text (text and attributes) or sanitize.script_json (the map's data).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..sanitize import html_text
from .maps import MapLayer, leaflet_head, map_fragment


@dataclass(frozen=True)
class KpiRow:
    name: str
    current: str
    planned: str
    change: str = ""
    better: bool | None = None  # colours the change: True green, False red


@dataclass
class ReportContent:
    title: str
    subtitle: str
    kpis: list[KpiRow]
    solvers: list[dict[str, str]]
    layers: list[MapLayer]
    legend: list[tuple[str, str]]
    balance: pd.DataFrame  # columns: rep, region, workload_hours, target_hours, deviation_pct, tolerance_pct
    images: dict[str, bytes] = field(default_factory=dict)  # caption → PNG
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0; color: #222; }
header { background: #1f3a5f; color: white; padding: 16px 28px; }
header h1 { margin: 0; font-size: 22px; } header p { margin: 4px 0 0; opacity: .85; }
main { padding: 8px 28px 40px; max-width: 1280px; }
h2 { font-size: 18px; border-bottom: 2px solid #1f3a5f; padding-bottom: 4px; margin-top: 28px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { background: #f3f5f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.good { color: #1a7f37; } .bad { color: #c62828; }
.bar { height: 12px; background: #4a78b5; display: inline-block; vertical-align: middle; }
.bar.over { background: #c62828; } .bar.under { background: #e0a100; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 20px; }
figure { margin: 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 13px; color: #555; }
.scroll { max-height: 420px; overflow: auto; display: inline-block; }
.salesplan-legend { background: white; padding: 6px 8px; font-size: 12px; max-height: 300px; overflow: auto;
                    border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,.3); }
.note { color: #555; font-size: 13px; }
"""


def _e(text: object) -> str:
    return html_text(text)


def _table(frame: pd.DataFrame, numeric: Sequence[str] = (), limit: int = 500) -> str:
    if frame.empty:
        return "<p class='note'>None.</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for record in frame.head(limit).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            shown = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            if isinstance(shown, float):
                shown = f"{shown:,.1f}"
            cls = " class='num'" if column in numeric else ""
            cells.append(f"<td{cls}>{_e(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p class='note'>… and {len(frame) - limit} more (see the CSV).</p>" if len(frame) > limit else ""
    return f"<div class='scroll'><table><tr>{head}</tr>{''.join(rows)}</table></div>{more}"


def _kpis(rows: list[KpiRow]) -> str:
    body = []
    for row in rows:
        cls = "" if row.better is None else (" class='good'" if row.better else " class='bad'")
        body.append(
            f"<tr><td>{_e(row.name)}</td><td class='num'>{_e(row.current)}</td>"
            f"<td class='num'><b>{_e(row.planned)}</b></td><td class='num'><span{cls}>{_e(row.change)}</span></td></tr>"
        )
    return (
        "<table id='kpis'><tr><th>KPI</th><th>current plan</th><th>this plan</th><th>change</th></tr>"
        + "".join(body)
        + "</table>"
    )


def _balance(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p class='note'>No territories.</p>"
    top = max(float(frame["workload_hours"].max()), float(frame["target_hours"].max()), 1e-9)
    rows = []
    for r in frame.itertuples(index=False):
        width = int(260 * float(r.workload_hours) / top)
        tolerance = float(r.tolerance_pct) if pd.notna(r.tolerance_pct) else None
        cls = ""
        if tolerance is not None and float(r.deviation_pct) > tolerance + 1e-6:
            cls = " over"
        elif tolerance is not None and float(r.deviation_pct) < -tolerance - 1e-6:
            cls = " under"
        rows.append(
            f"<tr><td>{_e(r.rep)}</td><td>{_e(r.region)}</td><td><span class='bar{cls}' style='width:{width}px'></span></td>"
            f"<td class='num'>{float(r.workload_hours):,.1f}</td><td class='num'>{float(r.target_hours):,.1f}</td>"
            f"<td class='num'>{float(r.deviation_pct):+.1f} %</td></tr>"
        )
    return (
        "<div class='scroll'><table id='balance'><tr><th>rep</th><th>region</th><th>workload</th><th>hours/month</th>"
        "<th>region target</th><th>deviation</th></tr>" + "".join(rows) + "</table></div>"
    )


def _images(images: dict[str, bytes]) -> str:
    figures = []
    for caption, data in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        figures.append(
            f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{encoded}'><figcaption>{_e(caption)}</figcaption></figure>"
        )
    return "<div class='grid'>" + "".join(figures) + "</div>"


def report_html(content: ReportContent) -> str:
    """The whole page as text (deterministic for the same content)."""
    solvers = pd.DataFrame(content.solvers)
    notes = "".join(f"<p class='note'>{_e(n)}</p>" for n in content.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(content.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{leaflet_head()}
<style>{_STYLE}</style></head>
<body>
<header><h1>{_e(content.title)}</h1><p>{_e(content.subtitle)}</p></header>
<main>
<h2>Key figures against the current plan</h2>
{_kpis(content.kpis)}
{notes}
<h2>Territories and accounts</h2>
<p class="note">Each colour is one rep's territory; large circles are rep homes; outlined circles are accounts that change rep.</p>
{map_fragment("territory-map", content.layers, content.legend, height="560px")}
<h2>Workload balance per rep</h2>
{_balance(content.balance)}
<h2>Opportunities and sizing</h2>
{_images(content.images)}
<h2>Accounts that change rep</h2>
{_table(content.changes)}
<h2>Visits that could not be scheduled</h2>
{_table(content.dropped)}
<h2>How each solver did</h2>
{_table(solvers)}
</main></body></html>
"""
