"""Territory plan → territories.csv, territory_summary.csv, changes.csv and map.html.

Column names are an interface (issue 6): territories.csv starts account, region, rep, territory, moved,
reason; changes.csv is exactly account, from_rep, to_rep, reason. Deviations are written in percent of
the region's target (the mean territory), hours per month, potential in currency per year.
"""

from __future__ import annotations

import pandas as pd

from ...optimizer.territories.result import AlignmentResult
from ...scenarios.model import Scenario
from .maps import MapLayer, MapLine, MapPoint, colour, map_page

TERRITORY_COLUMNS = ("account", "region", "rep", "territory", "moved", "reason")
CHANGE_COLUMNS = ("account", "from_rep", "to_rep", "reason")


def _pct(share: float) -> float:
    return round(100.0 * share, 1)


def territories_frame(result: AlignmentResult, scenario: Scenario) -> pd.DataFrame:
    """One row per account: its rep and territory, whether it moved and why."""
    accounts, reps = scenario.account_by_id, scenario.rep_by_id
    rows = [
        {
            "account": a.account_id,
            "region": a.region,
            "rep": a.rep_id or "",
            "territory": a.territory,
            "moved": a.moved,
            "reason": a.reason,
            "account_name": accounts[a.account_id].name,
            "rep_name": reps[a.rep_id].name if a.rep_id in reps else "",
            "workload_hours": round(a.workload_hours, 2),
            "potential": round(a.potential, 2),
        }
        for a in result.accounts
    ]
    return pd.DataFrame(
        rows, columns=[*TERRITORY_COLUMNS, "account_name", "rep_name", "workload_hours", "potential"]
    )


def summary_frame(result: AlignmentResult, scenario: Scenario) -> pd.DataFrame:
    """One row per territory: size, workload, potential, travel, deviations now and before.

    workload_hours is the balanced measure (visits × (on-site + hop minutes)); hours_needed = visit_hours +
    travel_estimate_hours (with the round trip from the rep's home) compares with the rep's selling_hours.
    """
    reps = scenario.rep_by_id
    rows = [
        {
            "territory": t.territory,
            "region": t.region,
            "rep": t.rep_id,
            "rep_name": reps[t.rep_id].name if t.rep_id in reps else "",
            "accounts": t.accounts,
            "workload_hours": round(t.workload_hours, 2),
            "workload_deviation_pct": _pct(t.workload_deviation),
            "potential": round(t.potential, 2),
            "potential_deviation_pct": _pct(t.potential_deviation),
            "travel_estimate_hours": round(t.travel_hours, 2),
            "visit_hours": round(t.visit_hours, 2),
            "hours_needed": round(t.visit_hours + t.travel_hours, 2),
            "selling_hours": round(t.selling_hours, 2),
            "road_km_per_month": round(t.distance_km, 1),
            "accounts_before": t.accounts_before,
            "workload_deviation_before_pct": _pct(t.workload_deviation_before),
            "potential_deviation_before_pct": _pct(t.potential_deviation_before),
        }
        for t in result.territories
    ]
    return pd.DataFrame(rows)


def changes_frame(result: AlignmentResult) -> pd.DataFrame:
    """Every account whose rep changes (new accounts have an empty from_rep)."""
    rows = [
        {"account": a.account_id, "from_rep": a.current_rep or "", "to_rep": a.rep_id, "reason": a.reason}
        for a in result.changes()
    ]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def territory_layers(
    result: AlignmentResult, scenario: Scenario
) -> tuple[list[MapLayer], list[tuple[str, str]]]:
    """Map layers (accounts by territory, rep homes, moved accounts) and the legend."""
    accounts, reps = scenario.account_by_id, scenario.rep_by_id
    colours = {t.rep_id: colour(index) for index, t in enumerate(result.territories)}
    plan = MapLayer("accounts by territory")
    homes = MapLayer("rep homes")
    moved = MapLayer("moved accounts")
    for a in result.accounts:
        row = accounts[a.account_id]
        shade = colours.get(a.rep_id or "", "#000000")
        popup = (
            f"{row.name or a.account_id} ({a.account_id})",
            f"rep {a.rep_id or '—'}" + (f" (was {a.current_rep})" if a.moved else ""),
            f"workload {a.workload_hours:.1f} h/month, potential {a.potential:,.0f}",
            a.reason,
        )
        plan.points.append(MapPoint(row.lat, row.lon, shade, 5.0 if not row.is_dealer else 6.0, popup))
        if a.rep_id is not None and a.rep_id != a.current_rep:
            moved.points.append(MapPoint(row.lat, row.lon, "#000000", 10.0, popup, filled=False))
            if a.rep_id in reps:
                home = reps[a.rep_id]
                moved.lines.append(
                    MapLine(
                        ((row.lat, row.lon), (home.home_lat, home.home_lon)), shade, 1.5, popup, dashed=True
                    )
                )
    for t in result.territories:
        rep = reps[t.rep_id]
        homes.points.append(
            MapPoint(
                rep.home_lat,
                rep.home_lon,
                colours[t.rep_id],
                11.0,
                (
                    f"{rep.name or rep.id} ({rep.id}), home",
                    f"territory {t.territory}: {t.accounts} accounts",
                    f"workload {t.workload_hours:.0f} h/month ({_pct(t.workload_deviation):+.1f} % of target)",
                    f"potential {t.potential:,.0f} ({_pct(t.potential_deviation):+.1f} % of target)",
                ),
            )
        )
    legend = [(f"{t.territory} {reps[t.rep_id].name}".strip(), colours[t.rep_id]) for t in result.territories]
    return [plan, homes, moved], legend


def territory_map(result: AlignmentResult, scenario: Scenario) -> str:
    """Self-contained HTML map: accounts coloured by territory, rep homes, moved accounts ringed."""
    layers, legend = territory_layers(result, scenario)
    note = (
        f"{len(result.accounts)} accounts in {len(result.territories)} territories; "
        f"{len(result.changes())} change rep (ringed in black, dashed line to the new rep's home)."
    )
    return map_page(f"Territories — {scenario.name}", layers, legend, note)
