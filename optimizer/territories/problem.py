"""Territories: one :class:`TerritoryProblem` per sales region, built from a scenario.

A region's units are its accounts (dealers included), its territories are its reps, so a territory never
crosses a region (cross-region selling is forbidden). For account i and rep k of region g:

    planned visits  x_i   visits/month: the call plan's when given; else the current visits clipped to the
                          tier's [min, max]; else the tier minimum (policy.tiers.visits)
    workload        a_i1  = x_i · (m_i + h_i) / 60      hours/month (m_i minutes on site, h_i minutes of the
                          hop to the nearest other account of the region, optimizer/workload.hop_minutes)
    potential       a_i2  = Account.sales_potential     currency/year
    distance        d_ik  road km from rep k's home to account i = detour factor × planar km
                          (equirectangular projection about the region's accounts' mean lat/lon)
    weight          w_i   = max(x_i, 1 / horizon months): an account with no planned visits still weighs as
                          one visit per horizon, so it goes to a nearby rep
    move weight     v_i   = current_sales (currency/year; 1 each when the region has no sales at all)

Objective "home": Σ_i w_i · d(i, home of its rep) (road km per month, one way) + λ · Σ_{moved} v_i with
λ = κ · mean_i(w_i · d(i, previous or nearest home)) / mean_i(v_i): moving an account of average value
costs as much as an average account's monthly travel (κ = ``disruption``, default 1).

Previous alignment: r_i = the current rep's index when they are a rep of this region. Accounts whose
current rep was removed by a what-if or works in another region, and new accounts (no current rep), get
r_i = −1: they MUST get a (new) rep, so they are forced moves and count neither in the moved share nor in
its base; the cap (policy.reassignment.max_moved_share, basis accounts → "units", value → "value") then
limits the moves the plan chooses among the accounts that could stay, which keeps it meaningful in a
what-if that removes reps. Locks: locked_rep (validation guarantees a rep of the same region); and an
account that changed rep at least policy.reassignment.max_moves_per_account_per_year times in the 365 days
before the horizon (its moved_dates) is locked to its current rep when it may stay ("kept"); one whose rep
left or works elsewhere still moves (a forced move, explained as such).
Contiguity (policy.balance.contiguity): "delaunay" derives Delaunay-neighbour edges from the region's
accounts; "table" takes the scenario's adjacency rows with both ends in the region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..data import Account, PlanData, Rep
from ..tiers.solve import TierResult, default_visits_per_month, solve_tiers
from .districting.geometry import delaunay_edges, distance_matrix, project_equirectangular
from .districting.problem import TerritoryProblem

FloatArray = npt.NDArray[np.float64]
MEASURES: tuple[str, ...] = ("workload", "potential")
MEASURE_UNITS: tuple[str, ...] = ("hours/month", "currency/year")
Origin = Literal["kept", "new", "removed", "other_region", "out_of_reach"]


@dataclass(frozen=True)
class RegionInput:
    """One region's territory problem and the scenario facts needed to read its answer.

    ``origin[i]``: "kept" (current rep is a rep of this region: may stay), "new" (no current rep),
    "removed" (current rep removed by the what-if), "other_region" (current rep works elsewhere) or
    "out_of_reach" (current rep of this region cannot reach it in a day trip while another rep of the
    region can: the plan could schedule none of its visits, so the move buys reach before any balance
    move and is not charged to the move budget or the disruption term).
    ``problem`` is None when there is nothing to solve or no plan can exist (see ``run_territories``).
    """

    region: str
    account_ids: tuple[str, ...]
    rep_ids: tuple[str, ...]
    current_rep: tuple[str | None, ...]
    origin: tuple[Origin, ...]
    previous: npt.NDArray[np.int64]  # (n,) r_i: index of the current rep in rep_ids, or −1
    visits: FloatArray  # (n,) planned visits per month
    activity: FloatArray  # (n, 2) workload hours/month, potential currency/year
    onsite_hours: FloatArray  # (n,) x_i · m_i / 60, hours/month on site
    distance_km: FloatArray  # (n, p) road km from each rep's home
    problem: TerritoryProblem | None  # None without reps or accounts, or with more reps than accounts
    disruption_weight: float  # λ, road km per month per unit of value (currency/year)
    history_locked: frozenset[str] = frozenset()  # reps holding accounts the yearly move cap locks to them


def planned_visits(
    data: PlanData,
    visits_per_month: Mapping[str, float] | None = None,
    tiers: TierResult | None = None,
) -> dict[str, float]:
    """Visits per month per account: the call plan's where given, else the tier policy's default
    (:func:`..tiers.solve.default_visits_per_month`)."""
    given = dict(visits_per_month or {})
    defaults = default_visits_per_month(data, (tiers or solve_tiers(data)).tier_of())
    return {a: max(0.0, float(given[a])) if a in given else float(v) for a, v in defaults.items()}


def _origin(data: PlanData, account: Account, reps: Mapping[str, Rep], removed: set[str]) -> Origin:
    rep_id = account.current_rep
    if rep_id is None:
        return "new"
    if rep_id in reps and reps[rep_id].region == account.region:
        if not data.reaches(reps[rep_id], account) and data.reach(account).by:
            return "out_of_reach"
        return "kept"
    if rep_id in removed or rep_id not in reps:
        return "removed"
    return "other_region"


def moves_in_year(data: PlanData, account: Account) -> int:
    """Times the account changed rep in the 365 days before the horizon."""
    start = data.horizon.start
    return sum(0 < (start - day).days <= 365 for day in account.moved_dates)


def year_capped(data: PlanData, account: Account) -> bool:
    """The account moved as often as policy.reassignment.max_moves_per_account_per_year allows."""
    cap = data.rules.max_moves_per_year
    return cap is not None and moves_in_year(data, account) >= cap


def _lock(data: PlanData, account: Account, origin: Origin, rep_index: Mapping[str, int]) -> int:
    """The rep index the account is locked to, or −1: locked_rep, else its current rep when it has moved
    as often as policy.reassignment.max_moves_per_account_per_year allows and may stay."""
    if account.locked_rep:
        return rep_index.get(account.locked_rep, -1)
    if origin == "kept" and year_capped(data, account):
        return rep_index.get(account.current_rep or "", -1)
    return -1


def _edges(data: PlanData, account_ids: tuple[str, ...], xy: FloatArray) -> npt.NDArray[np.int64] | None:
    mode = data.rules.contiguity
    if mode == "delaunay":
        return delaunay_edges(xy)
    if mode == "table":
        index = {a: i for i, a in enumerate(account_ids)}
        pairs = {
            (min(index[a], index[b]), max(index[a], index[b]))
            for a, b in data.adjacency
            if a in index and b in index and a != b
        }
        return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    return None


def build_region_inputs(
    data: PlanData,
    visits: Mapping[str, float],
    disruption: float = 1.0,
    workload: Mapping[str, float] | None = None,
) -> list[RegionInput]:
    """One :class:`RegionInput` per region that has accounts or reps, in the scenario's region order.

    ``workload`` (account → hours per month) replaces the workload measure a_i1 where given: the hours
    the plan executes (the schedule's visits with their travel, and opportunity work)."""
    reps = data.rep_by_id
    removed = set(data.removed_reps)
    detour = data.rules.detour_factor
    rules = data.rules
    floor_weight = 1.0 / max(data.horizon.months, 1e-9)
    regions = list(data.regions)
    regions += sorted(({a.region for a in data.accounts} | {r.region for r in data.reps}) - set(regions))
    inputs: list[RegionInput] = []
    for region in regions:
        accounts = [a for a in data.accounts if a.region == region]
        region_reps = [r for r in data.reps if r.region == region]
        if not accounts and not region_reps:
            continue
        account_ids = tuple(a.id for a in accounts)
        rep_ids = tuple(r.id for r in region_reps)
        origin = tuple(_origin(data, a, reps, removed) for a in accounts)
        x = np.array([visits.get(a.id, 0.0) for a in accounts], dtype=float)
        hop = np.array([data.hop_minutes[a.index] for a in accounts], dtype=float)
        n, p = len(accounts), len(region_reps)
        lat = np.array([a.lat for a in accounts], dtype=float)
        lon = np.array([a.lon for a in accounts], dtype=float)
        lat0 = float(lat.mean()) if n else 0.0
        lon0 = float(lon.mean()) if n else 0.0
        xy = detour * project_equirectangular(lat, lon, lat0, lon0) if n else np.zeros((0, 2))
        home_lat = [r.home_lat for r in region_reps]
        home_lon = [r.home_lon for r in region_reps]
        homes = detour * project_equirectangular(home_lat, home_lon, lat0, lon0) if p else np.zeros((0, 2))
        distance = distance_matrix(xy, homes) if n and p else np.zeros((n, p))
        minutes = np.array([a.visit_minutes for a in accounts], dtype=float)
        hours = x * (minutes + hop) / 60.0
        if workload is not None:
            hours = np.array(
                [workload.get(a.id, h) for a, h in zip(accounts, hours, strict=True)], dtype=float
            )
        activity = np.column_stack([hours, [a.potential for a in accounts]])
        weight = np.maximum(x, floor_weight)
        rep_index = {r: k for k, r in enumerate(rep_ids)}
        previous = np.array(
            [
                rep_index[a.current_rep or ""] if o == "kept" else -1
                for a, o in zip(accounts, origin, strict=True)
            ],
            dtype=np.int64,
        ).reshape(n)
        problem, lam = None, 0.0
        if 1 <= p <= n:
            value = np.array([a.current_sales for a in accounts], dtype=float)
            if value.sum() <= 0:
                value = np.ones(n)
            rows = np.arange(n)
            reference = np.where(previous >= 0, distance[rows, np.maximum(previous, 0)], distance.min(axis=1))
            if previous.max() >= 0:
                lam = disruption * float(np.mean(weight * reference)) / float(np.mean(value))
            edges = _edges(data, account_ids, xy)
            problem = TerritoryProblem(
                xy=xy,
                activity=activity,
                tolerance=(rules.workload_tolerance, rules.potential_tolerance),
                p=p,
                objective="home",
                homes=homes,
                weight=weight,
                edges=edges,
                contiguous=edges is not None,
                locks=np.array(
                    [_lock(data, a, o, rep_index) for a, o in zip(accounts, origin, strict=True)],
                    dtype=np.int64,
                ),
                previous=previous,
                move_weight=value,
                disruption_weight=lam,
                max_moved_share=rules.max_moved_share,
                moved_basis="units" if rules.moved_basis == "accounts" else "value",
                measure_names=MEASURES,
            )
        inputs.append(
            RegionInput(
                region=region,
                account_ids=account_ids,
                rep_ids=rep_ids,
                current_rep=tuple(a.current_rep for a in accounts),
                origin=origin,
                previous=previous,
                visits=x,
                activity=activity.reshape(n, len(MEASURES)),
                onsite_hours=x * minutes / 60.0,
                distance_km=distance,
                problem=problem,
                disruption_weight=lam,
                history_locked=frozenset(
                    a.current_rep or ""
                    for a, o in zip(accounts, origin, strict=True)
                    if not a.locked_rep and _lock(data, a, o, rep_index) >= 0
                ),
            )
        )
    return inputs
