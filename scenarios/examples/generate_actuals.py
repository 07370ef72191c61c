"""Bundled actuals: the plan each example was given, and one quarter of what came back, with planted cases.

    python scenarios/examples/generate.py            # the scenarios, then this
    python scenarios/examples/generate_actuals.py    # only the plans and the actuals

For each example, ``plan/`` holds the tables of its plan (`salesplan plan`, the scenario's seed, default
effort, a wall clock too long to matter, so the same on every machine) and ``actuals/`` one quarter of
visit log, shipments, receivables, opportunity status and dealer profiles drawn around that plan:

* visits happen as planned (start ± 15 min, minutes ± 10 %); 3 % of lower-tier visits are missed at random
  and 3 % are done 3–5 days late; top-tier visits are never missed;
* every account buys its plan pace ± 5 % in regular orders every 7, 10 or 14 days, invoiced with 30 days to
  pay and paid 7 days after the invoice (dealers ship to their own address);
* planted (listed in ``actuals/planted.json``): a rep behind plan (misses 40 % of its visits to lower-tier
  accounts, its accounts buy 80 % of pace); a rep with unplanned visits (to accounts of its territory that
  the plan does not visit); a churning account (orders halve after five weeks and stop in week eight,
  35 % of pace in all); an account with overdue receivables (two invoices unpaid); an account over its
  credit limit (a large order ten days before the end, not yet due, credit class C); and, in the dealer
  network, two cross-region shipments (two dealers ship one regular order into a neighbouring region).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PLAN_FILES = (
    "territories.csv",
    "allocation.csv",
    "visits.csv",
    "opportunities.csv",
    "changes.csv",
    "summary.json",
)
SEEDS = {"bank-key-accounts": 20260201, "dealer-network": 20260202, "electronics-distributor": 20260203}


def _write(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode(encoding))


def plan_example(name: str) -> Path:
    """Plan the example into ``plan/`` (only the tables the review and rollover read)."""
    from salesplan.cli.main import main

    target = HERE / name / "plan"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan"
        try:
            main(["plan", str(HERE / name), "-o", str(out), "--no-timings", "--time-limit", "3600"])
        except SystemExit as exc:
            if exc.code:
                raise
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        for file in PLAN_FILES:
            shutil.copyfile(out / file, target / file)
    return target


def _clock(text: pd.Series) -> np.ndarray:
    parts = text.astype(str).str.extract(r"(\d{2}):(\d{2})")
    return (parts[0].astype(int) * 60 + parts[1].astype(int)).to_numpy()


def actuals_for(name: str, encoding: str = "utf-8") -> None:
    """Draw the quarter's actuals around ``plan/`` and write ``actuals/`` (see the module docstring)."""
    import yaml

    rng = np.random.default_rng(SEEDS[name])
    folder = HERE / name
    plan = folder / "plan"
    config = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    start = pd.Timestamp(config["horizon"]["start"])
    weeks = int(config["horizon"].get("weeks", 13))
    end = start + pd.Timedelta(days=7 * weeks - 1)
    days = (end - start).days + 1
    visits = pd.read_csv(plan / "visits.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    territories = pd.read_csv(
        plan / "territories.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    allocation = pd.read_csv(
        plan / "allocation.csv",
        keep_default_na=False,
        encoding="utf-8-sig",
        dtype={"account": str, "rep": str, "tier": str},
    )
    opportunities = pd.read_csv(
        plan / "opportunities.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    accounts_file = config["tables"]["accounts"]
    if accounts_file.split("#")[0].endswith(".xlsx"):
        path, _, sheet = accounts_file.partition("#")
        accounts = pd.read_excel(folder / path, sheet_name=sheet or 0, dtype={"id": str})
    else:
        accounts = pd.read_csv(folder / accounts_file, encoding=encoding, dtype={"id": str})
    is_dealer = (
        accounts["is_dealer"].astype(bool)
        if "is_dealer" in accounts
        else pd.Series(False, index=accounts.index)
    )
    top = next(iter(config["policy"]["tiers"]["visits"]))
    tier = dict(zip(allocation["account"], allocation["tier"], strict=True))
    rep_of = dict(zip(territories["account"], territories["rep"], strict=True))
    reps = sorted(set(territories["rep"]) - {""})
    planted: dict[str, object] = {}

    # --- visits -------------------------------------------------------------------------------------
    visits["date"] = pd.to_datetime(visits["date"].str.slice(0, 10))
    visits["start_min"] = _clock(visits["start"])
    visits["minutes"] = _clock(visits["end"]) - visits["start_min"]
    lower = visits["account"].map(tier).ne(top).to_numpy()
    by_rep = visits.groupby("rep").size()
    lower_by_rep = visits[lower].groupby("rep").size()
    behind = max(reps, key=lambda r: (lower_by_rep.get(r, 0) / max(by_rep.get(r, 1), 1), r))
    planted["rep_behind_plan"] = behind
    noise = rng.random(len(visits))
    missed = lower & (noise < 0.03)
    rep_lower = np.flatnonzero(lower & (visits["rep"] == behind).to_numpy())
    count = int(np.ceil(0.4 * by_rep[behind]))
    missed[rng.choice(rep_lower, size=min(count, len(rep_lower)), replace=False)] = True
    late = (
        lower
        & ~missed
        & (rng.random(len(visits)) < 0.03)
        & (visits["date"] <= end - pd.Timedelta(days=6)).to_numpy()
    )
    done = visits[~missed].copy()
    shift = np.where(late[~missed], rng.integers(3, 6, size=len(done)), 0)
    done["date"] = done["date"] + pd.to_timedelta(shift, unit="D")
    start_min = done["start_min"].to_numpy() + rng.integers(-15, 16, size=len(done))
    minutes = np.round(done["minutes"].to_numpy() * rng.uniform(0.9, 1.1, size=len(done)))
    log = pd.DataFrame(
        {
            "rep": done["rep"],
            "account": done["account"],
            "date": done["date"].dt.strftime("%Y-%m-%d"),
            "start": [f"{m // 60:02d}:{m % 60:02d}" for m in start_min],
            "minutes": minutes.astype(int),
            "outcome": rng.choice(["order", "follow-up", "relationship", "collection"], size=len(done)),
        }
    )
    others = [r for r in reps if r != behind]
    visited = set(visits["account"])
    free = territories[(territories["rep"].isin(others)) & ~territories["account"].isin(visited)]
    unplanned_rep = max(others, key=lambda r: ((free["rep"] == r).sum(), r))
    planted["unplanned_visits"] = unplanned_rep
    targets = (
        free.loc[free["rep"] == unplanned_rep, "account"].tolist()
        or territories.loc[territories["rep"] == unplanned_rep, "account"].tolist()
    )
    extra = int(np.ceil(0.2 * by_rep.get(unplanned_rep, 10))) + 2
    extra_dates = start + pd.to_timedelta(rng.integers(0, days - 7, size=extra), unit="D")
    extra_dates = [d - pd.Timedelta(days=max(0, d.weekday() - 4)) for d in extra_dates]  # on a working day
    unplanned = pd.DataFrame(
        {
            "rep": unplanned_rep,
            "account": rng.choice(targets, size=extra),
            "date": [d.strftime("%Y-%m-%d") for d in extra_dates],
            "start": "15:00",
            "minutes": 45,
            "outcome": "unplanned call",
        }
    )
    log = pd.concat([log, unplanned], ignore_index=True).sort_values(["date", "rep", "start"], kind="stable")

    # --- shipments and receivables -------------------------------------------------------------------
    expected = dict(zip(allocation["account"], allocation["expected_sales"].astype(float), strict=True))
    position = {
        a: (la, lo) for a, la, lo in zip(accounts["id"], accounts["lat"], accounts["lon"], strict=True)
    }
    region_of = dict(zip(accounts["id"], accounts["region"], strict=True))
    candidates = [
        a
        for a in accounts["id"]
        if rep_of.get(a) not in ("", behind, unplanned_rep)
        and expected.get(a, 0) > 0
        and (visits["account"] == a).sum() >= 2
        and (log["account"] == a).sum() >= 2
    ]
    rep_pace = pd.Series(expected).groupby(pd.Series(rep_of)).sum()
    share = {a: expected[a] / rep_pace[rep_of[a]] for a in candidates}
    churning = min(candidates, key=lambda a: (share[a], a))  # its rep's total stays on pace
    rest = [a for a in candidates if a != churning]
    overdue, over_limit = (rest[i] for i in sorted(rng.choice(len(rest), size=2, replace=False)))
    planted |= {"churning_account": churning, "overdue_receivables": overdue, "over_credit_limit": over_limit}
    dealers = [
        a
        for a, d in zip(accounts["id"], is_dealer, strict=True)
        if d and a not in (churning, overdue, over_limit)
    ]
    crossing: dict[str, str] = {}
    if dealers:
        for dealer in rng.choice(dealers, size=2, replace=False):
            neighbours = [a for a in accounts["id"] if region_of[a] != region_of[dealer]]
            near = min(
                neighbours,
                key=lambda a: (
                    (position[a][0] - position[dealer][0]) ** 2 + (position[a][1] - position[dealer][1]) ** 2
                ),
            )
            crossing[str(dealer)] = near
        planted["cross_region_shipments"] = {d: region_of[n] for d, n in crossing.items()}
    ship_rows: list[dict[str, object]] = []
    invoice_rows: list[dict[str, object]] = []
    as_of = end
    for account in accounts["id"]:
        pace = expected.get(account, 0.0) * days / 365.0
        if pace <= 0:
            continue
        every = int(rng.choice([7, 10, 14]))
        first = int(rng.integers(0, every))
        dates = [start + pd.Timedelta(days=first + k * every) for k in range((days - 1 - first) // every + 1)]
        weights = rng.uniform(0.95, 1.05, size=len(dates))
        total = pace * (0.80 if rep_of.get(account) == behind else 1.0) * rng.uniform(0.95, 1.05)
        if account == churning:  # full orders for five weeks, half until week seven, then none
            weights = np.array(
                [
                    1.0
                    if d < start + pd.Timedelta(days=35)
                    else 0.5
                    if d < start + pd.Timedelta(days=50)
                    else 0.0
                    for d in dates
                ]
            )
            total = pace * 0.35
        amounts = total * weights / weights.sum()
        cross_at = int(rng.integers(1, max(2, len(dates) - 1))) if str(account) in crossing else -1
        for k, (date, amount) in enumerate(zip(dates, amounts, strict=True)):
            if amount <= 0:
                continue
            lat, lon = position[account]
            if k == cross_at:
                lat, lon = position[crossing[str(account)]]
            lat += rng.normal(0, 0.002)
            lon += rng.normal(0, 0.002)
            order = f"SO{len(ship_rows) + 1:06d}"
            ship_rows.append(
                {
                    "account": account,
                    "date": date.strftime("%Y-%m-%d"),
                    "amount": round(float(amount), 2),
                    "quantity": round(float(amount) / 2500.0, 1),
                    "ship_to_lat": round(lat, 5),
                    "ship_to_lon": round(lon, 5),
                    "order": order,
                }
            )
            due = date + pd.Timedelta(days=30)
            paid = round(float(amount), 2) if date + pd.Timedelta(days=7) <= as_of else 0.0
            if account == overdue and k in (1, 3):
                paid = 0.0
            invoice_rows.append(
                {
                    "account": account,
                    "invoice": f"INV{len(invoice_rows) + 1:06d}",
                    "date": date.strftime("%Y-%m-%d"),
                    "due_date": due.strftime("%Y-%m-%d"),
                    "amount": round(float(amount), 2),
                    "paid": paid,
                }
            )
        if account == over_limit:
            date = as_of - pd.Timedelta(days=10)
            amount = round(float(expected[account]) / 12.0 * 1.5, 2)
            ship_rows.append(
                {
                    "account": account,
                    "date": date.strftime("%Y-%m-%d"),
                    "amount": amount,
                    "quantity": round(amount / 2500.0, 1),
                    "ship_to_lat": round(position[account][0], 5),
                    "ship_to_lon": round(position[account][1], 5),
                    "order": f"SO{len(ship_rows) + 1:06d}",
                }
            )
            invoice_rows.append(
                {
                    "account": account,
                    "invoice": f"INV{len(invoice_rows) + 1:06d}",
                    "date": date.strftime("%Y-%m-%d"),
                    "due_date": (date + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
                    "amount": amount,
                    "paid": 0.0,
                }
            )
    shipments = pd.DataFrame(ship_rows).sort_values(["date", "account"], kind="stable")
    receivables = pd.DataFrame(invoice_rows).sort_values(["date", "account"], kind="stable")

    # --- opportunity status and dealer profiles --------------------------------------------------------
    chosen = opportunities["selected"].str.lower().eq("true")
    draw = rng.random(len(opportunities))
    status = np.where(
        chosen,
        np.where(draw < 0.4, "won", np.where(draw < 0.6, "lost", "open")),
        np.where(draw < 0.05, "won", "open"),
    )
    size = pd.to_numeric(opportunities["size"], errors="coerce").fillna(0.0)
    opportunity_status = pd.DataFrame(
        {
            "opportunity": opportunities["opportunity"],
            "status": status,
            "date": np.where(status == "open", "", end.strftime("%Y-%m-%d")),
            "amount": np.where(status == "won", np.round(size * rng.uniform(0.8, 1.1, len(size)), 2), ""),
        }
    )
    rated = sorted(set(receivables["account"]))
    profile = pd.DataFrame(
        {
            "account": rated,
            "local": True,
            "years_in_business": rng.integers(3, 25, len(rated)),
            "sales_growth_3y": np.round(rng.uniform(0.1, 0.6, len(rated)), 2),
            "arrears_elsewhere": rng.choice(["none", "benign"], size=len(rated), p=[0.8, 0.2]),
            "our_share": np.round(rng.uniform(0.3, 0.8, len(rated)), 2),
            "bad_habits": False,
        }
    )
    strong = profile["account"] == overdue
    profile.loc[strong, ["years_in_business", "sales_growth_3y", "arrears_elsewhere", "our_share"]] = [
        12,
        0.45,
        "none",
        0.7,
    ]
    weak = profile["account"] == over_limit
    profile.loc[
        weak,
        ["local", "years_in_business", "sales_growth_3y", "arrears_elsewhere", "our_share", "bad_habits"],
    ] = [False, 2, 0.05, "serious", 0.2, False]

    out = folder / "actuals"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    (out / "actuals.yaml").write_text(
        "# What came back after the quarter of ../plan (see ../../generate_actuals.py for what is planted).\n"
        f"scenario: ../scenario.yaml\nas_of: {end.strftime('%Y-%m-%d')}\n"
        "tables:\n  visits: visits.csv\n  shipments: shipments.csv\n  receivables: receivables.csv\n"
        "  opportunities: opportunities.csv\n  dealers: dealers.csv\n",
        encoding="utf-8",
    )
    _write(log, out / "visits.csv", encoding)
    _write(shipments, out / "shipments.csv", encoding)
    _write(receivables, out / "receivables.csv", encoding)
    _write(opportunity_status, out / "opportunities.csv", encoding)
    _write(profile, out / "dealers.csv", encoding)
    (out / "planted.json").write_text(
        json.dumps(planted, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def main(names: list[str]) -> None:
    for name in names or list(SEEDS):
        plan_example(name)
        actuals_for(name, "gb18030" if name == "dealer-network" else "utf-8")
        print("plan and actuals written to", HERE / name)


if __name__ == "__main__":
    main(sys.argv[1:])
