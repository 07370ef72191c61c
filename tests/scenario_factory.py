"""Random valid scenarios for fuzzing (hypothesis), written as real scenario folders.

Shared by the fuzz tests (a few dozen examples) and benchmarks/fuzz.py (a thousand or more).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import strategies as st

CITIES = [
    (31.23, 121.47),
    (39.90, 116.40),
    (23.13, 113.26),
    (30.57, 104.07),
    (34.26, 108.94),
    (36.07, 120.38),
]


@st.composite
def scenario_specs(draw: st.DrawFn, max_accounts: int = 25, max_weeks: int = 3) -> dict[str, Any]:
    """A dict describing a valid scenario: regions, reps, accounts, opportunities, policy."""
    n_regions = draw(st.integers(1, 3))
    regions = [f"G{k}" for k in range(n_regions)]
    reps: list[dict[str, Any]] = []
    accounts: list[dict[str, Any]] = []
    for k, region in enumerate(regions):
        lat0, lon0 = CITIES[draw(st.integers(0, len(CITIES) - 1))]
        for j in range(draw(st.integers(1, 3))):
            reps.append(
                {
                    "id": f"R{k}{j}",
                    "name": f"代表{k}{j}",
                    "region": region,
                    "home_lat": round(lat0 + draw(st.floats(-0.2, 0.2)), 4),
                    "home_lon": round(lon0 + draw(st.floats(-0.2, 0.2)), 4),
                    "hours_per_week": draw(st.sampled_from([20, 30, 40, 45])),
                    "selling_share": draw(st.sampled_from([0.3, 0.45, 0.6, 0.8])),
                }
            )
        region_reps = [r["id"] for r in reps if r["region"] == region]
        for i in range(draw(st.integers(1, max_accounts))):
            sales = draw(st.one_of(st.just(0.0), st.floats(1e3, 5e7)))
            accounts.append(
                {
                    "id": f"A{k}-{i}",
                    "name": draw(st.sampled_from(["客户", "Kunde", "=SUM(A1)", "Acme <b>", "店"])) + str(i),
                    "region": region,
                    "lat": round(lat0 + draw(st.floats(-0.3, 0.3)), 5),
                    "lon": round(lon0 + draw(st.floats(-0.3, 0.3)), 5),
                    "current_sales": round(sales, 2),
                    "potential": round(sales * draw(st.floats(1.0, 2.0)), 2) if draw(st.booleans()) else None,
                    "margin": draw(st.one_of(st.none(), st.floats(0.02, 0.6))),
                    "visit_minutes": draw(st.sampled_from([30, 45, 60, 90])),
                    "current_rep": draw(st.one_of(st.none(), st.sampled_from(region_reps))),
                    "current_visits_per_month": draw(st.one_of(st.none(), st.integers(0, 4))),
                    "visit_days": draw(st.one_of(st.none(), st.just("mon;wed;fri"), st.just("tue;thu"))),
                    "is_dealer": draw(st.booleans()),
                }
            )
    opportunities = []
    for o in range(draw(st.integers(0, 20))):
        account = accounts[draw(st.integers(0, len(accounts) - 1))]
        opportunities.append(
            {
                "id": f"O{o}",
                "account": account["id"],
                "type": draw(st.sampled_from(["upsell", "cross_sell", "price_mix", "new_customer", "prune"])),
                "size": round(draw(st.floats(0, 1e6)), 2),
                "probability": round(draw(st.floats(0, 1)), 3),
                "effort_hours": draw(st.sampled_from([1, 4, 10, 40])),
            }
        )
    visits = {
        "A": (draw(st.integers(0, 3)), 4),
        "B": (draw(st.integers(0, 2)), 3),
        "C": (0, draw(st.integers(1, 2))),
    }
    return {
        "reps": reps,
        "accounts": accounts,
        "opportunities": opportunities,
        "weeks": draw(st.integers(1, max_weeks)),
        "start": dt.date(2026, 1, 5) + dt.timedelta(weeks=draw(st.integers(0, 40))),
        "visits": visits,
        "tolerance": draw(st.sampled_from([0.1, 0.25, 0.5, None])),
        "moved": draw(st.sampled_from([0.0, 0.2, 1.0])),
        "seed": draw(st.integers(0, 1000)),
    }


def write_scenario(spec: dict[str, Any], folder: Path) -> Path:
    """Write a spec from :func:`scenario_specs` as scenario.yaml + CSV tables; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(spec["reps"]).to_csv(folder / "reps.csv", index=False)
    pd.DataFrame(spec["accounts"]).to_csv(folder / "accounts.csv", index=False)
    tables = "  reps: reps.csv\n  accounts: accounts.csv\n"
    if spec["opportunities"]:
        pd.DataFrame(spec["opportunities"]).to_csv(folder / "opportunities.csv", index=False)
        tables += "  opportunities: opportunities.csv\n"
    visits = "\n".join(f"      {t}: {{min: {lo}, max: {hi}}}" for t, (lo, hi) in spec["visits"].items())
    tolerance = "null" if spec["tolerance"] is None else spec["tolerance"]
    (folder / "scenario.yaml").write_text(
        f"name: fuzz\nhorizon:\n  start: {spec['start']}\n  weeks: {spec['weeks']}\ntables:\n{tables}"
        f"policy:\n  tiers:\n    visits:\n{visits}\n"
        f"  balance: {{workload_tolerance: {tolerance}, potential_tolerance: null}}\n"
        f"  reassignment: {{max_moved_share: {spec['moved']}}}\n"
        f"  solver: {{time_limit_seconds: 5, seed: {spec['seed']}}}\n",
        encoding="utf-8",
    )
    return folder
