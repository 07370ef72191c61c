"""Quick capacity check: can each region's reps give every account its tier-minimum visits at all?

Necessary condition (visit time alone, before travel, so it never raises a false alarm):
    Σ_{i in region} min_visits(tier_i) · visit_minutes_i / 60  ≤  Σ_{r in region} selling_hours_r   (per month)
and for every account, min_visits · visit_minutes / 60 ≤ the largest selling hours of a rep of its region.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .data import PlanData
from .result import Fix, Infeasibility
from .tiers.solve import TierResult, solve_tiers


def check_tier_capacity(data: PlanData, tiers: TierResult | None = None) -> list[Infeasibility]:
    """Every region (and account) whose tier minimums need more hours than its reps have, with a fix."""
    tiers = tiers or solve_tiers(data)
    tier_of = tiers.tier_of()
    visits = data.rules.bands
    hours_by_region: dict[str, float] = defaultdict(float)
    largest_rep: dict[str, float] = defaultdict(float)
    reps_by_region: dict[str, int] = defaultdict(int)
    for rep in data.reps:
        hours_by_region[rep.region] += rep.selling_hours_per_month
        largest_rep[rep.region] = max(largest_rep[rep.region], rep.selling_hours_per_month)
        reps_by_region[rep.region] += 1
    need: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    problems: list[Infeasibility] = []
    for account in data.accounts:
        tier = tier_of.get(account.id, "")
        minimum = visits[tier].min if tier in visits else 0.0
        hours = minimum * account.visit_minutes / 60.0
        need[account.region][tier] += hours
        if hours > largest_rep[account.region] > 0:
            fits = largest_rep[account.region] * 60.0 / minimum if minimum > 0 else 0.0
            problems.append(
                Infeasibility.of(
                    "tier_minimum_account",
                    {"region": account.region, "account": account.id},
                    hours - largest_rep[account.region],
                    "hours per month",
                    (
                        Fix(
                            "set",
                            f"accounts.{account.id}.visit_minutes",
                            math.floor(fits),
                            account.visit_minutes,
                        ),
                        Fix(
                            "set",
                            f"policy.tiers.visits.{tier}.min",
                            math.floor(minimum * largest_rep[account.region] / hours * 10) / 10,
                            minimum,
                        ),
                    ),
                    tier=tier,
                    minimum=minimum,
                    hours=hours,
                    largest=largest_rep[account.region],
                )
            )
    for region in sorted(need):
        required = sum(need[region].values())
        available = hours_by_region.get(region, 0.0)
        if required <= available + 1e-9 or reps_by_region[region] == 0:
            continue
        shortfall = required - available
        per_rep = available / reps_by_region[region]
        add = math.ceil(shortfall / per_rep) if per_rep > 0 else 0
        tier, tier_hours = max(need[region].items(), key=lambda item: item[1])
        minimum = visits[tier].min if tier in visits else 0.0
        # the largest tier minimum that fits when every other tier keeps its own
        fits = minimum * max(0.0, tier_hours - shortfall) / tier_hours if tier_hours > 0 else 0.0
        lowered = math.floor(fits * 10) / 10
        problems.append(
            Infeasibility.of(
                "tier_minimum_region",
                {"region": region},
                shortfall,
                "hours per month",
                (
                    Fix("add", f"reps@region={region}", add),
                    Fix("set", f"policy.tiers.visits.{tier}.min", lowered, minimum),
                ),
                required=required,
                available=available,
                reps=reps_by_region[region],
            )
        )
    return problems
