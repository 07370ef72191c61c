"""The facts every decision reads, compiled once from a scenario: :class:`PlanData`.

This is the one module of the optimizer that knows the scenario model (``salesplan.scenarios``); every
problem is built from a :class:`PlanData` (``Problem.from_data``), so the solvers see plain frozen
records and arrays, each fact derived once:

* rows with their defaults resolved — an account's margin and visit minutes, a rep's cost per hour and
  selling hours per month, an opportunity's margin (1 for ``prune``, whose size is profit already);
* each rep's working dates (horizon working days within start/end dates, minus absences) and presence
  share (those dates over the horizon's working days);
* travel: the scenario's travel model, each account's hop to its nearest neighbour of the same region
  (one KD-tree per region), and minutes from every rep's home to every account of the rep's region;
* opportunities' expected value (the profit they are expected to bring, see :attr:`Opportunity.value`);
* nights away (:mod:`.overnight`): the rules when the policy enables them, and the places to stay with
  their cost per night resolved;
* the policy as plain values (tier bands, response judgments, balance, reassignment, ...).

Units: money in the scenario's currency (per year unless a name says month); minutes and hours as named.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from .overnight import OvernightPlace, OvernightRules
from .travel import Place, TravelModel

if TYPE_CHECKING:
    from ..scenarios.model import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Judgment:
    """Judged sales response to visits, ratios of current sales (CALLPLAN, Lodish 1971)."""

    at_zero: float
    at_half: float
    at_150: float
    at_saturation: float


@dataclass(frozen=True)
class Band:
    """Visits per month a tier must and may get."""

    min: float
    max: float


@dataclass(frozen=True)
class Rules:
    """The scenario's policy as plain values (see the scenario reference for each key)."""

    tier_method: Literal["pareto", "score", "given"]
    tier_basis: Literal["current_sales", "potential", "profit"]
    tier_cuts: Mapping[str, float]
    score_weights: Mapping[str, float]
    score_cuts: Mapping[str, float]
    bands: Mapping[str, Band]  # tier → visits per month, in the policy's tier order
    response_default: Judgment
    response_by_tier: Mapping[str, Judgment]
    response_by_segment: Mapping[str, Judgment]
    max_visits_per_month: int
    workload_tolerance: float | None
    potential_tolerance: float | None
    contiguity: Literal["none", "delaunay", "table"]
    max_moved_share: float
    moved_basis: Literal["accounts", "value"]
    max_moves_per_year: int | None  # policy.reassignment.max_moves_per_account_per_year
    size_threshold: float | None
    probability_threshold: float | None
    max_opportunities_per_account: int | None
    opportunity_hours_share: float
    min_days_between_visits: int | None
    default_margin: float
    cost_per_hour: float
    currency: str
    detour_factor: float
    speed_kmh: float

    def band(self, tier: str) -> Band | None:
        return self.bands.get(tier)

    @property
    def top_tier(self) -> str:
        return next(iter(self.bands), "A")


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: dates, the working day (minutes after midnight) and its length."""

    start: dt.date
    weeks: int
    working_weekdays: tuple[str, ...]
    holidays: tuple[dt.date, ...]
    day_start: int  # minutes after midnight
    day_end: int
    lunch: int  # minutes
    days: tuple[dt.date, ...]  # working dates: working weekdays and make-up days, minus holidays

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=7 * self.weeks - 1)

    def due(self, due_date: dt.date | None) -> dt.date:
        """The last day work with this due date may be done in the horizon: the due date, at the latest
        (and without one) the horizon's end."""
        return self.end if due_date is None else min(due_date, self.end)

    @property
    def months(self) -> float:
        """Length in months (a month is 52/12 weeks)."""
        return self.weeks * 12.0 / 52.0

    @property
    def day_minutes(self) -> int:
        return self.day_end - self.day_start

    @property
    def calendar_days(self) -> int:
        return 7 * self.weeks


@dataclass(frozen=True)
class Rep:
    """A rep with the defaults resolved; ``dates`` are the days they work in the horizon."""

    index: int
    id: str
    name: str
    region: str
    home_lat: float
    home_lon: float
    monthly_hours: float  # paid
    selling_share: float
    cost_per_hour: float
    start_date: dt.date | None
    end_date: dt.date | None
    dates: tuple[dt.date, ...]
    presence: float  # share of the horizon's working days the rep works

    @property
    def selling_hours_per_month(self) -> float:
        """Hours per month for customer work (visits, travel, opportunities), when present."""
        return self.monthly_hours * self.selling_share

    @property
    def available_hours_per_month(self) -> float:
        """Selling hours per month averaged over the horizon (absences and start/end dates)."""
        return self.selling_hours_per_month * self.presence

    @property
    def home(self) -> Place:
        return Place(self.id, self.home_lat, self.home_lon)


@dataclass(frozen=True)
class Account:
    """An account or dealer with the defaults resolved (margin, visit minutes, potential)."""

    index: int
    id: str
    name: str
    region: str
    lat: float
    lon: float
    current_sales: float
    potential: float  # what it could buy, currency/year (current sales when not given)
    margin: float
    visit_minutes: float
    segment: str | None
    tier: str | None  # given tier (method "given")
    current_rep: str | None
    locked_rep: str | None
    current_visits_per_month: float | None
    visit_days: tuple[str, ...] | None
    open_time: int | None  # minutes after midnight
    close_time: int | None
    closed_dates: tuple[dt.date, ...]
    moved_dates: tuple[dt.date, ...]  # when it changed rep before (horizon starts)
    is_dealer: bool
    address: str | None
    cooperation: float | None
    capability: float | None
    credit: float | None
    relationship: float | None
    growth_rate: float | None
    response: Judgment  # the judgment of its own columns where given, NaN elsewhere (see calls.response)
    has_potential: bool

    @property
    def place(self) -> Place:
        return Place(self.id, self.lat, self.lon)

    def takes_visits_on(self, day: dt.date) -> bool:
        """Whether the account takes visits on ``day`` (its weekdays and closed dates)."""
        if self.visit_days is not None and WEEKDAYS[day.weekday()] not in self.visit_days:
            return False
        return day not in self.closed_dates


@dataclass(frozen=True)
class Opportunity:
    """An opportunity; ``value`` is its expected profit: size × probability × margin (margin 1 for
    prune, whose size is the profit recovered), currency."""

    index: int
    id: str
    account: str
    account_index: int
    type: str
    size: float
    probability: float
    effort_hours: float
    due_date: dt.date | None
    margin: float
    must_pursue: bool
    exclude: bool
    description: str | None
    needs_visit: bool

    @property
    def value(self) -> float:
        return self.size * self.probability * self.margin


@dataclass(frozen=True)
class Absence:
    rep: str
    start: dt.date
    end: dt.date
    reason: str


@dataclass(frozen=True, eq=False)
class RegionTravel:
    """Minutes from each rep's home of a region to each of its accounts (rows: accounts, columns: reps)."""

    region: str
    accounts: IntArray  # account indices
    reps: IntArray  # rep indices
    minutes: FloatArray  # (accounts, reps), the travel model (matrix entries where the policy says so)
    back: FloatArray  # (accounts, reps), from the account to the rep's home
    reachable: npt.NDArray[
        np.bool_
    ]  # (accounts, reps): a day trip (day_trip) or a tour (tour_trip) reaches it
    day_trips: npt.NDArray[np.bool_]  # (accounts, reps): a day trip from the rep's home fits (day_trip)


@dataclass(frozen=True)
class Reach:
    """Who reaches an account (``by``: in a day trip, or on a tour where overnight trips are on), and the
    trip of the nearest rep of its region."""

    account_id: str
    by: tuple[str, ...]  # reps of its region that reach it
    nearest: str | None  # the rep of its region with the shortest round trip
    there: float  # minutes from the nearest rep's home
    back: float

    def proof(self, data: PlanData) -> str:
        """Why no day trip fits, in numbers: the nearest rep's trip against the working day."""
        horizon = data.horizon
        account = data.account_by_id[self.account_id]
        service, _, late = data.window(account)
        day = horizon.day_minutes - horizon.lunch
        if self.nearest is None:
            return f"no rep works in region {account.region}"
        there, back = math.ceil(self.there - 1e-9), math.ceil(self.back - 1e-9)
        last = horizon.day_start + late
        return (
            f"the nearest rep, {self.nearest}, needs {there} min there and {back} min back for a {service}-min "
            f"visit: {there + service + back} min against the {day} min of a working day less lunch, the "
            f"visit starting by {last // 60:02d}:{last % 60:02d}"
        )


@dataclass(frozen=True, eq=False)
class PlanData:
    """Everything the decisions read about one scenario (module docstring). Frozen; built by
    :func:`compile_scenario`."""

    name: str
    source: str
    horizon: Horizon
    rules: Rules
    regions: tuple[str, ...]
    reps: tuple[Rep, ...]
    accounts: tuple[Account, ...]
    opportunities: tuple[Opportunity, ...]
    absences: tuple[Absence, ...]
    adjacency: tuple[tuple[str, str], ...]
    removed_reps: tuple[str, ...]
    travel_model: TravelModel
    hop_minutes: FloatArray = field(repr=False)  # per account: to the nearest other account of its region
    overnight: OvernightRules | None = None  # None: every day starts and ends at the rep's home
    overnight_places: tuple[OvernightPlace, ...] = ()  # where a night may be spent (empty when off)

    @cached_property
    def rep_by_id(self) -> dict[str, Rep]:
        return {r.id: r for r in self.reps}

    @cached_property
    def account_by_id(self) -> dict[str, Account]:
        return {a.id: a for a in self.accounts}

    @cached_property
    def opportunity_by_id(self) -> dict[str, Opportunity]:
        return {o.id: o for o in self.opportunities}

    @cached_property
    def region_travel(self) -> dict[str, RegionTravel]:
        """Per region, minutes from every rep's home to every account (computed once)."""
        out: dict[str, RegionTravel] = {}
        accounts = _group(a.region for a in self.accounts)
        reps = _group(r.region for r in self.reps)
        for region in dict.fromkeys([*self.regions, *accounts, *reps]):
            a_idx = np.array(accounts.get(region, []), dtype=np.int64)
            r_idx = np.array(reps.get(region, []), dtype=np.int64)
            homes = [self.reps[r].home for r in r_idx]
            places = [self.accounts[a].place for a in a_idx]
            both = len(a_idx) and len(r_idx)
            minutes = (
                self.travel_model.minutes(homes, places).T if both else np.zeros((len(a_idx), len(r_idx)))
            )
            back = self.travel_model.minutes(places, homes) if both else np.zeros((len(a_idx), len(r_idx)))
            day_trips = np.array(
                [[self.day_trip(self.accounts[a], minutes[i, k], back[i, k]) for k in range(len(r_idx))]
                 for i, a in enumerate(a_idx.tolist())],
                dtype=bool,
            ).reshape(len(a_idx), len(r_idx))  # fmt: skip
            toured = np.array(
                [[self.tour_trip(self.accounts[a], minutes[i, k], back[i, k]) for k in range(len(r_idx))]
                 for i, a in enumerate(a_idx.tolist())],
                dtype=bool,
            ).reshape(len(a_idx), len(r_idx))  # fmt: skip
            # a tour serves only what no day trip of the region reaches: the territories give an account
            # a rep whose day trip reaches it before they send anyone on a tour (reach first, then value)
            toured &= ~day_trips.any(axis=1, keepdims=True)
            out[region] = RegionTravel(
                region, a_idx, r_idx, np.ascontiguousarray(minutes), np.ascontiguousarray(back),
                day_trips | toured, day_trips,
            )  # fmt: skip
        return out

    def window(self, account: Account) -> tuple[int, int, int]:
        """(service, earliest start, latest start) of a visit, whole minutes after day_start."""
        horizon = self.horizon
        service = math.ceil(account.visit_minutes - 1e-9)
        early = max(0, account.open_time - horizon.day_start) if account.open_time is not None else 0
        close = (
            account.close_time - horizon.day_start if account.close_time is not None else horizon.day_minutes
        )
        return service, early, min(close, horizon.day_minutes) - service

    def engine_late(self, late: int) -> int:
        """The latest start the schedule's engine may give a visit whose real latest start is ``late``:
        the lunch break goes in after the routing, right after the last visit that starts before the
        middle of the day, and delays later visits by up to its length (:mod:`.schedule.problem`)."""
        horizon = self.horizon
        return max(late - horizon.lunch, min(late, horizon.day_minutes // 2 - 1))

    def day_trip(self, account: Account, there: float, back: float) -> bool:
        """Whether one visit fits a day from home: the rep leaves at the start of the day, travels
        ⌈there⌉ minutes, waits for the opening, visits, travels ⌈back⌉ minutes home, within the working
        day less the lunch break — and starts early enough that the break can still come before or after
        it (the schedule's own rule, :mod:`.schedule.problem`)."""
        horizon = self.horizon
        service, early, late = self.window(account)
        engine_late = self.engine_late(late)
        arrive = max(float(early), math.ceil(there - 1e-9))
        return (
            arrive <= engine_late
            and arrive + service + math.ceil(back - 1e-9) <= horizon.day_minutes - horizon.lunch
        )

    def tour_trip(self, account: Account, there: float, back: float) -> bool:
        """Whether a tour with nights away reaches the account (policy.travel.overnight): trips are on and
        allow some night, the account lies beyond ``min_drive_minutes`` one way, and the drive there and
        the drive back each fit a working day less lunch, as does a visit from a night in its town."""
        rules = self.overnight
        if rules is None or not rules.possible or not rules.beyond_day_trips(there):
            return False
        horizon = self.horizon
        service, early, late = self.window(account)
        engine_late = self.engine_late(late)
        day = horizon.day_minutes - horizon.lunch
        return (
            max(math.ceil(there - 1e-9), math.ceil(back - 1e-9)) <= day
            and service <= day
            and early <= engine_late
        )

    def reach(self, account: Account, day_trips: bool = False) -> Reach:
        """Which reps of the account's region reach it — in a day trip or, with overnight trips on, on a
        tour (``day_trips``: in a day trip only) — and the nearest rep's trip."""
        block = self.region_travel[account.region]
        if not len(block.reps):
            return Reach(account.id, (), None, math.nan, math.nan)
        i = int(np.searchsorted(block.accounts, account.index))
        able = block.day_trips[i] if day_trips else block.reachable[i]
        by = tuple(self.reps[int(r)].id for r, ok in zip(block.reps, able, strict=True) if ok)
        k = int(np.argmin(block.minutes[i] + block.back[i]))
        return Reach(
            account.id,
            by,
            self.reps[int(block.reps[k])].id,
            float(block.minutes[i, k]),
            float(block.back[i, k]),
        )

    def reaches(self, rep: Rep, account: Account) -> bool:
        """Whether a day trip from the rep's home, or a tour (:meth:`tour_trip`), reaches the account (reps
        of other regions never do)."""
        if rep.region != account.region:
            return False
        block = self.region_travel[account.region]
        i = int(np.searchsorted(block.accounts, account.index))
        k = int(np.searchsorted(block.reps, rep.index))
        return bool(block.reachable[i, k])

    def home_minutes(self, rep: Rep, account: Account) -> float:
        """Travel minutes from the rep's home to the account (the travel model)."""
        if rep.region == account.region:
            block = self.region_travel[rep.region]
            i = int(np.searchsorted(block.accounts, account.index))
            k = int(np.searchsorted(block.reps, rep.index))
            return float(block.minutes[i, k])
        return float(self.travel_model.minutes([rep.home], [account.place])[0, 0])

    @property
    def currency(self) -> str:
        return self.rules.currency

    @cached_property
    def expected_value(self) -> FloatArray:
        """Expected profit of every opportunity (currency), in input order."""
        return np.array([o.value for o in self.opportunities], dtype=float)

    def unavailable_reason(self, rep: Rep, day: dt.date) -> str:
        """Why the rep does not work on ``day`` ('' when they do)."""
        if day in self.horizon.holidays:
            return "a public holiday"
        if WEEKDAYS[day.weekday()] not in self.horizon.working_weekdays and day not in self.horizon.days:
            return "not a working weekday"
        if rep.start_date and day < rep.start_date:
            return f"before the rep starts ({rep.start_date})"
        if rep.end_date and day > rep.end_date:
            return f"after the rep leaves ({rep.end_date})"
        for absence in self.absences:
            if absence.rep == rep.id and absence.start <= day <= absence.end:
                return f"the rep is away ({absence.reason or 'absence'})"
        return ""


def _group(keys: Iterable[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        groups.setdefault(key, []).append(index)
    return groups


def _minutes(moment: dt.time | None) -> int | None:
    return None if moment is None else moment.hour * 60 + moment.minute


def _judgment(source: object) -> Judgment:
    return Judgment(
        float(source.at_zero),  # type: ignore[attr-defined]
        float(source.at_half),  # type: ignore[attr-defined]
        float(source.at_150),  # type: ignore[attr-defined]
        float(source.at_saturation),  # type: ignore[attr-defined]
    )


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def hop_minutes(model: TravelModel, accounts: Sequence[Account]) -> FloatArray:
    """Minutes from each account to the nearest other account of its region (0 when it is alone);
    great-circle travel model (matrix entries are used by the routes)."""
    result = np.zeros(len(accounts))
    for indices in _group(a.region for a in accounts).values():
        if len(indices) < 2:
            continue
        lat = np.array([accounts[i].lat for i in indices])
        lon = np.array([accounts[i].lon for i in indices])
        points = unit_sphere(lat, lon)
        _, nearest = cKDTree(points).query(points, k=2)
        other = nearest[:, 1]
        result[indices] = model.minutes_from_coords(lat, lon, lat[other], lon[other])
    return result


def unit_sphere(lat: npt.ArrayLike, lon: npt.ArrayLike) -> FloatArray:
    """3-D unit vectors; chord distance between them is monotone in great-circle distance."""
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def compile_scenario(scenario: Scenario) -> PlanData:
    """The facts of a validated scenario (see the module docstring)."""
    policy = scenario.policy
    h = scenario.horizon
    days = tuple(h.working_days())
    horizon = Horizon(
        h.start, h.weeks, tuple(h.working_weekdays), tuple(h.holidays), _minutes(h.day_start) or 0,
        _minutes(h.day_end) or 0, h.lunch_break_minutes, days,
    )  # fmt: skip
    tiers = policy.tiers
    rules = Rules(
        tier_method=tiers.method,
        tier_basis=tiers.basis,
        tier_cuts=dict(tiers.cuts),
        score_weights={str(k): v for k, v in tiers.score_weights.items()},
        score_cuts=dict(tiers.score_cuts),
        bands={t: Band(float(b.min), float(b.max)) for t, b in tiers.visits.items()},
        response_default=_judgment(policy.response.default),
        response_by_tier={t: _judgment(j) for t, j in policy.response.by_tier.items()},
        response_by_segment={s: _judgment(j) for s, j in policy.response.by_segment.items()},
        max_visits_per_month=policy.response.max_visits_per_month,
        workload_tolerance=policy.balance.workload_tolerance,
        potential_tolerance=policy.balance.potential_tolerance,
        contiguity=policy.balance.contiguity,
        max_moved_share=policy.reassignment.max_moved_share,
        moved_basis=policy.reassignment.basis,
        max_moves_per_year=policy.reassignment.max_moves_per_account_per_year,
        size_threshold=policy.opportunities.size_threshold,
        probability_threshold=policy.opportunities.probability_threshold,
        max_opportunities_per_account=policy.opportunities.max_per_account,
        opportunity_hours_share=policy.opportunities.hours_share,
        min_days_between_visits=policy.schedule.min_days_between_visits,
        default_margin=policy.economics.default_margin,
        cost_per_hour=policy.economics.cost_per_hour,
        currency=policy.economics.currency,
        detour_factor=policy.travel.detour_factor,
        speed_kmh=policy.travel.speed_kmh,
    )
    absences = tuple(Absence(x.rep, x.start, x.end, x.reason) for x in scenario.absences)
    away: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for absence in absences:
        away.setdefault(absence.rep, []).append((absence.start, absence.end))
    reps = []
    for index, r in enumerate(scenario.reps):
        first, last = r.start_date or dt.date.min, r.end_date or dt.date.max
        dates = tuple(
            d for d in days if first <= d <= last and not any(s <= d <= e for s, e in away.get(r.id, ()))
        )
        reps.append(Rep(
            index, r.id, r.name, r.region, r.home_lat, r.home_lon, r.monthly_hours, r.selling_share,
            scenario.cost_per_hour_of(r), r.start_date, r.end_date, dates,
            len(dates) / len(days) if days else 1.0,
        ))  # fmt: skip
    accounts: list[Account] = []
    for index, a in enumerate(scenario.accounts):
        accounts.append(Account(
            index, a.id, a.name, a.region, a.lat, a.lon, a.current_sales, a.sales_potential,
            scenario.margin_of(a), scenario.visit_minutes_of(a), a.segment, a.tier, a.current_rep, a.locked_rep,
            a.current_visits_per_month, None if a.visit_days is None else tuple(a.visit_days),
            _minutes(a.open_time), _minutes(a.close_time), tuple(a.closed_dates or ()), tuple(a.moved_dates or ()),
            a.is_dealer, a.address,
            a.cooperation, a.capability, a.credit, a.relationship, a.growth_rate,
            Judgment(_nan(a.response_at_zero), _nan(a.response_at_half), _nan(a.response_at_150),
                     _nan(a.response_at_saturation)),
            a.potential is not None,
        ))  # fmt: skip
    index_of = {a.id: a.index for a in accounts}
    opportunities = tuple(
        Opportunity(
            j,
            o.id,
            o.account,
            index_of[o.account],
            o.type,
            o.size,
            o.probability,
            o.effort_hours,
            o.due_date,
            1.0
            if o.type == "prune"
            else o.margin
            if o.margin is not None
            else accounts[index_of[o.account]].margin,
            o.must_pursue,
            o.exclude,
            o.description,
            o.needs_visit,
        )
        for j, o in enumerate(scenario.opportunities)
    )
    matrix = (
        {(e.from_id, e.to_id): e.minutes for e in scenario.travel_matrix}
        if policy.travel.method == "matrix"
        else {}
    )
    model = TravelModel(policy.travel.detour_factor, policy.travel.speed_kmh, matrix)
    nights = policy.travel.overnight
    overnight = (
        OvernightRules(
            nights=tuple(sorted({WEEKDAYS.index(d) for d in nights.nights})),
            min_drive_minutes=float(nights.min_drive_minutes),
            max_nights_per_week=nights.max_nights_per_week,
            max_nights_in_a_row=nights.max_nights_in_a_row,
            hotel_cost=float(nights.hotel_cost),
            per_diem=float(nights.per_diem),
            max_detour_minutes=float(nights.max_detour_minutes),
        )
        if nights.enabled
        else None
    )
    places = tuple(
        OvernightPlace(p.place_id, p.name, p.lat, p.lon, nights.hotel_cost if p.cost is None else p.cost)
        for p in scenario.overnight_places
    )
    return PlanData(
        name=scenario.name,
        source=scenario.source,
        horizon=horizon,
        rules=rules,
        regions=tuple(scenario.region_ids),
        reps=tuple(reps),
        accounts=tuple(accounts),
        opportunities=opportunities,
        absences=absences,
        adjacency=tuple((e.a, e.b) for e in scenario.adjacency),
        removed_reps=tuple(scenario.removed_reps),
        travel_model=model,
        hop_minutes=hop_minutes(model, accounts),
        overnight=overnight,
        overnight_places=places if overnight is not None else (),
    )
