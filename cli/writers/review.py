"""What `salesplan review` writes: the review's tables as CSV, review.json, review.xlsx and review.html.

review.html is self-contained (charts as PNG data URIs, Leaflet inlined): plan against actual per rep,
warnings by kind, the warnings table, and a map of the cross-region shipments (dealer → ship-to). In
review.xlsx every sheet has a frozen header and a filter; dates are date cells; the visits sheet holds
the exceptions only (missed, late, unplanned — visits.csv has every visit).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ...review import WARNING_KINDS, ReviewData, ReviewResult
from ..sanitize import xlsx_cell
from .allocation import DPI, _font
from .maps import MapLayer, MapLine, MapPoint, leaflet_head, map_fragment
from .report import _STYLE, _e, _images, _table
from .tables import write_csv

TABLES = (
    "reps",
    "accounts",
    "warnings",
    "visits",
    "sales",
    "churn",
    "receivables",
    "credit",
    "cross_region",
    "opportunities",
)
FILES = (*(f"{name}.csv" for name in TABLES), "review.json", "review.xlsx", "review.html")


def write_review(result: ReviewResult, data: ReviewData, folder: Path) -> None:
    """Write every output of a review into ``folder`` (the staging folder of an OutputFolder)."""
    for name in TABLES:
        write_csv(result.frames[name], folder / f"{name}.csv")
    (folder / "review.json").write_text(
        json.dumps(result.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    write_workbook(result, folder / "review.xlsx")
    (folder / "review.html").write_text(review_html(result, data), encoding="utf-8")


def write_workbook(result: ReviewResult, path: Path) -> None:
    """review.xlsx: a sheet per table, frozen header, autofilter, typed dates and numbers."""
    book = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    )
    book.set_properties(
        {
            "title": f"Quarterly review — {result.name}",
            "author": "salesplan",
            "created": dt.datetime.fromisoformat(result.as_of),
        }
    )
    header = book.add_format({"bold": True, "bg_color": "#F3F5F8", "bottom": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": "#,##0.00"})
    for name in TABLES:
        frame = result.frames[name]
        if name == "visits":
            frame = frame[frame["status"] != "done"]
        sheet = book.add_worksheet(name)
        for c, column in enumerate(frame.columns):
            sheet.write_string(0, c, str(column), header)
            sheet.set_column(c, c, max(10, min(40, len(str(column)) + 2)))
            values = frame[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                for r, value in enumerate(values, start=1):
                    if pd.notna(value):
                        sheet.write_datetime(r, c, value.to_pydatetime(), date_format)
            elif pd.api.types.is_bool_dtype(values):
                for r, value in enumerate(values, start=1):
                    sheet.write_boolean(r, c, bool(value))
            elif pd.api.types.is_numeric_dtype(values):
                for r, value in enumerate(values, start=1):
                    if pd.notna(value) and np.isfinite(value):
                        sheet.write_number(r, c, float(value), number)
            else:
                for r, value in enumerate(values, start=1):
                    if value is not None and not (isinstance(value, float) and np.isnan(value)):
                        sheet.write_string(r, c, xlsx_cell(str(value)))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    book.close()


def _png(figure: object) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})  # type: ignore[attr-defined]
    return buffer.getvalue()


def charts(result: ReviewResult) -> dict[str, bytes]:
    """Plan against actual per rep (visits and sales, % of plan) and warnings by kind, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reps = result.frames["reps"]
    counts = result.counts_by_kind()
    images: dict[str, bytes] = {}
    with plt.rc_context({"font.family": _font(), "svg.hashsalt": "salesplan"}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(reps) + 2), 3.6))
        x = np.arange(len(reps))
        visits = 100 * reps["done"] / reps["planned"].where(reps["planned"] > 0)
        sales = 100 * reps["sales_ratio"]
        ax.bar(x - 0.2, visits.fillna(0), 0.4, label="visits done, % of planned", color="#4a78b5")
        ax.bar(x + 0.2, sales.fillna(0), 0.4, label="sales, % of plan pace", color="#e0a100")
        ax.axhline(100, color="#555", lw=0.8, ls="--")
        ax.set_xticks(x, reps["rep"], rotation=90 if len(reps) > 20 else 0, fontsize=8)
        ax.set_ylabel("% of plan")
        ax.legend(fontsize=8, loc="lower right")
        figure.tight_layout()
        images["Plan against actual per rep: visits done and sales, as % of the plan to date"] = _png(figure)
        plt.close(figure)
        figure, ax = plt.subplots(figsize=(6.4, 0.4 * max(len(counts), 1) + 1.2))
        kinds = list(counts)
        ax.barh([WARNING_KINDS[k] for k in kinds], [counts[k] for k in kinds], color="#c62828")
        ax.invert_yaxis()
        ax.set_xlabel("warnings")
        figure.tight_layout()
        images["Early warnings by kind"] = _png(figure)
        plt.close(figure)
    return images


def cross_region_layers(result: ReviewResult, data: ReviewData) -> list[MapLayer]:
    """Dealers (grey, by region) and one red line per cross-region shipment, dealer → ship-to address."""
    accounts = data.accounts
    dealers = MapLayer(
        "dealers",
        [
            MapPoint(
                float(a.lat),
                float(a.lon),
                "#9e9e9e",
                3.0,
                (str(a.account), str(a.name), f"region {a.region}"),
            )
            for a in accounts[accounts["is_dealer"].astype(bool)].itertuples()
        ],
    )
    position = accounts.set_index("account")
    lines, ends = [], []
    for row in result.frames["cross_region"].itertuples():
        home = position.loc[row.account]
        lat, lon = float(row.ship_to_lat), float(row.ship_to_lon)
        if not (np.isfinite(lat) and np.isfinite(lon)):
            continue
        text = (
            f"{row.account} {row.name}",
            f"{row.region} → {row.ship_to_region}",
            f"{pd.Timestamp(row.date).date()}",
            f"quantity {row.quantity:,.1f}, amount {row.amount:,.0f}",
        )
        lines.append(MapLine(((float(home.lat), float(home.lon)), (lat, lon)), "#c62828", 3.0, text))
        ends.append(MapPoint(lat, lon, "#c62828", 6.0, text))
    return [dealers, MapLayer("cross-region shipments", ends, lines)]


def review_html(result: ReviewResult, data: ReviewData) -> str:
    """The review page (deterministic for the same result)."""
    summary = result.summary()
    visits, sales = summary["visits"], summary["sales"]
    ratio = "—" if sales["ratio"] is None else f"{sales['ratio']:.0%}"
    figures = pd.DataFrame(
        [
            {"figure": "visits planned to date", "value": f"{visits['planned']:,}"},
            {"figure": "done (late included)", "value": f"{visits['done']:,}"},
            {"figure": "late", "value": f"{visits['late']:,}"},
            {"figure": "missed", "value": f"{visits['missed']:,}"},
            {"figure": "unplanned", "value": f"{visits['unplanned']:,}"},
            {
                "figure": f"sales against plan pace ({result.currency})",
                "value": f"{sales['actual']:,.0f} of {sales['pace']:,.0f} ({ratio})",
            },
            {
                "figure": "opportunities pursued / won / lost / open",
                "value": "{pursued} / {won} / {lost} / {open}".format(**summary["opportunities"]),
            },
            {
                "figure": "dealers over their credit limit",
                "value": ", ".join(summary["over_credit_limit"]) or "none",
            },
            {"figure": "cross-region shipments", "value": str(summary["cross_region_shipments"])},
        ]
    )
    warnings_table = result.frames["warnings"][["title", "account", "name", "owner", "owner_name", "message"]]
    reps = result.frames["reps"][
        [
            "rep",
            "name",
            "planned",
            "done",
            "late",
            "missed",
            "unplanned",
            "pace",
            "actual_sales",
            "sales_ratio",
            "pursued",
            "won",
            "lost",
        ]
    ]
    credit = result.frames["credit"][["account", "score", "class", "limit", "open", "over_limit"]]
    crossings = result.frames["cross_region"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Quarterly review — {_e(result.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{leaflet_head()}
<style>{_STYLE}</style></head>
<body>
<header><h1>Quarterly review — {_e(result.name)}</h1><p>{_e(summary["window"])} against the plan</p></header>
<main>
<h2>Key figures</h2>
{_table(figures)}
<h2>Plan against actual</h2>
{_images(charts(result))}
<h2>Early warnings ({len(result.warnings)})</h2>
{_table(warnings_table)}
<h2>Reps</h2>
{_table(reps, numeric=("planned", "done", "late", "missed", "unplanned", "pace", "actual_sales", "sales_ratio"))}
<h2>Cross-region shipments (窜货)</h2>
<p class="note">Red lines run from the dealer to the ship-to address in another region.</p>
{map_fragment("cross-region-map", cross_region_layers(result, data), [("dealer", "#9e9e9e"), ("cross-region shipment", "#c62828")], height="460px")}
{_table(crossings)}
<h2>Dealer credit</h2>
{_table(credit.sort_values("score"), numeric=("score", "limit", "open"))}
</main></body></html>
"""
