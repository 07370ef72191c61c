"""Territory alignment, the result: per region solves, per account assignments, per territory totals.

Shares and deviations are fractions (0.15 = 15 %); hours are per month; potential in currency/year;
distances in road km (one way, from the rep's home).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..result import Infeasibility, SolveInfo
from .problem import MEASURES, Origin

SOLVER = "territory alignment (per region)"


@dataclass(frozen=True)
class AccountAlignment:
    """Where one account goes and why. ``rep_id`` is None only when its region has no plan."""

    account_id: str
    region: str
    rep_id: str | None
    current_rep: str | None
    origin: Origin  # kept (may stay) / new / removed (what-if) / other_region
    moved: bool  # had a current rep and now has another one (chosen or forced)
    locked: bool
    reason: str
    visits_per_month: float
    workload_hours: float  # hours/month: visits × (on-site minutes + hop) / 60 — the balanced measure
    potential: float  # currency/year
    distance_km: float  # road km from the rep's home (one way); nan without a rep

    @property
    def territory(self) -> str:
        return territory_id(self.region, self.rep_id) if self.rep_id else ""


@dataclass(frozen=True)
class TerritoryTotals:
    """One territory (= one rep of one region) before and after; deviations are shares of the target."""

    region: str
    rep_id: str
    accounts: int
    workload_hours: float
    workload_deviation: float
    potential: float
    potential_deviation: float
    visit_hours: float  # hours on site per month
    travel_hours: float  # visits × estimated travel per visit (share of the day's round trip + hop) / 60
    distance_km: float  # Σ w_i · d(i, home): the compactness term, road km per month
    selling_hours: float  # the rep's hours per month for visits and travel
    accounts_before: int
    workload_deviation_before: float
    potential_deviation_before: float

    @property
    def territory(self) -> str:
        return territory_id(self.region, self.rep_id)


@dataclass(frozen=True)
class RegionAlignment:
    """The solve of one region: status, bound and gap, moves, and the largest deviations before/after."""

    region: str
    info: SolveInfo
    reps: int
    accounts: int
    tolerance: tuple[float | None, ...]  # per measure (MEASURES)
    chosen_moves: int  # accounts that could stay and were moved
    forced_moves: int  # accounts whose current rep cannot keep them (removed, other region)
    new_accounts: int  # accounts without a current rep
    moved_share: float  # chosen moves in the cap's basis (accounts or value)
    cap: float
    largest_deviation_before: tuple[float, ...]  # max_k |dev_ke| per measure, previous alignment
    largest_deviation_after: tuple[float, ...]  # nan when there is no plan
    infeasibilities: tuple[Infeasibility, ...] = ()


@dataclass(frozen=True)
class AlignmentResult:
    """The territory plan of a scenario: per region solves, per account assignments, per territory totals."""

    info: SolveInfo
    regions: tuple[RegionAlignment, ...]
    accounts: tuple[AccountAlignment, ...]
    territories: tuple[TerritoryTotals, ...]
    infeasibilities: tuple[Infeasibility, ...]
    basis: str  # what the moved share counts: "accounts" or "value"

    @property
    def feasible(self) -> bool:
        return self.info.status.has_solution

    def rep_of(self) -> dict[str, str]:
        """Account → rep of the plan (the upstream input of call allocation and scheduling)."""
        return {a.account_id: a.rep_id for a in self.accounts if a.rep_id is not None}

    def changes(self) -> tuple[AccountAlignment, ...]:
        """Accounts whose rep differs from their current rep (new accounts included)."""
        return tuple(a for a in self.accounts if a.rep_id is not None and a.rep_id != a.current_rep)

    def summary(self) -> str:
        lines = [self.info.summary()]
        for r in self.regions:
            dev = ", ".join(
                f"{name} {_share(b, '.0%')} → {_share(a, '.0%')}"
                for name, b, a in zip(
                    MEASURES, r.largest_deviation_before, r.largest_deviation_after, strict=True
                )
            )
            lines.append(
                f"  region {r.region} ({r.accounts} accounts, {r.reps} reps): {r.info.status.value}, "
                f"objective {_num(r.info.objective)}, bound {_num(r.info.bound)}, gap {_share(r.info.gap)}; "
                f"moved {r.chosen_moves} ({r.moved_share:.1%} of {self.basis}, cap {r.cap:.0%}), "
                f"forced {r.forced_moves}, new {r.new_accounts}; largest deviation {dev}"
            )
        lines += [f"  - {item}" for item in self.infeasibilities]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "solve": self.info.to_dict(),
            "basis": self.basis,
            "regions": [
                {
                    "region": r.region,
                    "solve": r.info.to_dict(),
                    "accounts": r.accounts,
                    "reps": r.reps,
                    "tolerance": dict(zip(MEASURES, r.tolerance, strict=True)),
                    "chosen_moves": r.chosen_moves,
                    "forced_moves": r.forced_moves,
                    "new_accounts": r.new_accounts,
                    "moved_share": r.moved_share,
                    "cap": r.cap,
                    "largest_deviation_before": dict(zip(MEASURES, r.largest_deviation_before, strict=True)),
                    "largest_deviation_after": {
                        m: (None if np.isnan(v) else v)
                        for m, v in zip(MEASURES, r.largest_deviation_after, strict=True)
                    },
                }
                for r in self.regions
            ],
            "changes": len(self.changes()),
            "infeasibilities": [i.to_dict() for i in self.infeasibilities],
        }


def territory_id(region: str, rep_id: str) -> str:
    return f"{region}-{rep_id}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _share(value: float | None, fmt: str = ".2%") -> str:
    return "—" if value is None or not np.isfinite(value) else format(value, fmt)
