"""Workload estimates shared by the allocation, territory and portfolio models (before routes exist).

Travel per visit is estimated the way continuous-approximation routing models do: a day's route leaves
the rep's home, makes about ``s`` stops and comes back, so each visit carries 1/s of a round trip from
home plus one hop between neighbouring accounts:

    travel_i = 2 · t(home_r, i) / s + t(i, nn(i))          (minutes per visit)

where t is the great-circle travel model (matrix entries are used by the routes), nn(i) the nearest other account of i's region, and
s = stops per day = (day minutes − lunch) / (mean visit minutes + mean hop), clipped to [1, 8].
The schedule stage replaces these estimates by real routes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ..scenarios.model import Scenario
from ..scenarios.tables import Account, Rep
from .travel import TravelModel

FloatArray = npt.NDArray[np.float64]


def travel_model(scenario: Scenario) -> TravelModel:
    """The scenario's travel model (matrix overrides only when the policy says 'matrix')."""
    policy = scenario.policy.travel
    matrix = (
        {(e.from_id, e.to_id): e.minutes for e in scenario.travel_matrix} if policy.method == "matrix" else {}
    )
    return TravelModel(policy.detour_factor, policy.speed_kmh, matrix)


def unit_sphere(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """3-D unit vectors; chord distance between them is monotone in great-circle distance."""
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def hop_minutes(scenario: Scenario, accounts: Sequence[Account] | None = None) -> FloatArray:
    """Minutes from each account to the nearest other account of its region (0 when it is alone)."""
    accounts = list(scenario.accounts if accounts is None else accounts)
    model = travel_model(scenario)
    result = np.zeros(len(accounts))
    by_region: dict[str, list[int]] = {}
    for index, account in enumerate(accounts):
        by_region.setdefault(account.region, []).append(index)
    for indices in by_region.values():
        if len(indices) < 2:
            continue
        lat = np.array([accounts[i].lat for i in indices])
        lon = np.array([accounts[i].lon for i in indices])
        tree = cKDTree(unit_sphere(lat, lon))
        _, nearest = tree.query(unit_sphere(lat, lon), k=2)
        other = nearest[:, 1]
        result[indices] = model.minutes_from_coords(lat, lon, lat[other], lon[other])
    return result


def stops_per_day(scenario: Scenario, mean_hop: float) -> float:
    """Visits a rep can make in a working day, clipped to [1, 8]."""
    day = scenario.horizon.day_minutes - scenario.horizon.lunch_break_minutes
    minutes = [scenario.visit_minutes_of(a) for a in scenario.accounts] or [60.0]
    return float(np.clip(day / (float(np.mean(minutes)) + mean_hop), 1.0, 8.0))


def visit_travel_minutes(scenario: Scenario, rep_of: Mapping[str, str | None]) -> dict[str, float]:
    """Estimated travel minutes per visit of every account, given who serves it (see module docstring).

    Accounts without a rep are charged the round trip from the nearest rep home of their region.
    """
    accounts = list(scenario.accounts)
    hops = hop_minutes(scenario, accounts)
    stops = stops_per_day(scenario, float(np.mean(hops)) if len(hops) else 0.0)
    model = travel_model(scenario)
    reps = scenario.rep_by_id
    homes: dict[str, list[Rep]] = {}
    for rep in scenario.reps:
        homes.setdefault(rep.region, []).append(rep)
    result: dict[str, float] = {}
    for account, hop in zip(accounts, hops, strict=True):
        rep_id = rep_of.get(account.id)
        candidates = [reps[rep_id]] if rep_id in reps else homes.get(account.region, [])
        if not candidates:
            result[account.id] = float(hop)
            continue
        home = float(
            min(
                model.minutes_from_coords(r.home_lat, r.home_lon, account.lat, account.lon)
                for r in candidates
            )
        )
        result[account.id] = 2.0 * home / stops + float(hop)
    return result


def default_rep_of(scenario: Scenario) -> dict[str, str]:
    """Who serves each account before a territory plan exists.

    The locked rep; else the current rep when they still work in the account's region; else the rep of
    the region whose home is nearest.
    """
    model = travel_model(scenario)
    reps = scenario.rep_by_id
    by_region: dict[str, list[Rep]] = {}
    for rep in scenario.reps:
        by_region.setdefault(rep.region, []).append(rep)
    result: dict[str, str] = {}
    for account in scenario.accounts:
        for rep_id in (account.locked_rep, account.current_rep):
            if rep_id in reps and reps[rep_id].region == account.region:
                result[account.id] = rep_id
                break
        else:
            candidates = by_region.get(account.region, [])
            if candidates:
                minutes = [
                    model.minutes_from_coords(r.home_lat, r.home_lon, account.lat, account.lon)
                    for r in candidates
                ]
                result[account.id] = candidates[int(np.argmin(minutes))].id
    return result
