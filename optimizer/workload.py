"""Travel per visit before routes exist, shared by the call, territory and opportunity models.

Travel per visit is estimated the way continuous-approximation routing models do: a day's route leaves
the rep's home, makes about ``s`` stops and comes back, so each visit carries 1/s of a round trip from
home plus one hop between neighbouring accounts:

    travel_i = 2 · t(home_r, i) / s + t(i, nn(i))          (minutes per visit)

where t is the scenario's travel model, nn(i) the nearest other account of i's region
(:attr:`.data.PlanData.hop_minutes`), and s = stops per day = (day minutes − lunch) / (mean visit minutes
+ mean hop), clipped to [1, 8]. The schedule stage replaces these estimates by real routes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .data import PlanData, Rep


def stops_per_day(data: PlanData) -> float:
    """Visits a rep can make in a working day, clipped to [1, 8]."""
    day = data.horizon.day_minutes - data.horizon.lunch
    minutes = [a.visit_minutes for a in data.accounts] or [60.0]
    mean_hop = float(np.mean(data.hop_minutes)) if len(data.hop_minutes) else 0.0
    return float(np.clip(day / (float(np.mean(minutes)) + mean_hop), 1.0, 8.0))


def visit_travel_minutes(data: PlanData, rep_of: Mapping[str, str | None]) -> dict[str, float]:
    """Estimated travel minutes per visit of every account, given who serves it (module docstring).

    Accounts without a rep are charged the round trip from the nearest rep home of their region.
    """
    stops = stops_per_day(data)
    result: dict[str, float] = {}
    for region, block in data.region_travel.items():
        for row, a in enumerate(block.accounts.tolist()):
            account = data.accounts[a]
            hop = float(data.hop_minutes[a])
            rep = data.rep_by_id.get(rep_of.get(account.id) or "")
            if rep is not None and rep.region == region:
                home = float(block.minutes[row, int(np.searchsorted(block.reps, rep.index))])
            elif rep is not None:
                home = data.home_minutes(rep, account)
            elif len(block.reps):
                home = float(block.minutes[row].min())
            else:
                result[account.id] = hop
                continue
            result[account.id] = 2.0 * home / stops + hop
    return result


def default_rep_of(data: PlanData) -> dict[str, str]:
    """Who serves each account before a territory plan exists.

    The locked rep; else the current rep when they still work in the account's region; else the rep of
    the region whose home is nearest.
    """
    reps = data.rep_by_id
    result: dict[str, str] = {}
    for _region, block in data.region_travel.items():
        for row, a in enumerate(block.accounts.tolist()):
            account = data.accounts[a]
            for rep_id in (account.locked_rep, account.current_rep):
                if rep_id in reps and reps[rep_id].region == account.region:
                    result[account.id] = rep_id
                    break
            else:
                if len(block.reps):
                    result[account.id] = data.reps[int(block.reps[int(np.argmin(block.minutes[row]))])].id
    return dict(sorted(result.items(), key=lambda item: data.account_by_id[item[0]].index))


def region_reps(data: PlanData) -> dict[str, list[Rep]]:
    """The reps of each region, in table order."""
    out: dict[str, list[Rep]] = {}
    for rep in data.reps:
        out.setdefault(rep.region, []).append(rep)
    return out
