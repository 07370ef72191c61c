"""Territory design benchmark (issue 6) on ../shared/benchmarks/territory/ (see its README).

published/  ten DL instances of Gliesch, Ritt & Moreira (2018), 1,000–10,000 units: minimise the largest
            territory diameter, 3 activities within ±5 %, connected territories; reference = best
            published value (MATS).
generated/  ten sales-like instances: minimise D = Σ distance of each unit to its territory's centre unit
            (p-median), same rules; reference = best feasible D found by a separate solver (an upper
            bound, not an optimum; empty for the two large clustered instances), and its lower bound.
Each instance is converted here to the engine's model, solved, and the plan re-checked with
``check_plan``; the table gives the engine's proven lower bound, its gap (objective / bound − 1) and the
method that gave it (bound_method: lp, lagrangian, exact model, or the geometry part for the diameter —
lens clique, gathering radius, p + 1 units apart, locked units). A peer runs on the same instances:
k-means on the coordinates, then a greedy balance repair over boundary moves that keep territories
connected.

Run: python -m benchmarks territory [--time-limit S] [--instances TEXT] [--quick] [--restarts N]
Writes benchmarks/results/territory.csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

if __package__ in (None, ""):  # run as a script: python benchmarks/territory.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks._table import print_table
else:
    from ._table import print_table
from salesplan.optimizer.result import SolverOptions
from salesplan.optimizer.territories.districting import (
    TerritoryProblem,
    TerritorySettings,
    check_plan,
    solve_territories,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "benchmarks" / "territory"


def read_instance(path: Path, published: bool) -> TerritoryProblem:
    """One instance file as the engine's model (README format; published files carry an unused field)."""
    tok = path.read_text().split()
    n = int(tok[0])
    rows = np.array(tok[1 : 1 + 6 * n], dtype=float).reshape(n, 6)
    at = 1 + 6 * n
    m = int(tok[at])
    edges = np.array(tok[at + 1 : at + 1 + 2 * m], dtype=np.int64).reshape(m, 2)
    tail = tok[at + 1 + 2 * m :]
    p = int(tail[0])
    tolerance = tuple(float(t) for t in (tail[2:5] if published else tail[1:4]))
    return TerritoryProblem(
        xy=rows[:, 1:3],
        activity=rows[:, 3:6],
        tolerance=tolerance,
        p=p,
        objective="diameter" if published else "median",
        edges=edges,
        contiguous=True,
        measure_names=("customers", "sales", "workload"),
    )


def references(published: bool) -> dict[str, dict[str, str]]:
    name = "published/best_known.csv" if published else "generated/reference.csv"
    with (DATA / name).open(encoding="utf-8") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


# ---------------------------------------------------------------- peer: k-means + balance repair
def _components(problem: TerritoryProblem, assign: np.ndarray) -> np.ndarray:
    u, v = problem.edges[:, 0], problem.edges[:, 1]
    same = assign[u] == assign[v]
    graph = coo_matrix((np.ones(int(same.sum())), (u[same], v[same])), shape=(problem.n, problem.n))
    return connected_components(graph, directed=False)[1]


def _make_connected(problem: TerritoryProblem, assign: np.ndarray) -> np.ndarray:
    """Keep each cluster's largest connected part; hand the other parts to a neighbouring cluster."""
    assign = assign.copy()
    for _ in range(problem.n):
        label = _components(problem, assign)
        keep = {}
        for k in range(problem.p):
            parts, counts = np.unique(label[assign == k], return_counts=True)
            if len(parts):
                keep[k] = parts[np.argmax(counts)]
        stray = np.array([keep.get(assign[i]) != label[i] for i in range(problem.n)])
        if not stray.any():
            return assign
        for a, b in problem.edges:  # each stray unit joins a neighbour's cluster
            for s, t in ((a, b), (b, a)):
                if stray[s] and not stray[t]:
                    assign[s] = assign[t]
                    stray[s] = False
    return assign


def _excess(totals: np.ndarray, mu: np.ndarray, tol: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, np.abs(totals - mu) - tol * mu) / mu


def kmeans_peer(problem: TerritoryProblem, seed: int) -> np.ndarray:
    """k-means clusters on the coordinates, then ``balance_repair``."""
    _, label = kmeans2(problem.xy, problem.p, minit="++", seed=seed)
    return balance_repair(problem, label.astype(np.int64))


def balance_repair(problem: TerritoryProblem, start: np.ndarray, max_moves: int = 4000) -> np.ndarray:
    """Make the clusters connected, then move boundary units, best first, while the imbalance falls."""
    assign = _make_connected(problem, start)
    mu, tol, act = problem.targets, problem.tolerance_array, problem.activity
    arcs = np.vstack([problem.edges, problem.edges[:, ::-1]])
    for _ in range(max_moves):
        totals = np.zeros((problem.p, problem.m))
        np.add.at(totals, assign, act)
        if _excess(totals, mu, tol).sum() <= 1e-12:
            break
        u, dst = arcs[:, 0], assign[arcs[:, 1]]
        src = assign[u]
        cand = src != dst
        u, src, dst = u[cand], src[cand], dst[cand]
        delta = (
            _excess(totals[src] - act[u], mu, tol)
            - _excess(totals[src], mu, tol)
            + _excess(totals[dst] + act[u], mu, tol)
            - _excess(totals[dst], mu, tol)
        ).sum(axis=1)
        moved = False
        for c in np.argsort(delta, kind="stable")[:50]:
            if delta[c] >= -1e-12:
                break
            trial = assign.copy()
            trial[u[c]] = dst[c]
            rest = np.flatnonzero(trial == src[c])
            if len(rest) and len(np.unique(_components(problem, trial)[rest])) == 1:
                assign, moved = trial, True
                break
        if not moved:
            break
    return assign


# ---------------------------------------------------------------- the run
def _gap(value: float | None, reference: float | None) -> str:
    if value is None or reference is None or not np.isfinite(value) or reference <= 0:
        return ""
    return f"{100 * (value / reference - 1):.2f}%"


def run_instance(
    path: Path,
    published: bool,
    ref: dict[str, str],
    seconds: float,
    restarts: int,
    workers: int,
    seed: int,
    mapper: Any = None,
) -> list[dict[str, Any]]:
    problem = read_instance(path, published)
    reference = float(ref["best_known_diameter"] if published else ref["best_feasible_D"] or "nan")
    reference_value = reference if np.isfinite(reference) else None
    rows = []
    started = time.monotonic()
    options = SolverOptions(time_limit_seconds=seconds, seed=seed, workers=workers, mapper=mapper)
    result = solve_territories(problem, options, TerritorySettings(restarts=restarts))
    elapsed = time.monotonic() - started
    plans = [
        (
            "engine",
            result.assignment if result.assignment is not None else result.closest_plan,
            elapsed,
            result.info.bound,
            result.restarts,
            result.info.time_limit_hit,
            result.bound_method,
        )
    ]
    started = time.monotonic()
    peer = kmeans_peer(problem, seed)
    plans.append(("kmeans+repair", peer, time.monotonic() - started, None, 1, False, ""))
    for method, plan, secs, bound, runs, hit, bound_method in plans:
        row: dict[str, Any] = {
            "set": "published" if published else "generated",
            "instance": path.stem,
            "units": problem.n,
            "p": problem.p,
            "method": method,
        }
        if plan is None:
            row.update({"objective": "", "balance_viol": "", "contiguous": "", "feasible": "no"})
        else:
            chk = check_plan(problem, plan)
            row.update(
                {
                    "objective": f"{chk.objective:.2f}",
                    "balance_viol": chk.balance_violations,
                    "contiguous": "yes" if not chk.disconnected else f"no ({len(chk.disconnected)})",
                    "feasible": "yes" if chk.feasible else "no",
                }
            )
            if not published:
                row["max_radius"] = f"{chk.max_radius:.1f}"
            row["gap_ref"] = _gap(chk.objective, reference_value) if chk.feasible else ""
            row["bound"] = "" if bound is None else f"{bound:.2f}"
            row["gap_bound"] = _gap(chk.objective, bound) if chk.feasible else ""
            row["bound_method"] = bound_method if bound is not None else ""
        row.setdefault("max_radius", "")
        row.setdefault("gap_ref", "")
        row.setdefault("bound", "")
        row.setdefault("gap_bound", "")
        row.setdefault("bound_method", "")
        row["reference"] = "" if reference_value is None else f"{reference_value:.2f}"
        row["ref_lb"] = "" if published else ref.get("lower_bound_D", "")
        row["seconds"] = f"{secs:.1f}"
        row["restarts"] = runs
        row["time_limit_hit"] = "yes" if hit else ""
        rows.append(row)
        print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks territory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per instance (default 120 published, 60 generated; --quick: 10)",
    )
    parser.add_argument("--instances", default="", help="only instances whose name contains this text")
    parser.add_argument("--quick", action="store_true", help="10 s per instance, 3 instances per set")
    parser.add_argument(
        "--restarts",
        type=int,
        default=1_000_000,
        help="restart budget (default: as many as the time limit allows)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="restarts side by side on a process pool of this size (the plan stays the same)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else None
    mapper = pool.map if pool is not None else None
    for published in (True, False):
        folder = DATA / ("published" if published else "generated") / "instances"
        paths = sorted(
            folder.glob("*.in" if published else "*.txt"), key=lambda q: (q.stat().st_size, q.name)
        )
        paths = [q for q in paths if args.instances in q.stem]
        if args.quick:
            paths = paths[:3]
        refs = references(published)
        seconds = args.time_limit or (10.0 if args.quick else 120.0 if published else 60.0)
        for path in paths:
            rows += run_instance(
                path, published, refs[path.stem], seconds, args.restarts, args.workers, args.seed, mapper
            )
    if pool is not None:
        pool.shutdown()
    print_table("Territory design: engine vs k-means + repair", rows, "territory")
    engine = [r for r in rows if r["method"] == "engine" and r["set"] == "published" and r["gap_ref"]]
    if engine:
        gaps = [float(r["gap_ref"].rstrip("%")) for r in engine]
        print(f"\npublished: mean gap to best known {np.mean(gaps):.2f}% over {len(gaps)} instances")
    feasible = sum(r["feasible"] == "yes" for r in rows if r["method"] == "engine")
    print(f"engine feasible on {feasible} of {sum(r['method'] == 'engine' for r in rows)} instances")


if __name__ == "__main__":
    main()
