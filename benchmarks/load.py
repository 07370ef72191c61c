"""Benchmark: loading and validating scenarios (issue 3: the largest example loads in under 1 s).

    python -m benchmarks.load [--repeat 5] [--scale 100000]

For each bundled example (and, with --scale N, a generated scenario of N accounts), the median time of
`load_scenario` (read, validate every row and cross-check) beside a peer in the same run: plain
`pandas.read_csv`/`read_excel` of the same tables with no validation. The ratio travels between machines.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from salesplan.scenarios import load_scenario

from ._table import print_table

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"


def _median_seconds(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _raw_read(folder: Path) -> None:
    for path in folder.iterdir():
        if path.suffix == ".csv":
            try:
                pd.read_csv(path, encoding="utf-8")
            except UnicodeDecodeError:
                pd.read_csv(path, encoding="gb18030")
        elif path.suffix == ".xlsx":
            pd.read_excel(path)


def generated(folder: Path, accounts: int) -> Path:
    """A scenario with `accounts` accounts, accounts/100 reps and accounts/2000 regions (deterministic)."""
    rng = np.random.default_rng(1)
    regions = max(1, accounts // 2000)
    reps = max(regions, accounts // 100)
    rep_region = np.arange(reps) % regions
    pd.DataFrame(
        {
            "id": [f"R{i}" for i in range(reps)],
            "name": [f"Rep {i}" for i in range(reps)],
            "region": [f"G{g}" for g in rep_region],
            "home_lat": 30 + rep_region * 0.5,
            "home_lon": 110 + rng.random(reps),
            "hours_per_week": 40,
        }
    ).to_csv(folder / "reps.csv", index=False)
    region = rng.integers(0, regions, accounts)
    pd.DataFrame(
        {
            "id": [f"A{i}" for i in range(accounts)],
            "name": [f"客户{i}" for i in range(accounts)],
            "region": [f"G{g}" for g in region],
            "lat": 30 + region * 0.5 + rng.random(accounts) * 0.4,
            "lon": 110 + rng.random(accounts),
            "current_sales": np.round(rng.lognormal(12, 1, accounts)),
            "margin": 0.2,
            "visit_minutes": 60,
        }
    ).to_csv(folder / "accounts.csv", index=False)
    (folder / "scenario.yaml").write_text(
        "name: generated\nhorizon: {start: 2026-01-05, weeks: 13}\ntables: {reps: reps.csv, accounts: accounts.csv}\n"
        "policy: {tiers: {visits: {A: {min: 1, max: 4}, B: {min: 0, max: 2}, C: {min: 0, max: 1}}}}\n",
        encoding="utf-8",
    )
    return folder


def main(argv: list[str] | None = None) -> list[dict[str, object]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--scale", type=int, default=100_000, help="also a generated scenario of N accounts (0: off)"
    )
    parser.add_argument("--quick", action="store_true", help="one repeat, no generated scenario")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    folders = sorted(p for p in EXAMPLES.iterdir() if (p / "scenario.yaml").exists())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.scale and not args.quick:
            folders.append(generated(Path(tmp), args.scale))
        for folder in folders:
            scenario = load_scenario(folder)
            seconds = _median_seconds(lambda f=folder: load_scenario(f), repeat)
            raw = _median_seconds(lambda f=folder: _raw_read(f), repeat)
            rows.append(
                {
                    "instance": folder.name if folder.parent == EXAMPLES else f"generated-{args.scale}",
                    "accounts": len(scenario.accounts),
                    "reps": len(scenario.reps),
                    "opportunities": len(scenario.opportunities),
                    "load_s": round(seconds, 3),
                    "pandas_read_s": round(raw, 3),
                    "ratio": round(seconds / raw, 1) if raw > 1e-3 else None,
                    "target": "< 1 s" if folder.parent == EXAMPLES else "",
                    "ok": (seconds < 1.0) if folder.parent == EXAMPLES else "",
                }
            )
    print_table(
        "Scenario loading (load + validate + cross-check) vs raw pandas read of the same tables", rows, "load"
    )
    return rows


if __name__ == "__main__":
    main()
