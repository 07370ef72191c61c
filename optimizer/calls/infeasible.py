"""When the tier minimums (and locked levels) need more hours than a rep has: by how much, and the fix.

Rep r is infeasible when Σ_{a served by r} L_a · t_a > C_r (minutes per month, the model of problem.py,
travel included). The shortfall is that difference in hours. Fixes offered, smallest first: move
accounts to reps of the same region with spare hours at their own minimums, add selling hours, or lower
the tier minimum that takes most of the rep's hours to the largest value that fits.
"""

from __future__ import annotations

import math

import numpy as np

from ..result import Fix, Infeasibility
from .problem import CallProblem


def infeasibilities(problem: CallProblem) -> list[Infeasibility]:
    """Every rep whose minimum visits exceed their hours, and every unserved account that needs visits."""
    instance = problem.instance()
    need = instance.minimum_minutes()
    capacity = instance.capacity
    spare = capacity - need
    problems: list[Infeasibility] = []
    for r, rep in enumerate(problem.rep_ids):
        deficit = int(need[r] - capacity[r])
        if deficit <= 0:
            continue
        members = np.flatnonzero(problem.rep_of == r)
        by_tier: dict[str, float] = {}
        for a in members:
            by_tier[problem.tiers[a]] = (
                by_tier.get(problem.tiers[a], 0.0) + problem.lower[a] * problem.unit[a]
            )
        fixes = []
        region = problem.rep_regions[r]
        others = [
            (int(spare[s]), problem.rep_ids[s])
            for s in range(len(problem.rep_ids))
            if s != r and problem.rep_regions[s] == region and spare[s] > 0
        ]
        others.sort(key=lambda item: (-item[0], item[1]))
        if others:
            spare_hours = ";".join(f"{rid}={minutes / 60:.1f}" for minutes, rid in others[:3])
            fixes.append(Fix("move", f"accounts@region={region}", round(deficit / 60, 1), spare_hours))
        fixes.append(Fix("add", f"reps.{rep}.selling_hours", math.ceil(deficit / 60)))
        tier, minutes = max(by_tier.items(), key=lambda item: (item[1], item[0]))
        tier_min = next(int(problem.tier_min[a]) for a in members if problem.tiers[a] == tier)
        if tier_min > 0 and minutes >= deficit:
            lowered = math.floor(tier_min * (minutes - deficit) / minutes)
            if lowered < tier_min:
                fixes.append(Fix("set", f"policy.tiers.visits.{tier}.min", lowered, tier_min))
        problems.append(
            Infeasibility.of(
                "tier_minimum_rep",
                {"region": region, "rep": rep},
                deficit / 60.0,
                "hours per month",
                fixes,
                accounts=len(members),
                need=need[r] / 60,
                have=capacity[r] / 60,
            )
        )
    for a in np.flatnonzero((problem.rep_of < 0) & (problem.lower > 0)):
        hours = problem.lower[a] * problem.unit[a] / 60.0
        tier, region = problem.tiers[a], problem.account_regions[a]
        problems.append(
            Infeasibility.of(
                "tier_minimum_unserved",
                {"region": region, "account": problem.account_ids[a]},
                hours,
                "hours per month",
                (
                    Fix("add", f"reps@region={region}", 1),
                    Fix("set", f"policy.tiers.visits.{tier}.min", 0, int(problem.lower[a])),
                ),
                tier=tier,
                minimum=int(problem.lower[a]),
            )
        )
    return problems
