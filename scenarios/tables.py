"""Row models of the scenario tables (CSV or XLSX): reps, accounts, opportunities and the optional ones.

Each model is one table row; its field names are the column names. Units are in the descriptions.
Money is in the scenario's currency per year unless a field says otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .fields import (
    DateList,
    Finite,
    Fraction,
    Id,
    Latitude,
    Longitude,
    Money,
    Probability,
    Ratio,
    Score,
    Share,
    Text,
    WeekdayList,
)


class Row(BaseModel):
    # Ids and names typed as numbers in Excel (17) are read as text ("17").
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
    )


class Region(Row):
    """A sales region. Territories never cross a region boundary."""

    id: Id = Field(description="Region id, referenced by reps and accounts.")
    name: Text = Field(default="", description="Display name.")


class Rep(Row):
    """A sales rep (account manager): where they start from and how much selling time they have."""

    id: Id = Field(description="Rep id, unique.")
    name: Text = Field(default="", description="Display name (any language).")
    region: Id = Field(description="Region the rep works in; a rep serves accounts of this region only.")
    home_lat: Latitude = Field(description="Latitude of the rep's home or office, degrees.")
    home_lon: Longitude = Field(description="Longitude of the rep's home or office, degrees.")
    hours_per_week: Annotated[Finite, Field(gt=0, le=100)] | None = Field(
        default=None, description="Paid working hours per week (give this or hours_per_month)."
    )
    hours_per_month: Annotated[Finite, Field(gt=0, le=450)] | None = Field(
        default=None, description="Paid working hours per month (give this or hours_per_week)."
    )
    selling_share: Annotated[Fraction, Field(gt=0, le=1)] = Field(
        default=0.5,
        description=(
            "Share of paid hours available for customer work — visits and the travel to them — after "
            "admin, meetings and internal work (field studies put real selling at 40–50 % of a rep's time)."
        ),
    )
    start_date: dt.date | None = Field(
        default=None, description="First working day, if the rep joins mid-horizon."
    )
    end_date: dt.date | None = Field(
        default=None, description="Last working day, if the rep leaves mid-horizon."
    )
    cost_per_hour: Money | None = Field(
        default=None, description="Cost of one hour of this rep's time (currency/hour); default from policy."
    )

    @model_validator(mode="after")
    def _one_hours_field(self) -> Rep:
        if (self.hours_per_week is None) == (self.hours_per_month is None):
            raise ValueError("hours_per_week: give exactly one of hours_per_week and hours_per_month")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date: end_date is before start_date")
        return self

    @property
    def weekly_hours(self) -> float:
        """Paid hours per week."""
        if self.hours_per_week is not None:
            return self.hours_per_week
        assert self.hours_per_month is not None
        return self.hours_per_month * 12.0 / 52.0

    @property
    def monthly_hours(self) -> float:
        """Paid hours per month (a month is 52/12 weeks)."""
        return self.weekly_hours * 52.0 / 12.0

    @property
    def selling_hours_per_month(self) -> float:
        """Hours per month available for visits and their travel."""
        return self.monthly_hours * self.selling_share


def _bool(value: object) -> object:
    # Spreadsheets write booleans many ways; pydantic knows most, Chinese exports add 是/否.
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("是", "√", "x", "dealer"):
            return True
        if text in ("否", "-", ""):
            return False
    return value


Flag = Annotated[bool, BeforeValidator(_bool)]


class Account(Row):
    """A customer account or dealer: where it is, what it is worth, and how it may be visited."""

    id: Id = Field(description="Account id, unique.")
    name: Text = Field(default="", description="Display name (any language).")
    region: Id = Field(description="Sales region; the account's territory lies inside it.")
    lat: Latitude = Field(description="Latitude, degrees.")
    lon: Longitude = Field(description="Longitude, degrees.")
    current_sales: Money = Field(description="Sales in the last 12 months (currency/year).")
    potential: Money | None = Field(
        default=None,
        description="Sales potential (currency/year): what the account could buy; default current_sales.",
    )
    margin: Share | None = Field(
        default=None, description="Gross margin share of sales (0–1); default from policy."
    )
    tier: Id | None = Field(
        default=None, description="Given tier (A, B, C, ...); used when policy.tiers.method is 'given'."
    )
    segment: Id | None = Field(
        default=None, description="Customer segment (e.g. tech-complex, service, general)."
    )
    visit_minutes: Annotated[Finite, Field(gt=0, le=720)] | None = Field(
        default=None, description="Minutes on site per visit; default from policy."
    )
    current_rep: Id | None = Field(
        default=None, description="Rep who owns the relationship now (previous alignment)."
    )
    locked_rep: Id | None = Field(default=None, description="Rep the account must stay with (pinned).")
    current_visits_per_month: Annotated[Finite, Field(ge=0, le=60)] | None = Field(
        default=None, description="Visits per month in the current plan."
    )
    visit_days: WeekdayList | None = Field(
        default=None, description="Weekdays the account can be visited, e.g. 'mon;wed'."
    )
    open_time: dt.time | None = Field(default=None, description="Earliest visit start, HH:MM.")
    close_time: dt.time | None = Field(default=None, description="Latest visit end, HH:MM.")
    closed_dates: DateList | None = Field(
        default=None, description="Dates the account is closed, 'YYYY-MM-DD;YYYY-MM-DD'."
    )
    moved_dates: DateList | None = Field(
        default=None,
        description="Dates the account changed rep (horizon starts), 'YYYY-MM-DD;...'; kept by `salesplan rollover`.",
    )
    is_dealer: Flag = Field(
        default=False, description="True for a dealer (sells only inside its own region)."
    )
    address: Text | None = Field(default=None, description="Street address for calendars.")
    cooperation: Score | None = Field(default=None, description="Willingness to cooperate, score 0–100.")
    capability: Score | None = Field(
        default=None, description="Business capability (sales network, finance, logistics), score 0–100."
    )
    credit: Score | None = Field(
        default=None, description="Credit (payment record, receivables), score 0–100."
    )
    relationship: Score | None = Field(
        default=None, description="Relationship and local influence, score 0–100."
    )
    growth_rate: Annotated[Fraction, Field(ge=-1, le=10)] | None = Field(
        default=None, description="Market growth of the account's business (0.12 = 12 %/year)."
    )
    response_at_zero: Ratio | None = Field(
        default=None, description="Judged sales with no visits, as a ratio of current sales (CALLPLAN)."
    )
    response_at_half: Ratio | None = Field(
        default=None, description="Judged sales at half the current visit level, ratio of current sales."
    )
    response_at_150: Ratio | None = Field(
        default=None, description="Judged sales at 50 % more visits than now, ratio of current sales."
    )
    response_at_saturation: Ratio | None = Field(
        default=None, description="Judged sales with unlimited visits, ratio of current sales."
    )

    @model_validator(mode="after")
    def _hours_in_order(self) -> Account:
        if self.open_time and self.close_time and self.close_time <= self.open_time:
            raise ValueError("close_time: close_time must be after open_time")
        return self

    @property
    def sales_potential(self) -> float:
        return self.current_sales if self.potential is None else self.potential


OpportunityType = Literal["upsell", "cross_sell", "price_mix", "new_customer", "prune"]

_OPPORTUNITY_ALIASES: dict[str, str] = {
    "upsell": "upsell",
    "up-sell": "upsell",
    "up_sell": "upsell",
    "up sell": "upsell",
    "usage": "upsell",
    "cross-sell": "cross_sell",
    "cross_sell": "cross_sell",
    "cross sell": "cross_sell",
    "crosssell": "cross_sell",
    "price": "price_mix",
    "price/mix": "price_mix",
    "price_mix": "price_mix",
    "price-mix": "price_mix",
    "mix": "price_mix",
    "new": "new_customer",
    "new customer": "new_customer",
    "new_customer": "new_customer",
    "new-customer": "new_customer",
    "prune": "prune",
    "prune unprofitable": "prune",
    "prune_unprofitable": "prune",
    "drop": "prune",
    "提升用量": "upsell",
    "交叉销售": "cross_sell",
    "提价": "price_mix",
    "新客户": "new_customer",
    "淘汰": "prune",
}


def _opportunity_type(value: object) -> object:
    if isinstance(value, str):
        return _OPPORTUNITY_ALIASES.get(value.strip().lower(), value.strip().lower())
    return value


class Opportunity(Row):
    """A sales opportunity: what it could bring, how likely, and how many rep hours it takes."""

    id: Id = Field(description="Opportunity id, unique.")
    account: Id = Field(description="Account the opportunity belongs to.")
    type: Annotated[OpportunityType, BeforeValidator(_opportunity_type)] = Field(
        description="upsell, cross_sell, price_mix, new_customer or prune."
    )
    size: Money = Field(description="Sales gained if won (currency; for prune: profit recovered).")
    probability: Probability = Field(description="Likelihood of success, 0–1.")
    effort_hours: Annotated[Finite, Field(gt=0, le=2000)] = Field(
        description="Rep hours needed this quarter."
    )
    due_date: dt.date | None = Field(default=None, description="Date by which it must be acted on.")
    margin: Share | None = Field(
        default=None, description="Margin share of the size; default the account's margin."
    )
    must_pursue: Flag = Field(default=False, description="Management requires it pursued this quarter.")
    exclude: Flag = Field(default=False, description="Never pursue this quarter.")
    description: Text | None = Field(default=None, description="What to do; shown in calendar entries.")
    needs_visit: Flag = Field(
        default=True,
        description="The work needs visits to the account (false: it can be done from the office, e.g. a "
        "price change by letter); an opportunity that needs visits is chosen only for a visited account.",
    )

    @model_validator(mode="after")
    def _not_both(self) -> Opportunity:
        if self.must_pursue and self.exclude:
            raise ValueError("must_pursue: must_pursue and exclude cannot both be true")
        return self


class TravelEntry(Row):
    """One directed pair of a travel-time matrix; ids are account ids or rep ids (their home)."""

    from_id: Id = Field(description="Account id or rep id (rep's home).")
    to_id: Id = Field(description="Account id or rep id (rep's home).")
    minutes: Annotated[Finite, Field(ge=0, le=24 * 60)] = Field(description="Travel time, minutes.")


class Absence(Row):
    """Days a rep is away (leave, training): no visits are scheduled."""

    rep: Id = Field(description="Rep id.")
    start: dt.date = Field(description="First day away.")
    end: dt.date = Field(description="Last day away (inclusive).")
    reason: Text = Field(default="", description="Leave, training, ...")

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end < self.start:
            raise ValueError("end: end is before start")
        return self


class Adjacency(Row):
    """Two accounts whose areas touch (shared border of postal areas), for contiguous territories."""

    a: Id = Field(description="Account id.")
    b: Id = Field(description="Account id.")


class OvernightPlace(Row):
    """A town or hotel where a rep on a tour may spend the night (policy.travel.overnight)."""

    place_id: Id = Field(description="Overnight place id, unique.")
    name: Text = Field(default="", description="Display name, e.g. the hotel and its town.")
    lat: Latitude = Field(description="Latitude, degrees.")
    lon: Longitude = Field(description="Longitude, degrees.")
    cost: Money | None = Field(
        default=None,
        description="Hotel cost per night here (currency/night); empty: policy.travel.overnight.hotel_cost.",
    )


TABLE_MODELS: dict[str, type[Row]] = {
    "regions": Region,
    "reps": Rep,
    "accounts": Account,
    "opportunities": Opportunity,
    "travel_matrix": TravelEntry,
    "absences": Absence,
    "adjacency": Adjacency,
    "overnight_places": OvernightPlace,
}

# The column that identifies a row of a table, where a table has one and it is not `id`.
KEY_COLUMNS: dict[str, str] = {"overnight_places": "place_id"}


def key_column(table: str) -> str:
    """The column whose value names a row of ``table`` in messages (``id`` for most tables)."""
    return KEY_COLUMNS.get(table, "id")


REQUIRED_TABLES = ("reps", "accounts")
