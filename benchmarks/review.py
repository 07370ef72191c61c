"""The quarterly review at scale: 100,000 accounts, a quarter of visit logs (about 1.5 M rows), shipments
and receivables (issue 17).

    python -m benchmarks review [--accounts 100000] [--quick]

Generated data (seeded): 500 reps in 10 regions; 100,000 accounts with 0.5–8 planned visits a month
(≈ 1.5 M planned visits in 13 weeks), a visit log that follows them (3 % missed, 3 % late, 2 % unplanned),
an order every 7–28 days per account (≈ 650 k shipments, 1 % shipped into another region) and an invoice
per order. Timed: writing nothing, **loading** the three large tables from CSV through the same
validation as `salesplan review` (`scenarios.actuals.load_actuals`), and the **review** itself
(`salesplan.review.review`: matching, pace, churn, ageing, credit, cross-region, warnings), with pandas.
In the same run, the visit matching — the largest step — is also timed in DuckDB where it is installed
(`pip install duckdb`), as a rank-paired SQL join, for comparison. Target: load + review ≤ 30 s on 2 cores.
Wall seconds depend on what else the machine runs (the load average is printed); CPU seconds do not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ._table import print_table

START = dt.date(2026, 4, 6)
WEEKS = 13


def generate(accounts: int, seed: int = 17) -> dict[str, pd.DataFrame]:
    """Plan and actuals frames (see the module docstring)."""
    rng = np.random.default_rng(seed)
    reps = max(1, accounts // 200)
    regions = 10
    ids = np.char.add("A", np.arange(accounts).astype(str))
    rep_ids = np.char.add("R", np.arange(reps).astype(str))
    rep_of = rng.integers(0, reps, accounts)
    region_of_rep = np.arange(reps) % regions
    lat = 30 + region_of_rep[rep_of] + rng.uniform(0, 0.9, accounts)
    lon = 110 + rng.uniform(0, 5, accounts)
    sales = np.round(rng.lognormal(13, 1.2, accounts), 2)
    per_month = rng.choice([1, 2, 4, 8, 12], size=accounts, p=[0.15, 0.25, 0.3, 0.2, 0.1])
    days = 7 * WEEKS
    count = rng.poisson(per_month * days * 12 / 365)
    owner = np.repeat(np.arange(accounts), count)
    planned_day = rng.integers(0, days, len(owner))
    start = pd.Timestamp(START)
    planned = pd.DataFrame(
        {
            "rep": rep_ids[rep_of[owner]],
            "account": ids[owner],
            "date": start + pd.to_timedelta(planned_day, unit="D"),
            "minutes": 60.0,
        }
    )
    draw = rng.random(len(owner))
    kept = draw >= 0.03
    shift = np.where(rng.random(len(owner)) < 0.03, rng.integers(3, 6, len(owner)), 0)
    visits = pd.DataFrame(
        {
            "rep": planned["rep"][kept],
            "account": planned["account"][kept],
            "date": (planned["date"] + pd.to_timedelta(shift, unit="D"))[kept].dt.strftime("%Y-%m-%d"),
            "start": "09:30",
            "minutes": rng.integers(30, 90, int(kept.sum())),
            "outcome": "order",
        }
    )
    extra = int(0.02 * len(visits))
    pick = rng.integers(0, accounts, extra)
    visits = pd.concat(
        [
            visits,
            pd.DataFrame(
                {
                    "rep": rep_ids[rep_of[pick]],
                    "account": ids[pick],
                    "date": (start + pd.to_timedelta(rng.integers(0, days, extra), unit="D")).strftime(
                        "%Y-%m-%d"
                    ),
                    "start": "14:00",
                    "minutes": 45,
                    "outcome": "unplanned",
                }
            ),
        ],
        ignore_index=True,
    )
    every = rng.choice([7, 14, 21, 28], size=accounts)
    orders = (days // every) + 1
    buyer = np.repeat(np.arange(accounts), orders)
    k = np.concatenate([np.arange(n) for n in orders])
    order_day = np.minimum(rng.integers(0, 7, len(buyer)) + k * every[buyer], days - 1)
    amount = np.round(sales[buyer] * every[buyer] / 365 * rng.uniform(0.9, 1.1, len(buyer)), 2)
    across = rng.random(len(buyer)) < 0.01
    ship_lat = np.where(across, lat[buyer] + 1.0, lat[buyer])
    order_date = start + pd.to_timedelta(order_day, unit="D")
    shipments = pd.DataFrame(
        {
            "account": ids[buyer],
            "date": order_date.strftime("%Y-%m-%d"),
            "amount": amount,
            "quantity": np.round(amount / 1000, 1),
            "ship_to_lat": np.round(ship_lat, 5),
            "ship_to_lon": np.round(lon[buyer], 5),
        }
    )
    paid = np.where(
        order_day + 30 < days - 5, amount, np.where(rng.random(len(buyer)) < 0.5, 0.0, amount / 2)
    )
    receivables = pd.DataFrame(
        {
            "account": ids[buyer],
            "invoice": np.char.add("I", np.arange(len(buyer)).astype(str)),
            "date": order_date.strftime("%Y-%m-%d"),
            "due_date": (order_date + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
            "amount": amount,
            "paid": np.round(paid, 2),
        }
    )
    accounts_frame = pd.DataFrame(
        {
            "account": ids,
            "name": ids,
            "region": np.char.add("G", region_of_rep[rep_of].astype(str)),
            "lat": lat,
            "lon": lon,
            "is_dealer": rng.random(accounts) < 0.5,
            "current_sales": sales,
            "rep": rep_ids[rep_of],
            "tier": np.where(per_month >= 4, "A", "B"),
            "min_visits": np.where(per_month >= 4, 2.0, 0.0),
            "visits_per_month": per_month,
            "expected_sales": sales,
        }
    )
    reps_frame = pd.DataFrame(
        {"rep": rep_ids, "name": rep_ids, "region": np.char.add("G", region_of_rep.astype(str))}
    )
    return {
        "accounts": accounts_frame,
        "reps": reps_frame,
        "planned": planned,
        "visits": visits,
        "shipments": shipments,
        "receivables": receivables,
    }


def _duckdb_matching(planned: pd.DataFrame, visits: pd.DataFrame) -> float | None:
    """Seconds for a rank-paired match of planned and actual visits in DuckDB (None without DuckDB)."""
    try:
        import duckdb
    except ImportError:
        return None
    clock = time.perf_counter()
    con = duckdb.connect()
    con.register("planned", planned)
    con.register("visits", visits)
    con.execute("""
        WITH p AS (SELECT rep, account, date AS pdate, row_number() OVER (PARTITION BY rep, account ORDER BY date) AS k FROM planned),
             a AS (SELECT rep, account, date AS adate, row_number() OVER (PARTITION BY rep, account ORDER BY date) AS k FROM visits)
        SELECT coalesce(p.rep, a.rep) AS rep, count(p.pdate) AS planned, count(p.pdate) FILTER (WHERE a.adate IS NOT NULL) AS done,
               count(a.adate) FILTER (WHERE p.pdate IS NULL) AS unplanned
        FROM p FULL OUTER JOIN a USING (rep, account, k) GROUP BY 1""").fetchall()
    return time.perf_counter() - clock


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks review")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 accounts")
    args = parser.parse_args(argv)
    n = 10_000 if args.quick else args.accounts
    from salesplan.review import ReviewData, check, review
    from salesplan.review.data import rules_from
    from salesplan.scenarios.actuals import load_actuals
    from salesplan.scenarios.actuals_model import ReviewPolicy

    frames = generate(n)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("visits", "shipments", "receivables"):
            frames[name].to_csv(folder / f"{name}.csv", index=False)
        clock, cpu = time.perf_counter(), time.process_time()
        actuals = load_actuals(folder)
        load_seconds, load_cpu = time.perf_counter() - clock, time.process_time() - cpu
    empty = pd.DataFrame(columns=["opportunity", "status", "amount"])
    data = ReviewData(
        name="benchmark",
        currency="CNY",
        start=START,
        end=START + dt.timedelta(days=7 * WEEKS - 1),
        as_of=START + dt.timedelta(days=7 * WEEKS - 1),
        rules=rules_from(ReviewPolicy(), "A"),
        accounts=frames["accounts"],
        reps=frames["reps"],
        planned=frames["planned"],
        visits=actuals.frames["visits"],
        shipments=actuals.frames["shipments"],
        receivables=actuals.frames["receivables"],
        status=empty,
        profiles=pd.DataFrame(columns=["account"]),
        opportunities=pd.DataFrame(columns=["opportunity", "account", "rep", "expected_value", "selected"]),
        sources={"visits": "visits.csv", "shipments": "shipments.csv"},
    )
    clock, cpu = time.perf_counter(), time.process_time()
    result = review(data)
    review_seconds, review_cpu = time.perf_counter() - clock, time.process_time() - cpu
    assert check(result) == []
    duck = _duckdb_matching(frames["planned"], actuals.frames["visits"])
    from salesplan.review.problem import ReviewProblem
    from salesplan.review.visits import match_visits

    clock = time.perf_counter()
    match_visits(ReviewProblem.from_data(data))
    pandas_matching = time.perf_counter() - clock
    rows.append(
        {
            "accounts": n,
            "planned visits": len(frames["planned"]),
            "visit log rows": len(frames["visits"]),
            "shipments": len(frames["shipments"]),
            "receivables": len(frames["receivables"]),
            "load s (pandas)": round(load_seconds, 1),
            "review s (pandas)": round(review_seconds, 1),
            "total s": round(load_seconds + review_seconds, 1),
            "load CPU s": round(load_cpu, 1),
            "review CPU s": round(review_cpu, 1),
            "total CPU s": round(load_cpu + review_cpu, 1),
            "matching s (pandas)": round(pandas_matching, 1),
            "matching s (DuckDB)": "not installed" if duck is None else round(duck, 1),
            "warnings": len(result.warnings),
            "within 30 s": load_seconds + review_seconds <= 30,
            "load average": round(os.getloadavg()[0], 1),
        }
    )
    print_table("Quarterly review at scale (pandas engine)", rows, "review")
