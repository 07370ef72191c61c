"""The reach check of `validate`: per region, the accounts no rep of the region reaches in a day trip, and
whether nights away (policy.travel.overnight) may take a rep to them.

An account is beyond a day trip when no rep of its region has ``reachable`` in :attr:`PlanData.region_travel`
(:meth:`PlanData.day_trip`: there, the visit, back, within the working day less lunch). A night away is
allowed for it when overnight trips are on, allow some night (:attr:`.OvernightRules.possible`), and its
nearest rep (:meth:`PlanData.reach`) lives beyond ``min_drive_minutes`` one way from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .data import PlanData, Reach
from .result import Fix


@dataclass(frozen=True)
class Unreachable:
    """The accounts of one region that no rep of the region reaches in a day trip, farthest first.

    ``overnight`` is "off" (overnight trips are off), "blocked" (on, but no night is allowed) or "on";
    ``allowed`` the ids a night away is allowed for; ``fixes`` the changes that would allow more of them.
    """

    region: str
    reaches: tuple[Reach, ...]
    dealers: bool  # every one of them is a dealer (the words say 'dealers')
    overnight: str
    allowed: tuple[str, ...]
    min_drive_minutes: float | None  # the policy's, when overnight trips are on
    fixes: tuple[Fix, ...] = ()

    @property
    def farthest(self) -> Reach:
        return self.reaches[0]

    @property
    def within(self) -> tuple[Reach, ...]:
        """Those a night away is not allowed for."""
        allowed = set(self.allowed)
        return tuple(r for r in self.reaches if r.account_id not in allowed)

    def text(self, name: str = "") -> tuple[str, str]:
        """(message, advice) in a planner's words; ``name`` is the region's display name."""
        from .words import unreachable_text

        return unreachable_text(self, name)

    def to_dict(self) -> dict[str, Any]:
        allowed = set(self.allowed)
        return {
            "region": self.region,
            "overnight": self.overnight,
            "accounts": [
                {
                    "account": r.account_id,
                    "nearest_rep": r.nearest,
                    "minutes_one_way": math.ceil(r.there - 1e-9),  # as the message says
                    "overnight_allowed": r.account_id in allowed,
                }
                for r in self.reaches
            ],
            "fixes": [f.to_dict() for f in self.fixes],
        }


def check_reach(data: PlanData) -> list[Unreachable]:
    """Every region with accounts no rep of it reaches in a day trip (regions without reps left out:
    the scenario check reports them)."""
    rules = data.overnight
    by_region: dict[str, list[Reach]] = {}
    dealers: dict[str, bool] = {}
    for account in data.accounts:
        reach = data.reach(account, day_trips=True)
        if reach.by or reach.nearest is None:
            continue
        by_region.setdefault(account.region, []).append(reach)
        dealers[account.region] = dealers.get(account.region, True) and account.is_dealer
    found: list[Unreachable] = []
    for region in dict.fromkeys([*data.regions, *by_region]):
        if region not in by_region:
            continue
        reaches = tuple(sorted(by_region[region], key=lambda r: (-r.there, r.account_id)))
        if rules is None:
            found.append(
                Unreachable(
                    region,
                    reaches,
                    dealers[region],
                    "off",
                    (),
                    None,
                    (Fix("set", "policy.travel.overnight.enabled", True, False),),
                )
            )
            continue
        if not rules.possible:
            found.append(
                Unreachable(region, reaches, dealers[region], "blocked", (), rules.min_drive_minutes)
            )
            continue
        allowed = tuple(r.account_id for r in reaches if rules.beyond_day_trips(r.there))
        nearest = min((r.there for r in reaches if not rules.beyond_day_trips(r.there)), default=None)
        fixes = (
            (Fix("set", "policy.travel.overnight.min_drive_minutes", max(0, math.ceil(nearest) - 1),
                 rules.min_drive_minutes),)
            if nearest is not None and nearest > 0
            else ()
        )  # fmt: skip
        found.append(
            Unreachable(region, reaches, dealers[region], "on", allowed, rules.min_drive_minutes, fixes)
        )
    return found
