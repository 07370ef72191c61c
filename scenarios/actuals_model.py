"""What comes back after the quarter, as pydantic models: the actuals tables' rows and ``actuals.yaml``.

The tables are as planners get them from CRM and finance (DOMAIN.md, "What comes back after the
quarter"): the visit log, shipments (orders), receivables, opportunity status, and dealer profiles for the
credit rating. ``actuals.yaml`` names them (files or a SQL database), the scenario the plan was made from,
the date of the actuals and the review policy: every threshold an early warning is measured against.
Money is in the scenario's currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from .fields import Finite, Id, Latitude, Longitude, Money, Share, Text
from .tables import Flag, Row

Minutes = Annotated[Finite, Field(ge=0, le=24 * 60)]


class VisitLogRow(Row):
    """One visit a rep logged in the CRM."""

    rep: Id = Field(description="Rep who made the visit.")
    account: Id = Field(description="Account or dealer visited.")
    date: dt.date = Field(description="Day of the visit (YYYY-MM-DD).")
    start: dt.time | None = Field(default=None, description="Arrival on site, HH:MM.")
    minutes: Minutes = Field(description="Minutes on site.")
    outcome: Text | None = Field(default=None, description="What came of it (order, follow-up, ...).")
    visit_id: Id | None = Field(default=None, description="The plan's visit id, when the CRM keeps it.")


class ShipmentRow(Row):
    """One shipment (order line) to a dealer or account, with where the goods went."""

    account: Id = Field(description="Dealer or account that ordered (the sold-to).")
    date: dt.date = Field(description="Shipping date (YYYY-MM-DD).")
    amount: Money = Field(description="Invoiced amount (currency).")
    quantity: Annotated[Finite, Field(ge=0, le=1e12)] | None = Field(
        default=None, description="Quantity shipped (units, tonnes, ...)."
    )
    ship_to_lat: Latitude | None = Field(default=None, description="Latitude of the ship-to address.")
    ship_to_lon: Longitude | None = Field(default=None, description="Longitude of the ship-to address.")
    ship_to_region: Id | None = Field(
        default=None, description="Region of the ship-to address (else found from its coordinates)."
    )
    order: Id | None = Field(default=None, description="Order or delivery note number.")

    @model_validator(mode="after")
    def _both_coordinates(self) -> ShipmentRow:
        if (self.ship_to_lat is None) != (self.ship_to_lon is None):
            raise ValueError("ship_to_lon: give both ship_to_lat and ship_to_lon, or neither")
        return self


class ReceivableRow(Row):
    """One invoice and what has been paid of it."""

    account: Id = Field(description="Dealer or account invoiced.")
    invoice: Id = Field(description="Invoice number.")
    date: dt.date = Field(description="Invoice date (YYYY-MM-DD).")
    due_date: dt.date = Field(description="Payment due date (YYYY-MM-DD).")
    amount: Money = Field(description="Invoiced amount (currency).")
    paid: Money = Field(default=0.0, description="Amount paid so far (currency).")

    @model_validator(mode="after")
    def _consistent(self) -> ReceivableRow:
        if self.due_date < self.date:
            raise ValueError("due_date: due_date is before the invoice date")
        if self.paid > self.amount + 0.005:
            raise ValueError("paid: paid is more than the invoiced amount")
        return self


_STATUS_ALIASES = {
    "赢单": "won",
    "成交": "won",
    "输单": "lost",
    "丢单": "lost",
    "进行中": "open",
    "跟进": "open",
}


def _status(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        return _STATUS_ALIASES.get(text, text)
    return value


class OpportunityStatusRow(Row):
    """Where an opportunity of the plan stands: won, lost or still open."""

    opportunity: Id = Field(description="Opportunity id (as in the scenario's opportunities table).")
    status: Annotated[Literal["won", "lost", "open"], BeforeValidator(_status)] = Field(
        description="won, lost or open (赢单 / 输单 / 进行中 also read)."
    )
    date: dt.date | None = Field(default=None, description="When it was won or lost.")
    amount: Money | None = Field(default=None, description="Sales won (currency), when won.")


_ARREARS_ALIASES = {"无": "none", "轻微": "benign", "良性": "benign", "严重": "serious"}


def _arrears(value: object) -> object:
    if isinstance(value, str):
        text = value.strip().lower()
        return _ARREARS_ALIASES.get(text, text)
    return value


class DealerProfileRow(Row):
    """What the credit rating needs to know about a dealer beyond our own records (DOMAIN.md)."""

    account: Id = Field(description="Dealer (account id).")
    local: Flag | None = Field(default=None, description="Resident in its sales area (true/false, 是/否).")
    years_in_business: Annotated[Finite, Field(ge=0, le=300)] | None = Field(
        default=None, description="Years in business."
    )
    sales_growth_3y: Annotated[Finite, Field(ge=-1, le=100)] | None = Field(
        default=None, description="Growth of the dealer's sales over the last 3 years (0.35 = 35 %)."
    )
    arrears_elsewhere: Annotated[Literal["none", "benign", "serious"], BeforeValidator(_arrears)] | None = (
        Field(default=None, description="Arrears to other suppliers: none, benign or serious.")
    )
    our_share: Share | None = Field(
        default=None, description="Share of our products in the dealer's sales (0–1)."
    )
    bad_habits: Flag | None = Field(
        default=None, description="Known bad business habits (true/false), e.g. price dumping."
    )


ACTUALS_MODELS: dict[str, type[Row]] = {
    "visits": VisitLogRow,
    "shipments": ShipmentRow,
    "receivables": ReceivableRow,
    "opportunities": OpportunityStatusRow,
    "dealers": DealerProfileRow,
}


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Positive = Annotated[Finite, Field(gt=0, le=1e6)]


class VisitRules(_Section):
    """Visits against the plan."""

    match_window_days: Annotated[int, Field(ge=0, le=90)] = Field(
        default=14,
        description="An actual visit counts as a planned one of the same rep and account at most this many days away.",
    )
    late_after_days: Annotated[int, Field(ge=0, le=90)] = Field(
        default=2, description="A matched visit done more than this many days after its planned date is late."
    )
    rep_behind_share: Share = Field(
        default=0.2, description="Warn when a rep did fewer than (1 − this) of the visits planned to date."
    )
    unplanned_share: Share = Field(
        default=0.1, description="Warn when a rep's unplanned visits exceed this share of its planned ones."
    )


class SalesRules(_Section):
    """Sales against the plan's pace (the plan's expected sales pro-rated to the date of the actuals)."""

    account_behind_share: Share = Field(
        default=0.3, description="Warn when an account's sales are below (1 − this) of its plan pace."
    )
    rep_behind_share: Share = Field(
        default=0.15, description="Warn when a rep's sales are below (1 − this) of its plan pace."
    )
    min_pace: Money = Field(
        default=0.0, description="Accounts whose plan pace is below this amount raise no sales warning."
    )
    cost_factor: Positive = Field(
        default=2.0,
        description="Warn when an account's selling hours per sale exceed this multiple of the plan's.",
    )
    cost_min_visits: Annotated[int, Field(ge=1, le=1000)] = Field(
        default=2, description="Selling cost is judged only for accounts with at least this many visits."
    )


class ChurnRules(_Section):
    """Churn signals in the order history."""

    gap_factor: Positive = Field(
        default=2.0,
        description="Warn when the days since the last order exceed this multiple of the usual gap.",
    )
    min_gap_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=21, description="...and are at least this many days."
    )
    falling_share: Share = Field(
        default=0.5,
        description="Warn when the second half's order rate fell by more than this share of the first half's.",
    )
    min_orders: Annotated[int, Field(ge=2, le=1000)] = Field(
        default=3, description="Churn is judged only for accounts with at least this many orders."
    )


class ReceivableRules(_Section):
    """Receivables: overdue share and ageing."""

    max_overdue_share: Share = Field(
        default=0.2, description="Warn when more than this share of an account's open receivables is overdue."
    )
    max_days_overdue: Annotated[int, Field(ge=1, le=3650)] = Field(
        default=90, description="Warn when any open amount is more than this many days past due."
    )
    buckets: tuple[int, ...] = Field(
        default=(30, 60, 90), description="Ageing bucket limits in days past due (ascending)."
    )

    @model_validator(mode="after")
    def _ascending(self) -> ReceivableRules:
        if list(self.buckets) != sorted(set(self.buckets)) or not self.buckets or self.buckets[0] < 1:
            raise ValueError("buckets: buckets must be positive and ascending, e.g. [30, 60, 90]")
        return self


class CreditRules(_Section):
    """Dealer credit rating: class cuts on the 0–100 score and the credit limit per class."""

    class_cuts: dict[str, Annotated[Finite, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"A": 80.0, "B": 60.0, "C": 40.0, "D": 0.0},
        description="Class → minimum score (descending, last = 0).",
    )
    limit_months: dict[str, Annotated[Finite, Field(ge=0, le=24)]] = Field(
        default_factory=lambda: {"A": 2.0, "B": 1.0, "C": 0.5, "D": 0.0},
        description="Class → credit limit in months of the dealer's sales (last 12 months ÷ 12).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> CreditRules:
        scores = list(self.class_cuts.values())
        if scores != sorted(scores, reverse=True) or not scores or scores[-1] != 0:
            raise ValueError("class_cuts: class_cuts must descend and the last class must start at 0")
        missing = [c for c in self.class_cuts if c not in self.limit_months]
        if missing:
            raise ValueError(f"limit_months: classes {missing} have no limit_months")
        return self


class ReviewPolicy(_Section):
    """Every threshold of the quarterly review."""

    visits: VisitRules = Field(default_factory=VisitRules)
    sales: SalesRules = Field(default_factory=SalesRules)
    churn: ChurnRules = Field(default_factory=ChurnRules)
    receivables: ReceivableRules = Field(default_factory=ReceivableRules)
    credit: CreditRules = Field(default_factory=CreditRules)


class ActualsTables(_Section):
    """Where each actuals table is: a CSV/XLSX path relative to actuals.yaml ('file.xlsx#Sheet' picks a sheet)."""

    visits: str | None = Field(
        default=None, description="Visit log (rep, account, date, start, minutes, outcome)."
    )
    shipments: str | None = Field(
        default=None, description="Shipments/orders (account, date, amount, ship-to)."
    )
    receivables: str | None = Field(
        default=None, description="Receivables (account, invoice, date, due, paid)."
    )
    opportunities: str | None = Field(default=None, description="Opportunity status (won, lost, open).")
    dealers: str | None = Field(default=None, description="Dealer profiles for the credit rating.")


class DatabaseSource(_Section):
    """Actuals read from a SQL database through SQLAlchemy: a URL and a table name or query per table."""

    url: str = Field(description="SQLAlchemy URL, e.g. sqlite:///actuals.db or postgresql+psycopg://u@h/db.")
    tables: ActualsTables = Field(
        default_factory=ActualsTables,
        description="Per table: a table name or a SELECT query (default: the table of the same name).",
    )


class ActualsFile(_Section):
    """actuals.yaml: what came back after the quarter of a plan."""

    scenario: str | None = Field(
        default=None, description="The scenario the plan was made from (relative to this file)."
    )
    as_of: dt.date | None = Field(
        default=None,
        description="Date of the actuals (default: the last date in the visit log and shipments, at most the horizon's end).",
    )
    tables: ActualsTables = Field(default_factory=ActualsTables)
    database: DatabaseSource | None = Field(default=None, description="Read the tables from a database.")
    policy: ReviewPolicy = Field(default_factory=ReviewPolicy)
