"""What the call-planning stage returns: visits per account, load and shadow price per rep and region,
totals of the current plan and of the new one. Units: sales currency/year, profit currency/month, hours
per month, shadow prices currency per selling hour."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ..result import Infeasibility, SolveInfo


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
class AllocationResult:
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
            }
        )
