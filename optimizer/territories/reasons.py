"""Territories: why each account sits where it does (the change list's reasons).

Deviations are measured against the region's target μ_e = Σ_i a_ie / p (problem.targets) as
(T_ke − μ_e) / μ_e. "Before" is the previous alignment: the accounts each rep of the region serves now
(accounts without such a rep are in no territory before). A chosen move from rep s to rep t names the
balanced measure e that best explains it — the largest (dev_s,e − dev_t,e) / t_e before the move — and
the change of distance to the rep's home when it is more than 1 km.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from .problem import MEASURES, RegionInput

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def pct(share: float) -> str:
    """+38 %, −22 %, 0 % (a signed whole percentage, typographic minus)."""
    value = round(share * 100)
    if value == 0:
        return "0 %"
    return f"{'+' if value > 0 else '−'}{abs(value)} %"


def deviations(activity: FloatArray, assignment: IntArray, p: int) -> tuple[FloatArray, FloatArray]:
    """Totals (p, m) of the units with assignment ≥ 0 and their deviation from μ = all units' total / p."""
    totals = np.zeros((p, activity.shape[1]))
    placed = assignment >= 0
    np.add.at(totals, assignment[placed], activity[placed])
    target = activity.sum(axis=0) / p
    safe = np.where(target > 0, target, 1.0)
    return totals, (totals - target) / safe


def _label(dev: float, tol: float | None) -> str:
    if tol is not None and dev > tol:
        return " over target"
    if tol is not None and dev < -tol:
        return " under target"
    return ""


def _balance_clause(
    src: int, dst: int, before: FloatArray, tolerance: tuple[float | None, ...], reps: tuple[str, ...]
) -> tuple[str, bool]:
    """'from R01 (workload +38 % over target) to R03 (−22 %)' and whether it fixes an imbalance."""
    balanced = [e for e, t in enumerate(tolerance) if t is not None] or list(range(len(tolerance)))
    scale = [tolerance[e] or 1.0 for e in range(len(tolerance))]
    e = max(balanced, key=lambda j: ((before[src, j] - before[dst, j]) / scale[j], -j))
    tol = tolerance[e]
    fixes = tol is not None and (
        before[src, e] > tol or (before[dst, e] < -tol and before[src, e] >= before[dst, e])
    )
    text = (
        f"from {reps[src]} ({MEASURES[e]} {pct(before[src, e])}{_label(before[src, e], tol)}) "
        f"to {reps[dst]} ({pct(before[dst, e])}{_label(before[dst, e], tol)})"
    )
    return text, fixes


def _arrival(
    dst: int, before: FloatArray, tolerance: tuple[float | None, ...], reps: tuple[str, ...], km: float
) -> str:
    """'to R02 (workload −12 % of target before, 18 km from R02's home)' for an account that needs a rep."""
    balanced = [e for e, t in enumerate(tolerance) if t is not None] or [0]
    e = min(balanced, key=lambda j: (before[dst, j], j))
    return f"to {reps[dst]} ({MEASURES[e]} {pct(before[dst, e])} of target before, {km:.0f} km from {reps[dst]}'s home)"


def region_reasons(
    region: RegionInput, assignment: IntArray, before: FloatArray, rep_region: Mapping[str, str]
) -> list[str]:
    """One reason per account of the region, for the plan ``assignment`` (rep index per account).

    ``rep_region`` maps every rep of the scenario to their region (for accounts served across a border).
    """
    assert region.problem is not None
    tolerance = region.problem.tolerance
    locks = np.asarray(region.problem.locks)
    previous = region.previous
    reps = region.rep_ids
    reasons: list[str] = []
    for i, k in enumerate(assignment):
        k = int(k)
        km = float(region.distance_km[i, k])
        origin = region.origin[i]
        current = region.current_rep[i]
        if locks[i] >= 0:
            reasons.append(f"locked to {reps[k]}")
        elif origin == "kept" and previous[i] == k:
            reasons.append(f"stays with {reps[k]}")
        elif origin == "kept":
            src = int(previous[i])
            text, fixes = _balance_clause(src, k, before, tolerance, reps)
            was = float(region.distance_km[i, src])
            closer = f"{km:.0f} km from {reps[k]}'s home instead of {was:.0f} km"
            if fixes:
                reasons.append(text + (f"; {closer}" if abs(was - km) > 1.0 else ""))
            elif abs(was - km) > 1.0:
                reasons.append(f"{'closer' if km < was else 'balance'}: {closer}; {text}")
            else:
                reasons.append(text)
        elif origin == "new":
            reasons.append(f"new account (no current rep); {_arrival(k, before, tolerance, reps, km)}")
        elif origin == "out_of_reach":
            was = float(region.distance_km[i, reps.index(current)]) if current in reps else math.nan
            reach = f"its rep {current} cannot reach it in a day trip ({was:.0f} km from home)"
            if current == reps[k]:
                reasons.append(
                    f"{reach}; the balance and contiguity rules keep it with {reps[k]}, so its visits "
                    "cannot be scheduled (unreachable.csv)"
                )
            else:
                reasons.append(f"{reach}; {_arrival(k, before, tolerance, reps, km)}")
        elif origin == "removed":
            reasons.append(f"its rep {current} left (what-if); {_arrival(k, before, tolerance, reps, km)}")
        else:
            reasons.append(
                f"its rep {current} works in region {rep_region.get(current or '', '?')} "
                f"(no cross-region selling); "
                f"{_arrival(k, before, tolerance, reps, km)}"
            )
    return reasons
