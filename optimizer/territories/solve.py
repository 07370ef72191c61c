"""Territory alignment: the territory plan of a whole scenario, one sales region at a time.

For every region g with accounts I_g and reps K_g (territories/problem.py builds the model):

    minimise   Σ_{i∈I_g} w_i · d(i, home of x_i) + λ_g · Σ_{i moved} v_i        (road km/month + disruption)
    subject to (1) every account in exactly one territory, x_i ∈ K_g: a rep only gets accounts of their own
                   region (dealers included), and every rep of the region gets at least one account;
               (2) workload and potential of every territory within ± policy.balance tolerance of the
                   region's mean (a measure whose tolerance is None is reported, not balanced);
               (3) connected territories when policy.balance.contiguity asks for it;
               (4) locked accounts stay with their locked rep;
               (5) moved share ≤ policy.reassignment.max_moved_share among the accounts whose current rep
                   may keep them (accounts of removed or other-region reps, and new accounts, must move and
                   are reported apart).

Regions are independent: each is solved by the districting engine (territories/districting/, exact for small
regions, tabu search with a relaxation bound for large ones) one after the other, deterministically, and
each plan is re-verified by the engine's independent checker before it is used. Each region stops on its
work budget (restarts and nodes, fixed by its size and the effort); the wall-clock limit is one deadline
for the whole stage, a safety net that says when it fires. The scenario objective and bound are the sums
over regions. Source: Ríos-Mercado & Fernández (2009) for the commercial territory design problem.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..data import PlanData
from ..result import Fix, Infeasibility, SolveInfo, SolverOptions, SolveStatus
from ..tiers.solve import TierResult
from ..workload import visit_travel_minutes
from .districting import TerritorySettings, solve_territories
from .districting.check import check_plan
from .districting.problem import TerritoryProblem
from .explain import cap_explanation, sharpen_tolerance
from .problem import MEASURES, RegionInput, build_region_inputs, planned_visits
from .reasons import deviations, region_reasons
from .result import (
    SOLVER,
    AccountPlacement,
    RegionPlan,
    TerritoryResult,
    TerritoryTotals,
)

if TYPE_CHECKING:
    from ..plan import Plan
    from .realign import Realignment

# Without contiguity the engine's exact model (an assignment MIP with balance, locks and the cap) proves
# optimality within seconds on regions of several hundred accounts, where the LP bound of its search
# leaves gaps of 2–11 % (bundled examples): give it most of the region's time first.
EXACT = TerritorySettings(exact_max_units=1000, exact_seconds=0.8)


def run_territories(
    data: PlanData,
    options: SolverOptions,
    visits_per_month: Mapping[str, float] | None = None,
    *,
    tiers: TierResult | None = None,
    disruption: float = 1.0,
    settings: TerritorySettings | None = None,
) -> TerritoryResult:
    """The territory plan of a scenario (see the module docstring for the model).

    ``visits_per_month`` (account → visits, e.g. the call allocation) defaults to the tier policy
    (problem.planned_visits); ``tiers`` to ``solve_tiers``; ``disruption`` scales the cost of a
    move (κ in territories/problem.py); ``settings`` is the engine's deterministic work budget (restarts, tabu
    lengths; default: the exact model first on regions without contiguity, see EXACT). Progress is
    reported per region.
    """
    started = time.perf_counter()
    visits = planned_visits(data, visits_per_month, tiers)
    inputs = build_region_inputs(data, visits, disruption)
    total_units = max(sum(len(r.account_ids) for r in inputs), 1)
    # Each region's work budget is fixed by its size and the effort (districting/heuristic.py), so regions
    # solved in parallel (options.mapper) and one after another give the same plans; the time limit is
    # the stage's safety net, one deadline for every region.
    pieces = options.for_pieces()
    jobs = [(region, pieces, settings) for region in inputs]
    options.report("territories", 0, len(inputs), f"{len(inputs)} region(s), {total_units} accounts")
    outcomes = options.map(_solve_job, jobs)
    solved = [(region, *outcome) for region, outcome in zip(inputs, outcomes, strict=True)]
    for index, (region, _, info, _) in enumerate(solved):
        options.report("territories", index + 1, len(inputs), f"region {region.region}: {info.summary()}")
    return assemble(data, solved, started)


Solved = tuple[RegionInput, "npt.NDArray[np.int64] | None", SolveInfo, tuple[Infeasibility, ...]]


def assemble(
    data: PlanData,
    solved: list[Solved],
    started: float,
    reasons: Mapping[str, str] | None = None,
    message: str = "",
) -> TerritoryResult:
    """The territory result of every region's (input, assignment, solve info, explanations);
    ``reasons`` replace the derived reason of the accounts they name (e.g. a move for value)."""
    rep_of = {
        account: region.rep_ids[int(k)]
        for region, assignment, _, _ in solved
        if assignment is not None
        for account, k in zip(region.account_ids, assignment, strict=True)
    }
    travel = visit_travel_minutes(data, rep_of)
    selling = {r.id: r.selling_hours_per_month for r in data.reps}
    rep_region = {r.id: r.region for r in data.reps}
    regions: list[RegionPlan] = []
    accounts: list[AccountPlacement] = []
    territories: list[TerritoryTotals] = []
    for region, assignment, info, explanations in solved:
        regions.append(_region_alignment(region, assignment, info, explanations, data))
        accounts += _accounts(region, assignment, rep_region, reasons or {})
        territories += _territories(region, assignment, travel, selling)
    problems = tuple(item for r in regions for item in r.infeasibilities)
    info = _combine([r.info for r in regions], time.perf_counter() - started)
    notes = [
        f"region {r.region}: {r.info.message[r.info.message.index('balance widened') :]}"
        for r in regions
        if "balance widened" in r.info.message
    ]
    message = "; ".join([*notes, message] if message else notes)
    if message:
        info = replace(info, message=f"{info.message}; {message}")
    basis = data.rules.moved_basis
    return TerritoryResult(info, tuple(regions), tuple(accounts), tuple(territories), problems, basis)


def aligned(
    data: PlanData,
    result: TerritoryResult,
    rep_of: Mapping[str, str],
    visits_per_month: Mapping[str, float],
    workload: Mapping[str, float],
    reasons: Mapping[str, str] | None = None,
    message: str = "",
    barred: tuple[tuple[str, str], ...] = (),
    value: Realignment | None = None,
) -> TerritoryResult:
    """The territory result of the alignment ``rep_of`` (e.g. after realign.py), measured at the call
    plan's visits with ``workload`` (account → executed hours per month) as the balanced workload;
    ``barred``: the (account, rep) pairs the realignment may no longer use; ``value``: the realignment
    search run on this alignment, whose call-plan profit and Lagrangian bound become the stage's objective
    and bound (sense max: the alignment is judged by what the call plan earns with it).

    A region whose alignment changed is no longer the districting optimum: its status is "feasible",
    its objective recomputed for the new alignment and no bound is claimed."""
    started = time.perf_counter()
    before = {a.account_id: a.rep_id for a in result.accounts}
    infos = {r.region: r.info for r in result.regions}
    solved: list[Solved] = []
    for region in build_region_inputs(data, visits_per_month, workload=workload):
        info = infos.get(region.region)
        if info is None or not info.status.has_solution or region.problem is None:
            assignment = None
            if info is not None and info.status.has_solution and region.account_ids:
                index = {r: k for k, r in enumerate(region.rep_ids)}
                assignment = np.array([index[rep_of[a]] for a in region.account_ids], dtype=np.int64)
            solved.append(
                (region, assignment, info or SolveInfo(SOLVER, SolveStatus.OPTIMAL, "min", 0.0, 0.0, 0.0), ())
            )
            continue
        index = {r: k for k, r in enumerate(region.rep_ids)}
        assignment = np.array([index[rep_of[a]] for a in region.account_ids], dtype=np.int64)
        changed = sum(rep_of[a] != before.get(a) for a in region.account_ids)
        if changed:
            objective = check_plan(region.problem, assignment).objective
            info = SolveInfo(
                info.solver, SolveStatus.FEASIBLE, "min", objective, None, info.runtime_seconds,
                info.time_limit_hit, f"{info.message}; {changed} account(s) realigned on the call plan's value",
            )  # fmt: skip
        solved.append((region, assignment, info, ()))
    kept = {a.account_id: a.reason for a in result.accounts if rep_of.get(a.account_id) == a.rep_id}
    result = replace(assemble(data, solved, started, {**kept, **(reasons or {})}, message), barred=barred)
    if value is None:
        return result
    info = result.info
    pending = f"; {len(value.moves)} move(s) would still raise it (the rounds ran out)" if value.moves else ""
    districting = f"districting {info.objective:,.1f} road km/month + disruption" if info.objective else ""
    judged = SolveInfo(
        f"{SOLVER}, realigned on the call plan's value", SolveStatus.FEASIBLE, "max", value.value_before,
        value.bound, info.runtime_seconds, info.time_limit_hit,
        "; ".join(
            x for x in (
                f"objective: the call plan's profit per month with this alignment; bound: Lagrangian over "
                f"every alignment (capacities relaxed, tier minimums, balance and the move cap dropped){pending}",
                districting, info.message,
            ) if x
        ),
    )  # fmt: skip
    return replace(result, info=judged)


def _solve_job(
    job: tuple[RegionInput, SolverOptions, TerritorySettings | None],
) -> tuple[npt.NDArray[np.int64] | None, SolveInfo, tuple[Infeasibility, ...]]:
    return _solve_region(*job)


def _solve_region(
    region: RegionInput, options: SolverOptions, settings: TerritorySettings | None = None
) -> tuple[npt.NDArray[np.int64] | None, SolveInfo, tuple[Infeasibility, ...]]:
    """The engine's plan for one region, re-verified; or why there is none (in the scenario's terms)."""
    started = time.perf_counter()
    n, p = len(region.account_ids), len(region.rep_ids)
    where = {"region": region.region}
    if n == 0:
        info = SolveInfo(SOLVER, SolveStatus.OPTIMAL, "min", 0.0, 0.0, 0.0, message="no accounts")
        return np.zeros(0, dtype=np.int64), info, ()
    if region.problem is None:
        if p == 0:
            item = Infeasibility.of(
                "no_rep_in_region", where, float(n), "accounts",
                (Fix("add", f"reps@region={region.region}", 1),), accounts=n,
            )  # fmt: skip
        else:
            item = Infeasibility.of(
                "too_many_reps", where, float(p - n), "reps",
                (Fix("remove", f"reps@region={region.region}", p - n),), reps=p, accounts=n,
            )  # fmt: skip
        info = SolveInfo(SOLVER, SolveStatus.INFEASIBLE, "min", None, None, time.perf_counter() - started)
        return None, info, (item,)
    problem = region.problem
    result = sharpen_tolerance(problem, solve_territories(problem, options, settings or _settings(problem)))
    widened = _history_widened(region, result.infeasibilities)
    if result.assignment is None and widened is not None:
        problem, note = widened
        again = solve_territories(problem, options, settings or _settings(problem))
        if again.assignment is not None:
            result = replace(again, info=replace(again.info, message=f"{again.info.message}; {note}"))
    assignment = None if result.assignment is None else np.asarray(result.assignment, dtype=np.int64)
    if assignment is not None:
        check = check_plan(problem, assignment)
        if not check.feasible:
            raise RuntimeError(
                f"territory engine returned an infeasible plan for region {region.region}: {check.problems}"
            )
    if assignment is None and not result.infeasibilities:
        spent = "the time limit" if result.info.time_limit_hit else "the search's work budget"
        fixes = [Fix("set", "option:--time-limit")]
        fixes += [
            Fix("set", f"tolerance:{name}", None, t)
            for name, t in zip(MEASURES, region.problem.tolerance, strict=True)
            if t is not None
        ]
        fixes.append(Fix("set", "cap", None, region.problem.max_moved_share))
        if region.problem.contiguous:
            fixes.append(Fix("set", "policy.balance.contiguity", "none"))
        item = Infeasibility.of(
            "plan_not_found", None, 0.0, "accounts", fixes, spent=spent, seconds=result.info.runtime_seconds
        )
        result = replace(result, infeasibilities=(item,))
    explanations = tuple(_in_scenario_terms(item, region) for item in result.infeasibilities)
    if assignment is None:
        cap = cap_explanation(region.problem, min(10.0, 0.5 * options.time_limit_seconds))
        explanations += (_in_scenario_terms(cap, region),) if cap is not None else ()
    return assignment, result.info, explanations


def _history_widened(
    region: RegionInput, explanations: tuple[Infeasibility, ...]
) -> tuple[TerritoryProblem, str] | None:
    """The region's problem with each balance tolerance widened to its proven floor, when every reason
    for having no plan is such a floor set by accounts that the yearly move cap keeps with their rep
    (policy.reassignment.max_moves_per_account_per_year, from the account's move history rather than a
    lock the planner set): the planner's rule holds and the balance gives way, and the plan says so.
    None otherwise (the scenario stays infeasible, with the explanation)."""
    problem = region.problem
    if problem is None or not explanations or not region.history_locked:
        return None
    floors: dict[str, float] = {}
    for item in explanations:
        floor, k = item.fact("floor"), item.fact("cause_territory")
        if item.kind != "balance" or item.fact("cause") != "locked" or floor is None or k is None:
            return None
        if region.rep_ids[int(k)] not in region.history_locked:
            return None
        floors[str(item.fact("measure"))] = float(floor)
    tolerance = tuple(
        None if t is None else max(t, math.ceil(floors.get(name, 0.0) * 1000 - 1e-6) / 1000 + 0.001)
        for name, t in zip(MEASURES, problem.tolerance, strict=True)
    )
    widened = ", ".join(
        f"{name} ±{t:.1%} (was ±{old:.0%})"
        for name, t, old in zip(MEASURES, tolerance, problem.tolerance, strict=True)
        if t is not None and old is not None and t > old
    )
    reps = ", ".join(sorted(region.history_locked))
    note = (
        f"balance widened to {widened}: the accounts the yearly move cap keeps with {reps} hold more "
        "than the tolerance allows"
    )
    return problem.with_tolerance(tolerance), note


def _settings(problem: TerritoryProblem) -> TerritorySettings:
    return TerritorySettings() if problem.contiguous else EXACT


def _in_scenario_terms(item: Infeasibility, region: RegionInput) -> Infeasibility:
    """The engine's explanation with account and rep ids for unit and territory numbers, policy keys for
    the engine's names of its settings."""
    targets = {f"tolerance:{name}": f"policy.balance.{name}_tolerance" for name in MEASURES}
    targets["cap"] = "policy.reassignment.max_moved_share"
    for k, rep in enumerate(region.rep_ids):
        targets[f"locks@territory={k}"] = f"locks@rep={rep}"
    return item.relabel(
        ids={
            "unit": lambda i: ("account", region.account_ids[int(i)]),
            "territory": lambda k: ("rep", region.rep_ids[int(k)]),
        },
        targets=targets,
        region=region.region,
    )


def _combine(infos: list[SolveInfo], runtime: float) -> SolveInfo:
    statuses = {i.status for i in infos}
    if SolveStatus.INFEASIBLE in statuses:
        status = SolveStatus.INFEASIBLE
    elif SolveStatus.UNKNOWN in statuses:
        status = SolveStatus.UNKNOWN
    elif statuses <= {SolveStatus.OPTIMAL}:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    solved = status.has_solution
    objective = sum(i.objective or 0.0 for i in infos) if solved else None
    bound = sum(i.bound or 0.0 for i in infos) if solved and all(i.bound is not None for i in infos) else None
    hit = any(i.time_limit_hit for i in infos)
    return SolveInfo(SOLVER, status, "min", objective, bound, runtime, hit, f"{len(infos)} region(s)")


def _before_after(
    region: RegionInput, assignment: npt.NDArray[np.int64] | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
    """Deviation (p, m) of the previous alignment and of the plan (None without a plan)."""
    p = len(region.rep_ids)
    if p == 0:
        return np.zeros((0, len(MEASURES))), None
    before = deviations(region.activity, region.previous, p)[1]
    after = None if assignment is None else deviations(region.activity, assignment, p)[1]
    return before, after


def _largest(deviation: npt.NDArray[np.float64] | None) -> tuple[float, ...]:
    if deviation is None or deviation.shape[0] == 0:
        return tuple(float("nan") for _ in MEASURES)
    return tuple(float(v) for v in np.abs(deviation).max(axis=0))


def _current(region: RegionInput) -> npt.NDArray[np.int64]:
    """Index of each account's current rep among the region's reps (−1 when not one of them)."""
    index = {r: k for k, r in enumerate(region.rep_ids)}
    return np.array([index.get(c or "", -1) for c in region.current_rep], dtype=np.int64)


def _region_alignment(
    region: RegionInput,
    assignment: npt.NDArray[np.int64] | None,
    info: SolveInfo,
    explanations: tuple[Infeasibility, ...],
    data: PlanData,
) -> RegionPlan:
    rules = data.rules
    origin = np.array(region.origin)
    kept = origin == "kept"
    chosen = (
        np.zeros(len(origin), dtype=bool) if assignment is None else kept & (assignment != region.previous)
    )
    share = 0.0
    if region.problem is not None and assignment is not None:
        weight = region.problem.move_basis_weight
        base = float(weight[kept].sum())
        share = float(weight[chosen].sum()) / base if base > 0 else 0.0
    before, after = _before_after(region, assignment)
    return RegionPlan(
        region=region.region,
        info=info,
        reps=len(region.rep_ids),
        accounts=len(region.account_ids),
        tolerance=(rules.workload_tolerance, rules.potential_tolerance),
        chosen_moves=int(chosen.sum()),
        forced_moves=int(np.isin(origin, ("removed", "other_region")).sum())
        + (
            0
            if assignment is None
            else int(((origin == "out_of_reach") & (assignment != _current(region))).sum())
        ),
        new_accounts=int((origin == "new").sum()),
        moved_share=share,
        cap=rules.max_moved_share,
        largest_deviation_before=_largest(before),
        largest_deviation_after=_largest(after),
        infeasibilities=explanations,
    )


def _accounts(
    region: RegionInput,
    assignment: npt.NDArray[np.int64] | None,
    rep_region: Mapping[str, str],
    given: Mapping[str, str],
) -> list[AccountPlacement]:
    if assignment is None or region.problem is None:
        reps: list[str | None] = [None] * len(region.account_ids)
        reasons = [f"no plan for region {region.region}: see the infeasibility"] * len(region.account_ids)
        locks = np.full(len(region.account_ids), -1, dtype=np.int64)
    else:
        before, _ = _before_after(region, assignment)
        reps = [region.rep_ids[int(k)] for k in assignment]
        reasons = region_reasons(region, assignment, before, rep_region)
        locks = np.asarray(region.problem.locks, dtype=np.int64)
    rows = []
    for i, account in enumerate(region.account_ids):
        rep, current = reps[i], region.current_rep[i]
        k = region.rep_ids.index(rep) if rep is not None else -1
        rows.append(
            AccountPlacement(
                account_id=account,
                region=region.region,
                rep_id=rep,
                current_rep=current,
                origin=region.origin[i],
                moved=rep is not None and current is not None and rep != current,
                locked=bool(locks[i] >= 0),
                reason=given.get(account, reasons[i]),
                visits_per_month=float(region.visits[i]),
                workload_hours=float(region.activity[i, 0]),
                potential=float(region.activity[i, 1]),
                distance_km=float(region.distance_km[i, k]) if k >= 0 else float("nan"),
            )
        )
    return rows


def _territories(
    region: RegionInput,
    assignment: npt.NDArray[np.int64] | None,
    travel: Mapping[str, float],
    selling: Mapping[str, float],
) -> list[TerritoryTotals]:
    if assignment is None:
        return []
    p = len(region.rep_ids)
    totals, after = deviations(region.activity, assignment, p)
    before = _before_after(region, assignment)[0]
    weight = np.asarray(region.problem.weight if region.problem is not None else np.ones(len(assignment)))
    minutes = np.array([travel.get(a, 0.0) for a in region.account_ids], dtype=float)
    rows = []
    for k, rep in enumerate(region.rep_ids):
        mine = assignment == k
        rows.append(
            TerritoryTotals(
                region=region.region,
                rep_id=rep,
                accounts=int(mine.sum()),
                workload_hours=float(totals[k, 0]),
                workload_deviation=float(after[k, 0]),
                potential=float(totals[k, 1]),
                potential_deviation=float(after[k, 1]),
                visit_hours=float(region.onsite_hours[mine].sum()),
                travel_hours=float(region.visits[mine] @ minutes[mine] / 60.0),
                distance_km=float(weight[mine] @ region.distance_km[mine, k]),
                selling_hours=float(selling.get(rep, 0.0)),
                accounts_before=int((region.previous == k).sum()),
                workload_deviation_before=float(before[k, 0]),
                potential_deviation_before=float(before[k, 1]),
            )
        )
    return rows


class Territories:
    """The territories stage: who serves each account, region by region, at the call plan's visits (the
    tier policy's defaults before a call plan exists)."""

    name = "territories"
    title = "territories"

    def run(self, plan: Plan, options: SolverOptions) -> TerritoryResult:
        return run_territories(plan.data, options, plan.visits_per_month(), tiers=plan.tiers)
