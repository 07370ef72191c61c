"""What every plan of `salesplan.pipeline.plan` must satisfy, recomputed from the scenario.

Shared by the fuzz tests (tests/test_fuzz.py) and the fuzz benchmark (benchmarks/fuzz.py). Each check
returns human-readable violations; an empty list means the plan keeps the rule.

1. every account is in exactly one territory, served by a rep of the scenario;
2. no territory crosses a region (the rep's region is the account's region);
3. the call allocation uses no more of a rep's selling hours than the rep has, keeps every served
   account's visits within its tier's minimum and maximum, and gives every account to its territory's rep;
4. the schedule passes the independent checker (:func:`salesplan.optimizer.schedule.check.check_schedule`):
   planned visits scheduled or dropped with a reason, no two visits or the lunch break overlapping, every
   day inside the working hours, travel times kept;
5. every stage's solve info is coherent: a plan has a solution status, the gap is not negative, and the
   proven bound is on the right side of the objective.
"""

from __future__ import annotations

import math
from collections import Counter

from salesplan.optimizer.data import compile_scenario
from salesplan.optimizer.result import Infeasibility, SolveInfo
from salesplan.optimizer.schedule.check import check_schedule
from salesplan.pipeline import PlanResult

HOURS_TOLERANCE = 1e-6


def territory_violations(result: PlanResult) -> list[str]:
    """Rules 1 and 2."""
    scenario = result.scenario
    reps = scenario.rep_by_id
    bad: list[str] = []
    seen = Counter(a.account_id for a in result.territories.accounts)
    for account in scenario.accounts:
        if seen[account.id] != 1:
            bad.append(f"{account.id}: in {seen[account.id]} territories, not exactly one")
    for extra in seen.keys() - scenario.account_by_id.keys():
        bad.append(f"{extra}: in a territory but not in the scenario")
    for row in result.territories.accounts:
        rep = reps.get(row.rep_id or "")
        if rep is None:
            bad.append(f"{row.account_id}: served by {row.rep_id!r}, not a rep of the scenario")
        elif rep.region != scenario.account_by_id[row.account_id].region:
            bad.append(f"{row.account_id}: region {row.region} served by {rep.id} of region {rep.region}")
    return bad


def allocation_violations(result: PlanResult) -> list[str]:
    """Rule 3."""
    bad: list[str] = []
    for rep in result.calls.reps:
        if rep.hours_used > rep.hours_available * (1 + 1e-9) + HOURS_TOLERANCE:
            bad.append(f"{rep.rep_id}: {rep.hours_used:.4f} h/month used of {rep.hours_available:.4f}")
    rep_of = result.territories.rep_of()
    for account in result.calls.accounts:
        if account.rep_id and not account.min_visits <= account.visits_per_month <= account.max_visits:
            bad.append(
                f"{account.account_id}: {account.visits_per_month} visits/month outside its tier's "
                f"{account.min_visits}..{account.max_visits}"
            )
        if account.rep_id and account.rep_id != rep_of.get(account.account_id):
            bad.append(
                f"{account.account_id}: allocated to {account.rep_id}, territory of "
                f"{rep_of.get(account.account_id)}"
            )
    return bad


def schedule_violations(result: PlanResult) -> list[str]:
    """Rule 4."""
    return list(check_schedule(compile_scenario(result.scenario), result.schedule).violations)


def info_violations(stage: str, info: SolveInfo) -> list[str]:
    """Rule 5 for one stage."""
    bad: list[str] = []
    if not info.status.has_solution:
        bad.append(f"{stage}: status {info.status.value} but a plan was returned")
    gap = info.gap
    if gap is not None and (gap < 0 or not math.isfinite(gap)):
        bad.append(f"{stage}: gap {gap}")
    if info.objective is not None and info.bound is not None:
        slack = 1e-6 * max(1.0, abs(info.objective))
        wrong = (
            info.bound < info.objective - slack
            if info.sense == "max"
            else info.bound > info.objective + slack
        )
        if wrong:
            bad.append(
                f"{stage}: bound {info.bound} on the wrong side of objective {info.objective} ({info.sense})"
            )
    return bad


def plan_violations(result: PlanResult) -> list[str]:
    """Every rule of the module docstring on one plan."""
    bad = territory_violations(result) + allocation_violations(result) + schedule_violations(result)
    for stage, info in (
        ("territories", result.territories.info),
        ("allocate", result.calls.info),
        ("rank", result.opportunities.info),
        ("schedule", result.schedule.info),
    ):
        bad += info_violations(stage, info)
    return bad


def explanation_violations(explanations: tuple[Infeasibility, ...] | list[Infeasibility]) -> list[str]:
    """An infeasible scenario must say which constraint, where, by how much, and what to change."""
    if not explanations:
        return ["infeasible without an explanation"]
    bad: list[str] = []
    for item in explanations:
        if not item.constraint.strip():
            bad.append(f"no constraint named: {item}")
        if not item.scope.strip():
            bad.append(f"no scope named: {item}")
        if not math.isfinite(item.shortfall) or item.shortfall < 0:
            bad.append(f"shortfall {item.shortfall}: {item}")
        if not item.unit.strip():
            bad.append(f"no unit: {item}")
        if not item.suggestion.strip():
            bad.append(f"no suggestion: {item}")
    return bad
