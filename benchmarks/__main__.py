"""Run the benchmarks: `python -m benchmarks` lists them, `python -m benchmarks NAME [options]` runs one,
`python -m benchmarks all --quick` runs every one briefly. Each prints a table and writes
benchmarks/results/NAME.csv. Slow runs stay out of the test suite."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "load": "scenario loading and validation (issue 3)",
    "ranking": "opportunity ranking and the portfolio knapsack vs HiGHS (issue 4)",
    "allocation": "call allocation: exact MCKP vs a plain MIP (issue 5)",
    "territory": "territory design on the published and generated districting instances (issue 6)",
    "pvrp": "visit scheduling engine on the 37 PVRP instances (issue 7)",
    "scale": "100,000 accounts planned end to end on a Dask LocalCluster, 1 and 2 workers (issue 8)",
    "fuzz": "random valid scenarios through every command (issue 9)",
    "review": "the quarterly review of 100,000 accounts with 1.5 M visit-log rows (issue 17)",
    "plan": "this plan vs today's sequential chain, examples and 5,000 / 20,000 accounts (One plan, one truth)",
    "schedule": "schedule gaps told apart: bound (proof) vs PyVRP day routes on the same days (issue 18)",
    "tours": "overnight trips vs day trips vs PyVRP week routes on generated dealer tours (Overnight trips)",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "list"):
        print(__doc__)
        for name, text in BENCHMARKS.items():
            print(f"  {name:12} {text}")
        return 0
    name, rest = argv[0], argv[1:]
    names = list(BENCHMARKS) if name == "all" else [name]
    worst = 0
    for each in names:
        if each not in BENCHMARKS:
            print(f"unknown benchmark {each!r}; choose from {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"benchmarks.{each}")
        status = module.main(rest)  # an int is an exit status (e.g. fuzz: 1 on a crash); tables are not
        if isinstance(status, int) and not isinstance(status, bool) and status:
            worst = status
    return worst


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
