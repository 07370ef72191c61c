"""The territory plan on a map: map.html (the tables are the result's frames)."""

from __future__ import annotations

from ...optimizer.data import PlanData
from ...optimizer.territories.result import TerritoryResult
from .maps import MapLayer, MapLine, MapPoint, colour, map_page


def territory_layers(result: TerritoryResult, data: PlanData) -> tuple[list[MapLayer], list[tuple[str, str]]]:
    """Map layers (accounts by territory, rep homes, moved accounts) and the legend."""
    accounts, reps = data.account_by_id, data.rep_by_id
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


def territory_map(result: TerritoryResult, data: PlanData) -> str:
    """Self-contained HTML map: accounts coloured by territory, rep homes, moved accounts ringed."""
    layers, legend = territory_layers(result, data)
    note = (
        f"{len(result.accounts)} accounts in {len(result.territories)} territories; "
        f"{len(result.changes())} change rep (ringed in black, dashed line to the new rep's home)."
    )
    return map_page(f"Territories — {data.name}", layers, legend, note)


def _pct(share: float) -> float:
    return round(100.0 * share, 1)
