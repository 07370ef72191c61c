"""What the call-planning stage returns: visits per account, load and shadow price per rep and region,
totals of the current plan and of the new one. Units: sales currency/year, profit currency/month, hours
per month, shadow prices currency per selling hour."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data import PlanData
from ..result import Infeasibility, Kpi, SolveInfo

if TYPE_CHECKING:
    from .sizing import SizingResult

ACCOUNT_COLUMNS = ["account", "rep", "visits_per_month", "expected_sales", "profit", "reason"]


@dataclass(frozen=True)
class AccountPlan:
    """One account's visits per month and why."""

    account_id: str
    rep_id: str  # "" when no rep of its region can serve it
    region: str
    tier: str
    visits_per_month: int
    min_visits: int
    max_visits: int
    current_visits_per_month: float
    expected_sales: float  # currency/year at the planned visits
    current_expected_sales: float  # currency/year at the current visits
    profit: float  # currency/month: margin × sales / 12 − cost of the visits' time
    current_profit: float  # currency/month at the current visits
    hours_per_month: float  # visits × (on site + travel) / 60
    marginal_profit_per_hour: float  # best step up, currency/hour (nan at the maximum)
    reason: str


@dataclass(frozen=True)
class RepPlan:
    """One rep's selling hours and the value of one more of them."""

    rep_id: str
    region: str
    accounts: int
    hours_available: float  # selling hours/month over the horizon (absences, start/end dates)
    hours_used: float  # by the planned visits
    current_hours: float  # that the current plan's visits take
    shadow_price: float  # λ: currency per extra selling hour (Lagrange multiplier of the rep's hours)
    extra_hour_value: float  # exact: profit with 60 more minutes − profit now (nan when not solved exactly)
    profit: float  # currency/month of the rep's accounts
    proven_optimal: bool


@dataclass(frozen=True)
class RegionPrice:
    """Where one more selling hour of a region pays most."""

    region: str
    reps: int
    hours_available: float
    hours_used: float
    shadow_price: float  # the highest λ of the region's reps: where one more hour would go
    best_rep: str
    mean_shadow_price: float


@dataclass(frozen=True)
class PlanTotals:
    """Totals of a plan (the current one or the optimised one)."""

    visits_per_month: float
    hours_per_month: float
    expected_sales: float  # currency/year
    profit: float  # currency/month
    accounts_below_minimum: int
    reps_over_hours: int


@dataclass(frozen=True)
class CallResult:
    """The call plan with its certificate (``info.bound``, ``info.gap``) and explanations."""

    info: SolveInfo
    accounts: tuple[AccountPlan, ...]
    reps: tuple[RepPlan, ...]
    regions: tuple[RegionPrice, ...]
    current: PlanTotals
    planned: PlanTotals | None
    lp_bound: float | None  # the LP (convex hull) bound, for comparison with the exact bound
    infeasibilities: tuple[Infeasibility, ...] = ()
    currency: str = "CNY"
    same_hours: PlanTotals | None = None  # the optimum when each rep keeps the current plan's hours
    sizing: SizingResult | None = None  # profit against headcount per region
    shortfall: tuple[Infeasibility, ...] = ()  # tier minimums the plan could not meet (smallest shortfall)

    @property
    def uplift(self) -> float | None:
        """Expected profit gained over the current plan, currency/month."""
        return None if self.planned is None else self.planned.profit - self.current.profit

    @property
    def uplift_share(self) -> float | None:
        if self.uplift is None or self.current.profit == 0:
            return None
        return self.uplift / abs(self.current.profit)

    def summary(self) -> str:
        """A few lines for the terminal: before/after totals, uplift, shadow prices, status."""
        cur = self.currency
        lines = [self.info.summary()]
        lines += [f"  - shortfall: {item}" for item in self.shortfall]
        if self.planned is None:
            lines += [f"  - {item}" for item in self.infeasibilities]
            return "\n".join(lines)
        rows = [("", "current plan", "optimised", "change")]
        for label, before, after, unit in (
            ("visits/month", self.current.visits_per_month, self.planned.visits_per_month, ""),
            ("hours/month", self.current.hours_per_month, self.planned.hours_per_month, ""),
            ("expected sales/year", self.current.expected_sales, self.planned.expected_sales, cur),
            ("expected profit/month", self.current.profit, self.planned.profit, cur),
        ):
            change = after - before
            share = f" ({change / abs(before):+.1%})" if before else ""
            rows.append((label, f"{before:,.0f}", f"{after:,.0f}", f"{change:+,.0f}{share} {unit}".rstrip()))
        width = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            lines.append(
                "  "
                + "  ".join(
                    c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, width, strict=True))
                )
            )
        if self.same_hours is not None and self.current.profit:
            change = self.same_hours.profit - self.current.profit
            lines.append(
                f"  reallocating the current plan's hours alone ({self.same_hours.hours_per_month:,.0f} h): "
                f"profit {self.same_hours.profit:,.0f} {cur}/month ({change:+,.0f}, "
                f"{change / abs(self.current.profit):+.1%})"
            )
        if self.current.accounts_below_minimum or self.current.reps_over_hours:
            lines.append(
                f"  the current plan has {self.current.accounts_below_minimum} account(s) below their tier "
                f"minimum and {self.current.reps_over_hours} rep(s) over their hours"
            )
        for region in self.regions:
            lines.append(
                f"  region {region.region}: {region.hours_used:,.0f} of {region.hours_available:,.0f} h used; "
                f"one more selling hour is worth {region.shadow_price:,.0f} {cur}/h (rep {region.best_rep}), "
                f"{region.mean_shadow_price:,.0f} {cur}/h on average"
            )
        ranked = sorted(self.reps, key=lambda rep: (-rep.shadow_price, rep.rep_id))
        if ranked:
            shown = " · ".join(f"{rep.rep_id} {rep.shadow_price:,.0f}" for rep in ranked[:8])
            more = f" · … ({len(ranked) - 8} more in reps.csv)" if len(ranked) > 8 else ""
            lines.append(f"  shadow price of one more selling hour, {cur}/h: {shown}{more}")
        return "\n".join(lines)

    def check(self, data: PlanData) -> tuple[str, ...]:
        """Every account within its tier's visit range (or its lock), no rep over the hours it was given."""
        if self.planned is None:
            return ()
        bad = []
        short = {item.ids.get("rep") for item in self.shortfall}
        for a in self.accounts:
            if a.rep_id in short and a.visits_per_month < a.min_visits:
                continue  # a reported shortfall
            if not a.min_visits <= a.visits_per_month <= a.max_visits:
                bad.append(
                    f"{a.account_id}: {a.visits_per_month} visits/month outside [{a.min_visits}, {a.max_visits}]"
                )
        for r in self.reps:
            if r.hours_used > r.hours_available + 1e-6:
                bad.append(
                    f"{r.rep_id}: {r.hours_used:.2f} h/month used, {r.hours_available:.2f} h available"
                )
        return tuple(bad)

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]:
        out = {"allocation": self.accounts_frame(data), "reps": self.reps_frame(data)}
        if self.shortfall:
            out["shortfall"] = self.shortfall_frame()
        if self.sizing is not None:
            out["sizing"] = self.sizing.frame()
        return out

    def accounts_frame(self, data: PlanData) -> pd.DataFrame:
        """allocation.csv: account, rep, visits_per_month, expected_sales (currency/year), profit
        (currency/month), reason; then tier, bounds, current plan and rates."""
        names = {a.id: a.name for a in data.accounts}
        shadow = {r.rep_id: r.shadow_price for r in self.reps}
        rows = [
            {
                "account": p.account_id,
                "rep": p.rep_id,
                "visits_per_month": p.visits_per_month,
                "expected_sales": _r(p.expected_sales),
                "profit": _r(p.profit),
                "reason": p.reason,
                "name": names.get(p.account_id, ""),
                "region": p.region,
                "tier": p.tier,
                "min_visits": p.min_visits,
                "max_visits": p.max_visits,
                "current_visits_per_month": p.current_visits_per_month,
                "current_expected_sales": _r(p.current_expected_sales),
                "current_profit": _r(p.current_profit),
                "hours_per_month": _r(p.hours_per_month),
                "marginal_profit_per_hour": _r(p.marginal_profit_per_hour),
                "shadow_price": _r(shadow.get(p.rep_id, math.nan)),
            }
            for p in self.accounts
        ]
        return pd.DataFrame(rows, columns=[*ACCOUNT_COLUMNS, *(list(rows[0])[6:] if rows else [])])

    def shortfall_frame(self) -> pd.DataFrame:
        """shortfall.csv: the accounts below their tier minimum because their rep's hours cannot hold every
        minimum (visits and hours per month short), with each rep's shortfall and fixes in ``fix``."""
        fixes = {item.ids.get("rep"): item.suggestion for item in self.shortfall}
        rows = [
            {
                "account": a.account_id,
                "rep": a.rep_id,
                "tier": a.tier,
                "min_visits": a.min_visits,
                "visits_per_month": a.visits_per_month,
                "visits_short": a.min_visits - a.visits_per_month,
                "hours_short": _r((a.min_visits - a.visits_per_month) * (a.hours_per_month / a.visits_per_month)
                                  if a.visits_per_month else math.nan),
                "fix": fixes.get(a.rep_id, ""),
            }
            for a in self.accounts
            if a.visits_per_month < a.min_visits and a.rep_id in fixes
        ]  # fmt: skip
        return pd.DataFrame(
            rows,
            columns=[
                "account",
                "rep",
                "tier",
                "min_visits",
                "visits_per_month",
                "visits_short",
                "hours_short",
                "fix",
            ],
        )

    def reps_frame(self, data: PlanData) -> pd.DataFrame:
        """reps.csv: hours available and used, and the shadow price of one more selling hour."""
        names = {r.id: r.name for r in data.reps}
        return pd.DataFrame(
            [
                {
                    "rep": r.rep_id,
                    "name": names.get(r.rep_id, ""),
                    "region": r.region,
                    "accounts": r.accounts,
                    "hours_available": _r(r.hours_available),
                    "hours_used": _r(r.hours_used),
                    "shadow_price": _r(r.shadow_price),
                    "extra_hour_value": _r(r.extra_hour_value),
                    "current_hours": _r(r.current_hours),
                    "profit": _r(r.profit),
                    "proven_optimal": r.proven_optimal,
                }
                for r in self.reps
            ]
        )

    def kpis(self, data: PlanData) -> list[Kpi]:
        if self.planned is None:
            return []
        # the reps' whole selling hours per month (the call plan's capacity is what opportunities leave)
        available = sum(r.available_hours_per_month for r in data.reps)

        def used(hours: float) -> float | None:
            return 100.0 * hours / available if available else None

        return [
            Kpi.of("expected_sales", "expected sales per year", self.currency, self.current.expected_sales,
                   self.planned.expected_sales, True),
            Kpi.of("expected_profit", "expected profit per month", self.currency, self.current.profit,
                   self.planned.profit, True),
            Kpi.of("visits_per_month", "visits per month", "visits", self.current.visits_per_month,
                   self.planned.visits_per_month, None),
            Kpi.of("selling_hours_used", "selling hours used", "%", used(self.current.hours_per_month),
                   used(self.planned.hours_per_month), None),
        ]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        def clean(value: Any) -> Any:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [clean(v) for v in value]
            return value

        return clean(
            {
                "solve": self.info.to_dict(),
                "lp_bound": self.lp_bound,
                "currency": self.currency,
                "current": asdict(self.current),
                "planned": None if self.planned is None else asdict(self.planned),
                "uplift_profit_per_month": self.uplift,
                "uplift_share": self.uplift_share,
                "same_hours": None if self.same_hours is None else asdict(self.same_hours),
                "regions": [asdict(r) for r in self.regions],
                "reps": [asdict(r) for r in self.reps],
                "infeasibilities": [i.to_dict() for i in self.infeasibilities],
                "shortfall": [i.to_dict() for i in self.shortfall],
            }
        )


def _r(value: float, digits: int = 2) -> float:
    return round(value, digits) if math.isfinite(value) else math.nan
