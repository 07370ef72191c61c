"""Territory alignment, the result: per region solves, per account assignments, per territory totals.

Shares and deviations are fractions (0.15 = 15 %); hours are per month; potential in currency/year;
distances in road km (one way, from the rep's home).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import PlanData
from ..result import Infeasibility, Kpi, SolveInfo
from .problem import MEASURES, Origin

SOLVER = "territory alignment (per region)"
TERRITORY_COLUMNS = ("account", "region", "rep", "territory", "moved", "reason")
CHANGE_COLUMNS = ("account", "from_rep", "to_rep", "reason")


@dataclass(frozen=True)
class AccountPlacement:
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
class RegionPlan:
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
class TerritoryResult:
    """The territory plan of a scenario: per region solves, per account assignments, per territory totals."""

    info: SolveInfo
    regions: tuple[RegionPlan, ...]
    accounts: tuple[AccountPlacement, ...]
    territories: tuple[TerritoryTotals, ...]
    infeasibilities: tuple[Infeasibility, ...]
    basis: str  # what the moved share counts: "accounts" or "value"
    # (account, rep) pairs the realignment may not use: reps an account left in an earlier round
    barred: tuple[tuple[str, str], ...] = ()

    @property
    def feasible(self) -> bool:
        return self.info.status.has_solution

    def rep_of(self) -> dict[str, str]:
        """Account → rep of the plan (the upstream input of call allocation and scheduling)."""
        return {a.account_id: a.rep_id for a in self.accounts if a.rep_id is not None}

    def changes(self) -> tuple[AccountPlacement, ...]:
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

    def check(self, data: PlanData) -> tuple[str, ...]:
        """Every account in exactly one territory, of a rep of its own region (no cross-region selling);
        locked accounts with their rep. Apart from the engine's checker: read from the plan and the facts."""
        if not self.feasible:
            return ()
        bad: list[str] = []
        seen: dict[str, int] = {}
        for a in self.accounts:
            seen[a.account_id] = seen.get(a.account_id, 0) + 1
        for account in data.accounts:
            if seen.get(account.id, 0) != 1:
                bad.append(f"{account.id}: in {seen.get(account.id, 0)} territories, not exactly one")
        for a in self.accounts:
            rep = data.rep_by_id.get(a.rep_id or "")
            account = data.account_by_id[a.account_id]
            if rep is None:
                bad.append(f"{a.account_id}: no rep")
            elif rep.region != account.region:
                bad.append(f"{a.account_id} (region {account.region}) with {rep.id} of region {rep.region}")
            if account.locked_rep and a.rep_id != account.locked_rep:
                bad.append(f"{a.account_id}: locked to {account.locked_rep}, placed with {a.rep_id}")
        return tuple(bad)

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]:
        return {
            "territories": self.territories_frame(data),
            "territory_summary": self.summary_frame(data),
            "changes": self.changes_frame(),
        }

    def territories_frame(self, data: PlanData) -> pd.DataFrame:
        """territories.csv: one row per account — its rep and territory, whether it moved and why, and
        whether the move was forced (its rep left, works in another region or cannot reach it in a day trip,
        or it had none: outside the move budget). Column names are an interface: it starts account, region,
        rep, territory, moved, reason."""
        accounts, reps = data.account_by_id, data.rep_by_id
        rows = [
            {
                "account": a.account_id,
                "region": a.region,
                "rep": a.rep_id or "",
                "territory": a.territory,
                "moved": a.moved,
                "reason": a.reason,
                "account_name": accounts[a.account_id].name,
                "rep_name": reps[a.rep_id].name if a.rep_id in reps else "",
                "workload_hours": round(a.workload_hours, 2),
                "potential": round(a.potential, 2),
                "forced": a.moved and a.origin != "kept",
            }
            for a in self.accounts
        ]
        return pd.DataFrame(
            rows,
            columns=[*TERRITORY_COLUMNS, "account_name", "rep_name", "workload_hours", "potential", "forced"],
        )

    def summary_frame(self, data: PlanData) -> pd.DataFrame:
        """territory_summary.csv: one row per territory — size, workload, potential, travel, deviations now
        and before (percent of the region's target). workload_hours is the balanced measure (visits ×
        (on-site + hop minutes)); hours_needed = visit_hours + travel_estimate_hours (with the round trip
        from the rep's home) compares with the rep's selling_hours."""
        reps = data.rep_by_id
        rows = [
            {
                "territory": t.territory,
                "region": t.region,
                "rep": t.rep_id,
                "rep_name": reps[t.rep_id].name if t.rep_id in reps else "",
                "accounts": t.accounts,
                "workload_hours": round(t.workload_hours, 2),
                "workload_deviation_pct": _pct(t.workload_deviation),
                "potential": round(t.potential, 2),
                "potential_deviation_pct": _pct(t.potential_deviation),
                "travel_estimate_hours": round(t.travel_hours, 2),
                "visit_hours": round(t.visit_hours, 2),
                "hours_needed": round(t.visit_hours + t.travel_hours, 2),
                "selling_hours": round(t.selling_hours, 2),
                "road_km_per_month": round(t.distance_km, 1),
                "accounts_before": t.accounts_before,
                "workload_deviation_before_pct": _pct(t.workload_deviation_before),
                "potential_deviation_before_pct": _pct(t.potential_deviation_before),
            }
            for t in self.territories
        ]
        return pd.DataFrame(rows)

    def changes_frame(self) -> pd.DataFrame:
        """changes.csv: every account whose rep changes (new accounts have an empty from_rep); exactly the
        columns account, from_rep, to_rep, reason."""
        rows = [
            {"account": a.account_id, "from_rep": a.current_rep or "", "to_rep": a.rep_id, "reason": a.reason}
            for a in self.changes()
        ]
        return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))

    def kpis(self, data: PlanData) -> list[Kpi]:
        moved = [a for a in self.accounts if a.moved]
        before = [max((abs(x) for x in r.largest_deviation_before[:1]), default=0.0) for r in self.regions]
        after = [max((abs(x) for x in r.largest_deviation_after[:1]), default=0.0) for r in self.regions]
        return [
            Kpi.of("workload_balance", "largest workload deviation from the region target", "%",
                   100.0 * max(before, default=0.0), 100.0 * max(after, default=0.0), False),
            Kpi.of("accounts_moved", "accounts that change rep", "accounts", 0.0, float(len(moved)), False),
        ]  # fmt: skip

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


def _pct(share: float) -> float:
    return round(100.0 * share, 1)
