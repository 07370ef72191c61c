"""The planning policy and horizon of a scenario (the YAML part): tiers, travel, balance, solver, ..."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .fields import WEEKDAYS, DateList, Finite, Money, Share, WeekdayList


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VisitRange(Section):
    """Visits per month an account of a tier must and may get."""

    min: Annotated[Finite, Field(ge=0, le=60)] = Field(default=0, description="Minimum visits per month.")
    max: Annotated[Finite, Field(ge=0, le=60)] = Field(default=8, description="Maximum visits per month.")

    @model_validator(mode="after")
    def _ordered(self) -> VisitRange:
        if self.max < self.min:
            raise ValueError(f"max: max ({self.max:g}) is below min ({self.min:g})")
        return self


class ResponseJudgment(Section):
    """Judged sales response to visits, as ratios of current sales (CALLPLAN, Lodish 1971).

    Sales at the current visit level are 1.0 by definition.
    """

    at_zero: Annotated[Finite, Field(ge=0, le=100)] = Field(default=0.7, description="Sales with no visits.")
    at_half: Annotated[Finite, Field(ge=0, le=100)] = Field(
        default=0.88, description="Sales at half the current level."
    )
    at_150: Annotated[Finite, Field(ge=0, le=100)] = Field(
        default=1.08, description="Sales at 50 % more visits."
    )
    at_saturation: Annotated[Finite, Field(ge=0, le=100)] = Field(
        default=1.2, description="Sales with unlimited visits."
    )


DEFAULT_TIER_VISITS: dict[str, VisitRange] = {
    "A": VisitRange(min=2, max=8),
    "B": VisitRange(min=1, max=4),
    "C": VisitRange(min=0, max=2),
}


class TierPolicy(Section):
    """How tiers are set (the customer value pyramid) and the visit range of each tier."""

    method: Literal["pareto", "score", "given"] = Field(
        default="pareto",
        description=(
            "pareto: rank accounts by `basis`, the accounts making up the first `cuts[A]` of value are A, ...; "
            "score: weighted score of account criteria against `score_cuts`; given: the accounts table's tier column."
        ),
    )
    basis: Literal["current_sales", "potential", "profit"] = Field(
        default="current_sales",
        description="Value the Pareto cut ranks by (profit = current_sales × margin).",
    )
    cuts: dict[str, Annotated[Finite, Field(gt=0, le=1)]] = Field(
        default_factory=lambda: {"A": 0.8, "B": 0.95, "C": 1.0},
        description="Pareto method: tier → cumulative share of value it reaches (ascending, last = 1).",
    )
    score_weights: dict[
        Literal["cooperation", "capability", "credit", "relationship"],
        Annotated[Finite, Field(ge=0, le=1000)],
    ] = Field(
        default_factory=lambda: {"cooperation": 0.25, "capability": 0.35, "credit": 0.2, "relationship": 0.2},  # type: ignore[arg-type]
        description="Score method: weight of each criterion (scores are 0–100 in the accounts table).",
    )
    score_cuts: dict[str, Annotated[Finite, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"A": 75.0, "B": 50.0, "C": 0.0},
        description="Score method: tier → minimum weighted score (descending, last = 0).",
    )
    visits: dict[str, VisitRange] = Field(
        default_factory=lambda: dict(DEFAULT_TIER_VISITS),
        description="Tier → visits per month (min, max).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> TierPolicy:
        if self.method == "pareto":
            shares = list(self.cuts.values())
            if shares != sorted(shares) or not shares or shares[-1] != 1.0:
                raise ValueError("cuts: cuts must ascend and the last tier must reach 1.0 (all accounts)")
            missing = [t for t in self.cuts if t not in self.visits]
            if missing:
                raise ValueError(
                    f"visits: tiers {missing} have cuts but no visits range in policy.tiers.visits"
                )
        if self.method == "score":
            scores = list(self.score_cuts.values())
            if scores != sorted(scores, reverse=True) or not scores or scores[-1] != 0:
                raise ValueError("score_cuts: score_cuts must descend and the last tier must start at 0")
            if sum(self.score_weights.values()) <= 0:
                raise ValueError("score_weights: score_weights must not all be 0")
            missing = [t for t in self.score_cuts if t not in self.visits]
            if missing:
                raise ValueError(
                    f"visits: tiers {missing} have score_cuts but no visits range in policy.tiers.visits"
                )
        return self


class OvernightPolicy(Section):
    """Nights away (出差): when a rep may stay overnight near far customers instead of driving home.

    A tour visits a cluster of far customers over several days: the rep stays the night at a listed
    overnight place (the overnight_places table) near the day's last customer, or ends the day at that
    customer when no place is near, and starts the next day from there.
    """

    enabled: bool = Field(
        default=False,
        description="Plan tours with nights away; false: every working day starts and ends at the rep's home.",
    )
    nights: WeekdayList = Field(
        default=("mon", "tue", "wed", "thu"),
        description="Weekdays on whose evening a night away is allowed, e.g. [mon, tue, wed, thu]: the next "
        "working day starts where the night was spent.",
    )
    min_drive_minutes: Annotated[Finite, Field(ge=0, le=24 * 60)] = Field(
        default=120.0,
        description="A night away only when the next customers lie beyond this one-way drive from the rep's "
        "home, minutes (nearer ones are visited in day trips).",
    )
    max_nights_per_week: Annotated[int, Field(ge=0, le=7)] = Field(
        default=3, description="At most this many nights away per rep and calendar week."
    )
    max_nights_in_a_row: Annotated[int, Field(ge=0, le=7)] = Field(
        default=2,
        description="At most this many nights away in a row before the rep comes home (2: a three-day tour).",
    )
    hotel_cost: Money = Field(
        default=0.0,
        description="Hotel cost per night (currency/night) where an overnight place has no cost of its own, "
        "and for a night at the day's last customer.",
    )
    per_diem: Money = Field(
        default=0.0,
        description="Allowance per night away (meals, 出差补贴), currency/night, on top of the hotel.",
    )
    max_detour_minutes: Annotated[Finite, Field(ge=0, le=24 * 60)] = Field(
        default=30.0,
        description="Stay at a listed overnight place only when it lies within this detour of the day's last "
        "customer, minutes; otherwise the day ends at the last customer and the next day starts there.",
    )

    @model_validator(mode="after")
    def _in_a_row_within_week(self) -> OvernightPolicy:
        if self.max_nights_in_a_row > self.max_nights_per_week:
            raise ValueError(
                f"max_nights_in_a_row: max_nights_in_a_row ({self.max_nights_in_a_row}) is above "
                f"max_nights_per_week ({self.max_nights_per_week}): lower it to {self.max_nights_per_week} or "
                "raise max_nights_per_week"
            )
        return self


class TravelPolicy(Section):
    """Travel model: great-circle distance × detour factor ÷ speed, or the scenario's travel matrix."""

    method: Literal["great_circle", "matrix"] = Field(
        default="great_circle", description="matrix: use the travel_matrix table where it has the pair."
    )
    detour_factor: Annotated[Finite, Field(ge=1, le=5)] = Field(
        default=1.3, description="Road km per straight km."
    )
    speed_kmh: Annotated[Finite, Field(gt=0, le=200)] = Field(
        default=30.0, description="Average speed, km/h."
    )
    overnight: OvernightPolicy = Field(
        default_factory=OvernightPolicy,
        description="Nights away on tours to far customers: on which evenings, how many, at what cost (off by "
        "default).",
    )


class EconomicsPolicy(Section):
    """Defaults for values the tables may leave empty."""

    default_margin: Share = Field(default=0.25, description="Gross margin share when an account has none.")
    default_visit_minutes: Annotated[Finite, Field(gt=0, le=720)] = Field(
        default=60.0, description="Minutes on site per visit when an account has none."
    )
    cost_per_hour: Money = Field(
        default=0.0, description="Cost of one rep hour (currency/hour) when a rep has none."
    )
    currency: str = Field(default="CNY", description="Currency of every money amount.")


class ResponsePolicy(Section):
    """Default sales-response judgments (ratios of current sales) for accounts without their own."""

    default: ResponseJudgment = Field(default_factory=ResponseJudgment, description="For every account.")
    by_tier: dict[str, ResponseJudgment] = Field(default_factory=dict, description="Tier → judgment.")
    by_segment: dict[str, ResponseJudgment] = Field(
        default_factory=dict, description="Segment → judgment (wins over by_tier)."
    )
    max_visits_per_month: Annotated[int, Field(ge=1, le=60)] = Field(
        default=8, description="Highest visit level considered (K in 0..K) unless a tier's max is lower."
    )


class BalancePolicy(Section):
    """Territory balance and compactness."""

    workload_tolerance: Annotated[Finite, Field(gt=0, le=10)] | None = Field(
        default=0.15,
        description="Each territory's workload within ± this share of its region's mean (None: off).",
    )
    potential_tolerance: Annotated[Finite, Field(gt=0, le=10)] | None = Field(
        default=0.25,
        description="Each territory's potential within ± this share of its region's mean (None: off).",
    )
    contiguity: Literal["none", "delaunay", "table"] = Field(
        default="none",
        description="Require connected territories over Delaunay neighbours or the adjacency table.",
    )


class ReassignmentPolicy(Section):
    """Quarterly reassignment: move few accounts away from the rep who owns the relationship."""

    max_moved_share: Annotated[Finite, Field(ge=0, le=1)] = Field(
        default=0.15, description="At most this share of accounts (or value) changes rep."
    )
    basis: Literal["accounts", "value"] = Field(default="accounts", description="What the cap counts.")
    max_moves_per_account_per_year: Annotated[int, Field(ge=0, le=52)] | None = Field(
        default=1,
        description=(
            "An account that changed rep this many times in the 365 days before the horizon (the accounts "
            "table's moved_dates, which `salesplan rollover` keeps) stays with its rep, unless it must move "
            "(its rep left or works in another region). None: no limit."
        ),
    )


class OpportunityPolicy(Section):
    """Opportunity matrix thresholds and the portfolio limits."""

    size_threshold: Money | None = Field(
        default=None, description="Expected size above which an opportunity is 'large' (default: the median)."
    )
    probability_threshold: Share | None = Field(
        default=None, description="Probability above which an opportunity is 'likely' (default: the median)."
    )
    max_per_account: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=2,
        description="At most this many opportunities pursued per account this quarter (None: no limit).",
    )
    hours_share: Share = Field(
        default=1.0,
        description="Share of a rep's hours left after visits that may go to opportunities.",
    )


class SchedulePolicy(Section):
    """Visit schedule options."""

    min_days_between_visits: Annotated[int, Field(ge=0, le=60)] | None = Field(
        default=None, description="No two visits to one account closer than this (default: from frequency)."
    )


class SolverPolicy(Section):
    """Stopping rules and seed (the same scenario and seed give the same plan)."""

    time_limit_seconds: Annotated[Finite, Field(gt=0, le=86400)] = Field(
        default=60.0, description="Wall-clock limit per solver stage, seconds."
    )
    relative_gap: Annotated[Finite, Field(ge=0, le=1)] = Field(
        default=1e-4, description="Stop when proven within this relative gap of the optimum."
    )
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = Field(default=0, description="Random seed.")


class Policy(Section):
    """Every planning rule of a scenario."""

    tiers: TierPolicy = Field(default_factory=TierPolicy)
    travel: TravelPolicy = Field(default_factory=TravelPolicy)
    economics: EconomicsPolicy = Field(default_factory=EconomicsPolicy)
    response: ResponsePolicy = Field(default_factory=ResponsePolicy)
    balance: BalancePolicy = Field(default_factory=BalancePolicy)
    reassignment: ReassignmentPolicy = Field(default_factory=ReassignmentPolicy)
    opportunities: OpportunityPolicy = Field(default_factory=OpportunityPolicy)
    schedule: SchedulePolicy = Field(default_factory=SchedulePolicy)
    solver: SolverPolicy = Field(default_factory=SolverPolicy)


class Horizon(Section):
    """The planning horizon: which days are working days, and the working day's hours."""

    start: Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))] = Field(
        description="First day of the plan (YYYY-MM-DD), between 2000-01-01 and 2100-12-31."
    )
    weeks: Annotated[int, Field(ge=1, le=104)] = Field(
        default=13, description="Length in weeks (13 = a quarter)."
    )
    working_weekdays: WeekdayList = Field(
        default=("mon", "tue", "wed", "thu", "fri"), description="Weekdays that are working days."
    )
    holidays: DateList = Field(default=(), description="Public holidays (no visits).")
    workdays: DateList = Field(
        default=(),
        description="Make-up working days (调休): dates off the working weekdays that are working days, "
        "e.g. a Sunday before Spring Festival or National Day.",
    )
    day_start: dt.time = Field(default=dt.time(8, 30), description="Working day starts, HH:MM.")
    day_end: dt.time = Field(default=dt.time(17, 30), description="Working day ends, HH:MM.")
    lunch_break_minutes: Annotated[int, Field(ge=0, le=180)] = Field(
        default=60, description="Lunch break, minutes."
    )

    @model_validator(mode="after")
    def _valid_day(self) -> Horizon:
        if not self.working_weekdays:
            raise ValueError("working_weekdays: working_weekdays is empty")
        if self.day_end <= self.day_start:
            raise ValueError("day_end: day_end must be after day_start")
        if self.day_minutes <= self.lunch_break_minutes:
            raise ValueError("lunch_break_minutes: the lunch break is as long as the working day")
        both = sorted(set(self.workdays) & set(self.holidays))
        if both:
            raise ValueError(f"workdays: {both[0]} is both a make-up working day and a holiday")
        return self

    @property
    def end(self) -> dt.date:
        """Last calendar day of the horizon (inclusive)."""
        return self.start + dt.timedelta(days=7 * self.weeks - 1)

    @property
    def months(self) -> float:
        """Length in months (a month is 52/12 weeks)."""
        return self.weeks * 12.0 / 52.0

    @property
    def day_minutes(self) -> int:
        """Minutes from day_start to day_end."""
        start = self.day_start.hour * 60 + self.day_start.minute
        end = self.day_end.hour * 60 + self.day_end.minute
        return end - start

    def working_days(self) -> list[dt.date]:
        """Working dates in the horizon: working weekdays and make-up working days, minus holidays."""
        holidays = set(self.holidays)
        workdays = set(self.workdays)
        allowed = {WEEKDAYS.index(d) for d in self.working_weekdays}
        days = (self.start + dt.timedelta(days=i) for i in range(7 * self.weeks))
        return [d for d in days if (d.weekday() in allowed or d in workdays) and d not in holidays]
