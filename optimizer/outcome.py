"""What a plan delivers on the ground: every headline figure measured on the scheduled visits and work.

The call plan decides visit frequencies on estimated travel; the schedule decides which visits really
happen, and the opportunities' work blocks which effort really fits. The figures a planner acts on come
from the latter, so that each can be recomputed from the output tables (visits.csv, days.csv, work.csv):

    x_a   = n_a / M                       visits per month of account a (n_a scheduled over M months)
    sales = Σ_a S_a(x_a)                   expected sales, currency/year (S_a: the account's response
                                           curve through today's point, :mod:`.calls.response`)
    profit = Σ_a m_a S_a(x_a) / 12 − Σ_r c_r F_r / M
                                           expected profit from visits, currency/month (m_a margin share,
                                           c_r the rep's cost per hour, F_r field hours: visit and travel
                                           minutes of the rep's days / 60)
    value  = profit + Σ_{j placed} EV_j / M − Σ_r c_r W_r / M − Σ_d h_d / M
                                           total value, currency/month: visits' profit plus the expected
                                           value of the opportunities whose work is all placed before
                                           their due date (work that needs visits: with a visit to the
                                           account by then), less the cost of that work (W_r work hours)
                                           and the nights away (h_d: hotel and per diem of the night
                                           after day d, days.csv's night_cost; 0 at home)

Travel is paid once: its hours are in F_r (days.csv's travel_minutes, the drives to and from a night's
place included) at the rep's cost per hour; a night adds only its hotel and per diem. Nights: the days of
days.csv with a night; they and their cost (``nights``, ``hotel_cost``) are key figures only when some
day has one, so a plan without nights away has the figures it always had.

Hours: each rep's field and work hours against the selling hours available over the horizon
(selling hours per month × presence × M); hours gap: the largest |planned − field| / field hours of a
rep (workload.csv's planned_vs_field_pct), the call plan's estimate against the schedule; balance: each
rep's executed hours F_r + W_r against the mean of the rep's region. Tier-A coverage: an account is covered when its visits over the horizon reach its
tier minimum × M (rounded), for today's plan and for this plan alike (today: current visits × M), over
the tier-A accounts some rep of their region reaches in a day trip; those no rep reaches are listed
apart with the proof (unreachable.csv), like those whose own rep cannot reach them.
The current plan's column: what the accounts buy today (Σ current sales) and today's visits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calls.response import response_of
from .data import PlanData, Reach
from .plan import Plan
from .result import Kpi

# Key figures of tours, in a plan's summary only when some day has a night: a plan without them has 0.
TOUR_KPIS = ("nights", "hotel_cost")


@dataclass(frozen=True)
class RepHours:
    """One rep's hours over the horizon: what they have and what the plan uses."""

    rep_id: str
    region: str
    selling_hours: float  # available for customer work over the horizon
    planned_hours: float  # the call plan's visit hours (estimated travel) × months
    field_hours: float  # scheduled: visit and travel minutes of the rep's days / 60
    work_hours: float  # scheduled opportunity work

    @property
    def used_hours(self) -> float:
        return self.field_hours + self.work_hours

    @property
    def gap(self) -> float | None:
        """(planned − field) / field hours: how far the call plan's hours are from the schedule's."""
        return (self.planned_hours - self.field_hours) / self.field_hours if self.field_hours else None

    @property
    def overrun(self) -> float:
        """Share of the selling hours the plan uses beyond them (0 when it fits)."""
        return (
            max(0.0, self.used_hours - self.selling_hours) / self.selling_hours if self.selling_hours else 0.0
        )


@dataclass(frozen=True)
class Outcome:
    """The plan's figures on the ground (module docstring); per month unless named otherwise."""

    months: float
    sales: float  # currency/year
    current_sales: float
    profit: float  # currency/month
    current_profit: float | None
    value: float  # currency/month
    visits_per_month: float
    current_visits_per_month: float
    opportunity_value: float  # expected value of the opportunities whose work is placed (horizon)
    opportunities_placed: int
    coverage: float | None  # tier-A share at its minimum, %
    current_coverage: float | None
    top_tier: str
    reps: tuple[RepHours, ...]
    unreachable: tuple[Reach, ...]  # accounts no rep of their region reaches in a day trip (counted apart)
    out_of_reach: tuple[
        tuple[str, str, Reach], ...
    ]  # (account, its rep, reach): its rep's day trip does not reach it
    nights: int = 0  # nights away over the horizon (days with a night)
    hotel_cost: float = 0.0  # hotel and per diem of those nights, currency over the horizon
    below_minimum: int = 0  # accounts of any tier (unreachable ones apart) scheduled below its minimum

    @property
    def hours_gap(self) -> float | None:
        """The largest |gap| of a rep (:attr:`RepHours.gap`), None when no rep has field hours."""
        return max((abs(r.gap) for r in self.reps if r.gap is not None), default=None)

    def balance(self) -> float:
        """Largest |executed hours − region mean| / region mean over the reps, as a share."""
        worst = 0.0
        by_region: dict[str, list[float]] = defaultdict(list)
        for r in self.reps:
            by_region[r.region].append(r.used_hours)
        for hours in by_region.values():
            mean = float(np.mean(hours)) if hours else 0.0
            if mean > 0:
                worst = max(worst, max(abs(h - mean) for h in hours) / mean)
        return worst

    def kpis(self, currency: str) -> list[Kpi]:
        selling = sum(r.selling_hours for r in self.reps)
        used = sum(r.used_hours for r in self.reps)
        work = sum(r.work_hours for r in self.reps)
        worst = max((r.overrun for r in self.reps), default=0.0)
        value_name = "total value per month (visit profit + opportunities − their work's cost" + (
            " − hotel and per diem)" if self.nights else ")"
        )
        tours = [
            Kpi.of("nights", "nights away over the horizon", "nights", None, float(self.nights), None),
            Kpi.of("hotel_cost", "hotel and per diem of the nights away over the horizon", currency, None,
                   self.hotel_cost, False),
        ] if self.nights else []  # fmt: skip
        return [
            Kpi.of("expected_sales", "expected sales per year (scheduled visits)", currency, self.current_sales,
                   self.sales, True),
            Kpi.of("expected_profit", "expected profit per month from the scheduled visits", currency,
                   self.current_profit, self.profit, True),
            Kpi.of("total_value", value_name, currency, self.current_profit, self.value, True),
            Kpi.of("visits_per_month", "visits per month (scheduled)", "visits", self.current_visits_per_month,
                   self.visits_per_month, None),
            Kpi.of("tier_a_coverage", f"tier-{self.top_tier} accounts at their minimum visits", "%",
                   self.current_coverage, self.coverage, True),
            Kpi.of("selling_hours_used", "selling hours used (scheduled field and opportunity work)", "%", None,
                   100.0 * used / selling if selling else None, None),
            Kpi.of("opportunity_hours_used", "selling hours given to opportunity work (scheduled)", "%", None,
                   100.0 * work / selling if selling else None, None),
            Kpi.of("worst_hours_overrun", "largest overrun of a rep's selling hours", "%", None, 100.0 * worst,
                   False),
            Kpi.of("hours_gap", "largest gap between a rep's planned visit hours and its scheduled field hours",
                   "%", None, None if self.hours_gap is None else 100.0 * self.hours_gap, False),
            Kpi.of("workload_balance", "largest deviation of a rep's executed hours from the region mean", "%",
                   None, 100.0 * self.balance(), False),
            Kpi.of("opportunity_value", "expected value of the opportunities whose work is scheduled (and a visit by the due date, where needed)", currency,
                   None, self.opportunity_value, True),
            Kpi.of("unreachable_accounts", "accounts no rep of their region reaches (apart; day trips, and tours where on)",
                   "accounts", None, float(len(self.unreachable)), False),
            Kpi.of("accounts_out_of_reach", "accounts whose rep cannot reach them (day trip or tour)", "accounts",
                   None, float(len(self.out_of_reach)), False),
            *tours,
        ]  # fmt: skip

    def unreachable_frame(self, data: PlanData) -> pd.DataFrame:
        """unreachable.csv: accounts no visit of their rep can reach in a day trip, with the proof."""
        rows = []
        for reach in self.unreachable:
            a = data.account_by_id[reach.account_id]
            rows.append(
                {
                    "account": a.id,
                    "account_name": a.name,
                    "region": a.region,
                    "rep": "",
                    "reachable_by": "",
                    "nearest_rep": reach.nearest or "",
                    "minutes_there": round(reach.there),
                    "minutes_back": round(reach.back),
                    "why": f"no rep of region {a.region} reaches it: {reach.proof(data)}",
                }
            )
        for account_id, rep, reach in self.out_of_reach:
            a = data.account_by_id[account_id]
            rows.append(
                {
                    "account": a.id,
                    "account_name": a.name,
                    "region": a.region,
                    "rep": rep,
                    "reachable_by": ";".join(reach.by),
                    "nearest_rep": reach.nearest or "",
                    "minutes_there": round(reach.there),
                    "minutes_back": round(reach.back),
                    "why": f"{rep}'s day trip does not reach it; {', '.join(reach.by)} could",
                }
            )
        columns = [
            "account",
            "account_name",
            "region",
            "rep",
            "reachable_by",
            "nearest_rep",
            "minutes_there",
            "minutes_back",
            "why",
        ]
        return pd.DataFrame(rows, columns=columns)  # fmt: skip

    def frame(self) -> pd.DataFrame:
        """workload.csv: per rep the selling hours, the call plan's hours and the scheduled ones."""
        return pd.DataFrame(
            [
                {
                    "rep": r.rep_id,
                    "region": r.region,
                    "selling_hours": round(r.selling_hours, 2),
                    "planned_visit_hours": round(r.planned_hours, 2),
                    "field_hours": round(r.field_hours, 2),
                    "opportunity_work_hours": round(r.work_hours, 2),
                    "used_hours": round(r.used_hours, 2),
                    "used_share_pct": round(100.0 * r.used_hours / r.selling_hours, 1)
                    if r.selling_hours
                    else None,
                    "planned_vs_field_pct": None if r.gap is None else round(100.0 * r.gap, 1),
                }
                for r in self.reps
            ]
        )


def covered(visits: float, minimum: float, months: float) -> bool:
    """The one definition of tier coverage: visits over the horizon reach the minimum's, rounded."""
    return round(visits * months) >= round(minimum * months)


def outcome(plan: Plan) -> Outcome:
    """The figures of a complete plan (module docstring)."""
    data = plan.data
    schedule = plan.schedule
    assert schedule is not None
    months = data.horizon.months
    tier_of = plan.tier_of()
    scheduled = Counter(v.account_id for v in schedule.visits)
    sales = 0.0
    margin = 0.0
    for account in data.accounts:
        curve = response_of(data, account, tier_of.get(account.id, ""))
        amount = float(curve.sales(scheduled.get(account.id, 0) / months))
        sales += amount
        margin += account.margin * amount / 12.0
    field: dict[str, float] = defaultdict(float)
    for day in schedule.days:
        field[day.rep_id] += (day.travel_minutes + day.visit_minutes) / 60.0
    work: dict[str, float] = defaultdict(float)
    for block in schedule.work:
        work[block.rep_id] += block.minutes / 60.0
    planned = {r.rep_id: r.hours_used * months for r in plan.calls.reps} if plan.calls is not None else {}
    reps = tuple(
        RepHours(
            r.id,
            r.region,
            r.available_hours_per_month * months,
            planned.get(r.id, 0.0),
            field[r.id],
            work[r.id],
        )
        for r in data.reps
    )
    cost = {r.id: r.cost_per_hour for r in data.reps}
    profit = margin - sum(cost[r.rep_id] * r.field_hours for r in reps) / months
    short = {s.opportunity_id for s in schedule.work_short}
    placed = {b.opportunity_id for b in schedule.work} - short - schedule.unvisited(data)
    opportunity_value = sum(data.opportunity_by_id[i].value for i in placed)
    work_cost = sum(cost[r.rep_id] * r.work_hours for r in reps)
    hotel_cost = schedule.night_cost  # travel to and from the night's place is already in field hours
    value = profit + opportunity_value / months - work_cost / months - hotel_cost / months
    reaches = {a.id: data.reach(a) for a in data.accounts}
    unreachable = tuple(r for r in reaches.values() if not r.by)
    rep_of = plan.rep_of()
    out_of_reach = tuple(
        (a, rep, r) for a, r in reaches.items() if r.by and (rep := rep_of.get(a) or "") and rep not in r.by
    )
    top = data.rules.top_tier
    band = data.rules.band(top)
    minimum = band.min if band is not None else 0.0
    apart = {r.account_id for r in unreachable}
    tops = [a for a in data.accounts if tier_of.get(a.id) == top and a.id not in apart]

    def share(flags: list[bool]) -> float | None:
        return 100.0 * sum(flags) / len(flags) if flags else None

    current_profit = plan.calls.current.profit if plan.calls is not None else None
    bands = {a.id: data.rules.band(tier_of.get(a.id, "")) for a in data.accounts if a.id not in apart}
    below = sum(
        1
        for a, b in bands.items()
        if b is not None and not covered(scheduled.get(a, 0) / months, b.min, months)
    )
    return Outcome(
        months=months,
        sales=sales,
        current_sales=sum(a.current_sales for a in data.accounts),
        profit=profit,
        current_profit=current_profit,
        value=value,
        visits_per_month=len(schedule.visits) / months,
        current_visits_per_month=sum(a.current_visits_per_month or 0.0 for a in data.accounts),
        opportunity_value=opportunity_value,
        opportunities_placed=len(placed),
        coverage=share([covered(scheduled.get(a.id, 0) / months, minimum, months) for a in tops]),
        current_coverage=share([covered(a.current_visits_per_month or 0.0, minimum, months) for a in tops]),
        top_tier=top,
        reps=reps,
        unreachable=unreachable,
        out_of_reach=out_of_reach,
        nights=schedule.nights,
        hotel_cost=hotel_cost,
        below_minimum=below,
    )


def executed_hours(plan: Plan) -> dict[str, float]:
    """Account → hours per month the plan executes for it: its scheduled visits on site, the travel they
    cause (:func:`.calls.calibrate.travel_by_account`) and its opportunity work. Summed over a rep's
    accounts: the rep's used hours of workload.csv (field and work hours) / months."""
    from .calls.calibrate import travel_by_account

    schedule = plan.schedule
    assert schedule is not None
    months = max(plan.data.horizon.months, 1e-9)
    travel, _ = travel_by_account(schedule)
    minutes: dict[str, float] = defaultdict(float, travel)
    for v in schedule.visits:
        minutes[v.account_id] += v.end - v.start
    for block in schedule.work:
        minutes[block.account_id] += block.minutes
    return {a.id: minutes.get(a.id, 0.0) / 60.0 / months for a in plan.data.accounts}


def measured_on(data: PlanData) -> str:
    """One line for the report: where the figures come from."""
    return (
        f"Figures are measured on the scheduled visits and opportunity work over {data.horizon.weeks} weeks; "
        "the current plan's sales are what the accounts buy today."
    )
