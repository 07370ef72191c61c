"""One rep's visit schedule: the data of the model, and its periodic routing problem (PVRP).

Per rep (reps are independent):

    minimise   Σ_d travel minutes of day d's route  +  Σ_a Σ_{visits of a left out} π_a,j

    subject to
    (1) account a gets n_a ≤ k_a visits on the days of one evenly spread pattern of n_a days
        (:mod:`.patterns`) among the days it may be visited (:mod:`.calendar`);
    (2) each of the rep's working days is one route from the rep's home and back;
    (3) each visit starts inside the account's opening hours and ends before it closes;
    (4) the route, with its visits, travel and the lunch break, ends by the end of the working day.

Symbols: k_a = round(visits per month × horizon months), capped by what the calendar allows (the rest
is reported as dropped before solving); m_a ≤ k_a the tier-minimum visits; s_a visit minutes; τ_ij
travel minutes from the scenario's travel model, rounded up to whole minutes (so every time in the plan
is a whole minute); H = day_end − day_start; L the lunch break; [e_a, l_a] earliest and latest start.
Penalty of a visit left out: π = Δ·(1 + w_a) for the visits above the tier minimum and Δ·(2 + w_a) for
the minimum ones, where Δ = 2·max τ + 1 exceeds the travel that one visit can add to a route (so the
fewest visits are dropped first), and w_a = v_a / max v ∈ [0, 1] with v_a the value of one visit — the
account's annual margin (current_sales × margin) over its visits per year (so the least valuable go
first, and tier-minimum visits last).

The engine (:mod:`.routing`) knows neither lunch nor partial drops. Lunch: the engine's day is H − L,
and the break is inserted afterwards (:mod:`.timetable`) right after the last visit that starts before
the middle of the day, which delays later visits by at most L; so a visit the engine starts at or after
the middle must start by l_a − L: the engine's window is [e_a, max(l_a − L, min(l_a, mid − 1))].
Partial drops: :mod:`.trim` lowers k_a before the engine when the rep's days cannot hold every visit,
and :mod:`.reinsert` afterwards puts back as many evenly spread visits as still fit.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np
import numpy.typing as npt

from ..data import Account, PlanData, Rep
from ..travel import Place
from .calendar import allowed_days, day_offsets
from .patterns import even_patterns
from .routing import PeriodicRoutingProblem, RoutingCustomer, RoutingDay
from .tours import RADIUS_SHARE, NightPlace, Tour, clusters, far_accounts, night_place, plan_tours

FloatMatrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Drop:
    """Visits of an account that the schedule leaves out, and why."""

    account_id: str
    rep_id: str | None
    visits: int
    reason: str
    kind: str = ""  # unserved / reach / calendar / full / hours: what the checker re-verifies (check.py)
    minutes: float = math.inf  # hours: field minutes of the cheapest regular set of one visit more


@dataclass(frozen=True, eq=False)
class RepProblem:
    """One rep's accounts, days and travel times; account a is node a + 1 of ``tau`` (0 = home).

    Clock times are minutes after ``day_start`` (itself minutes after midnight). ``drops`` holds the
    visits the calendar or the opening hours rule out before any solving.
    """

    rep_id: str
    dates: tuple[dt.date, ...]
    offsets: tuple[int, ...]  # calendar days from the horizon start to each date
    horizon_days: int
    accounts: tuple[str, ...]
    planned: tuple[int, ...]  # k_a as planned
    fitted: tuple[int, ...]  # k_a capped by the calendar
    minimum: tuple[int, ...]  # m_a, tier-minimum visits (≤ fitted)
    weight: tuple[float, ...]  # w_a ∈ [0, 1]
    service: tuple[int, ...]
    window: tuple[tuple[int, int], ...]  # [e_a, l_a] real clock
    engine_late: tuple[int, ...]  # latest start the engine may use (lunch allowance)
    allowed: tuple[tuple[int, ...], ...]  # indices of dates the account may be visited
    min_days: int | None
    tau: FloatMatrix
    day_start: int
    day_minutes: int  # H
    lunch: int  # L
    drops: tuple[Drop, ...]
    lost: int = 0  # tier-minimum visits among ``drops`` (the reach or the calendar rules them out)
    budget: float = math.inf  # minutes of visits and travel the rep's selling hours leave over the horizon
    # tours with nights away (:mod:`.tours`); without them every day runs from home and back home
    tours: tuple[Tour, ...] = ()
    places: tuple[str, ...] = ()  # ids of the place nodes n+1..n+p of ``ways``
    place_names: tuple[str, ...] = ()
    ways: FloatMatrix | None = None  # minutes over home, the accounts and the places (None: ``tau``)
    start: tuple[int, ...] = ()  # per date: the node the day starts at (0: home); empty: all at home
    finish: tuple[int, ...] = ()  # per date: the node the day ends at
    night_cost: tuple[float, ...] = ()  # per date: hotel and per diem of the night after it (currency)
    night_minutes: float = 0.0  # the nights' cost in the objective's minutes (:mod:`.tours`)
    alternative: RepProblem | None = None  # the same rep on day trips only, solved beside it (:mod:`.solve`)
    longer: RepProblem | None = None  # every tour a day longer, solved when tour visits find no room
    # (account, tours of its cluster) for the accounts the tours are for (a tour visits each at most once)
    tour_limits: tuple[tuple[str, int], ...] = ()
    # per account: the last date index its first visit may fall on, so that a chosen opportunity whose
    # work needs a visit gets one by its due date; empty: no such opportunity
    first_by: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for a, (early, _) in enumerate(self.window):
            if early > self.engine_late[a]:  # build_rep_problem drops such accounts before any solving
                raise ValueError(
                    f"{self.accounts[a]}: no start fits its window ({early} > {self.engine_late[a]})"
                )

    @property
    def n(self) -> int:
        return len(self.accounts)

    @property
    def matrix(self) -> FloatMatrix:
        """Travel minutes over home (0), the accounts (a + 1) and the places (n + 1 + p)."""
        return self.tau if self.ways is None else self.ways

    def ends(self, day: int) -> tuple[int, int]:
        """The nodes day ``day`` starts and ends at (home: 0)."""
        return (self.start[day], self.finish[day]) if self.start else (0, 0)

    @cached_property
    def relaxed_tau(self) -> FloatMatrix:
        """``tau`` with home's row and column the least over every place a day may start or end at:
        what a lower bound or an estimate may count for the way to the first and from the last visit."""
        if not self.places:
            return self.tau
        n = self.n
        starts = sorted(set(self.start) | {0})
        finishes = sorted(set(self.finish) | {0})
        out = self.tau.copy()
        out[0, 1:] = self.matrix[np.ix_(starts, range(1, n + 1))].min(axis=0)
        out[1:, 0] = self.matrix[np.ix_(range(1, n + 1), finishes)].min(axis=1)
        return out

    @property
    def middle(self) -> int:
        """The middle of the working day, minutes after day_start."""
        return self.day_minutes // 2

    @property
    def engine_day(self) -> int:
        """The day the engine plans in: H − L."""
        return self.day_minutes - self.lunch

    @property
    def delta(self) -> float:
        """Δ = 2·max τ + 1, above what any one visit adds to a route's travel."""
        return 2.0 * float(self.matrix.max(initial=0.0)) + 1.0

    def penalty(self, a: int, visits: int) -> float:
        """Cost of keeping only ``visits`` of account a's fitted visits (the least important go first)."""
        missing = self.fitted[a] - visits
        above = self.fitted[a] - self.minimum[a]
        first = min(missing, above)
        return self.delta * (first * (1.0 + self.weight[a]) + (missing - first) * (2.0 + self.weight[a]))

    def next_drop_penalty(self, a: int, visits: int) -> float:
        """π of the next visit dropped when account a has ``visits``."""
        return self.penalty(a, visits - 1) - self.penalty(a, visits)

    def patterns(self, a: int, visits: int) -> tuple[tuple[int, ...], ...]:
        """Evenly spread candidate patterns of ``visits`` visits of account a: those whose first visit
        falls by ``first_by[a]`` when there are any (an opportunity's due date), else all of them."""
        every = even_patterns(visits, self.allowed[a], self.offsets, self.horizon_days, self.min_days)
        if not self.first_by:
            return every
        early = tuple(p for p in every if p[0] <= self.first_by[a])
        return early or every

    @cached_property
    def timing(self) -> PeriodicRoutingProblem:
        """The engine's model of all the rep's accounts (node a + 1 = account a): the one place where a
        route is timed, checked against windows and the engine's day, and costed."""
        return self.routing_problem(self.fitted)[0]

    def routing_problem(self, counts: Sequence[int]) -> tuple[PeriodicRoutingProblem, tuple[int, ...]]:
        """The engine's PVRP for ``counts[a]`` visits per account, and the accounts it holds (node order).

        Each customer's drop penalty is the penalty of dropping all its visits.
        """
        members = tuple(a for a in range(self.n) if counts[a] > 0)
        customers = []
        for a in members:
            early, late = self.window[a][0], self.engine_late[a]
            loose = early == 0 and late >= self.engine_day - self.service[a]
            customers.append(RoutingCustomer(
                self.patterns(a, counts[a]), float(self.service[a]), 0.0, None if loose else (early, late),
                self.penalty(a, 0) - self.penalty(a, counts[a]),
                self.accounts[a],
            ))  # fmt: skip
        places = len(self.places)
        nodes = [0, *(a + 1 for a in members), *range(self.n + 1, self.n + 1 + places)]

        def node(k: int) -> int:  # a place's node in the engine's problem
            return k if k == 0 else k - self.n + len(members)

        days = tuple(
            RoutingDay(1, math.inf, float(self.engine_day), node(self.ends(d)[0]), node(self.ends(d)[1]))
            for d in range(len(self.dates))
        )
        matrix = self.matrix[np.ix_(nodes, nodes)]
        return PeriodicRoutingProblem(matrix, tuple(customers), days, places=places), members


def visit_value(account: Account, visits_per_month: float) -> float:
    """Value of one visit: the account's annual margin over its visits per year (currency)."""
    margin = account.current_sales * account.margin
    return margin / max(12.0 * visits_per_month, 1.0)


@dataclass(frozen=True)
class _TourPlan:
    """The tours of one rep and the matrix over home, all its accounts and the tours' night places."""

    tours: tuple[Tour, ...]
    places: tuple[NightPlace, ...]
    ways: FloatMatrix  # (1 + accounts + places)², accounts in the order given
    start: tuple[int, ...]  # per date, node in ``ways`` (places at 1 + accounts + p)
    finish: tuple[int, ...]
    night_cost: tuple[float, ...]
    night_minutes: float


def _tour_plan(
    data: PlanData, rep: Rep, accounts: Sequence[Account], visits: Sequence[int], reach: Sequence[bool],
    tau: FloatMatrix, offsets: Sequence[int], longer: int = 0,
) -> _TourPlan | None:  # fmt: skip
    """Tours for the rep's far accounts (:mod:`.tours`), or None when there are none to plan."""
    rules = data.overnight
    if rules is None or not rules.possible or not accounts:
        return None
    home, inner = tau[0, 1:], tau[1:, 1:]
    far = far_accounts(home, reach, visits, rules)
    if not far:
        return None
    horizon = data.horizon
    model = data.travel_model
    spots = [a.place for a in accounts]
    listed = data.overnight_places
    if listed:
        to_places = np.ceil(model.minutes(spots, [p.place for p in listed]) - 1e-9)
        from_places = np.ceil(model.minutes([p.place for p in listed], spots) - 1e-9)
    else:
        to_places, from_places = np.zeros((len(spots), 0)), np.zeros((0, len(spots)))
    per_minute = 60.0 / rep.cost_per_hour if rep.cost_per_hour > 0 else 0.0
    day = float(horizon.day_minutes - horizon.lunch)
    groups = clusters(far, home, inner, RADIUS_SHARE * day)
    nights = [
        night_place(
            g, inner, to_places, from_places, [p.id for p in listed], [p.name for p in listed],
            [p.cost for p in listed], [a.id for a in accounts], [a.name for a in accounts], rules, per_minute,
        )
        for g in groups
    ]  # fmt: skip

    def site(night: NightPlace) -> Place:
        return listed[night.listed].place if night.listed >= 0 else spots[night.account]

    home_to = [float(np.ceil(model.minutes([rep.home], [site(p)])[0, 0] - 1e-9)) for p in nights]
    service = [float(data.window(a)[0]) for a in accounts]
    tours = plan_tours(
        rep.dates, offsets, horizon.calendar_days, rules, groups, nights, visits, service, inner, home_to, day,
        longer,
    )  # fmt: skip
    if not tours:
        return None
    used: list[NightPlace] = []
    for tour in tours:
        if tour.place not in used:
            used.append(tour.place)
    ways = np.ceil(model.minutes([rep.home, *spots, *(site(p) for p in used)]) - 1e-9)
    np.fill_diagonal(ways, 0.0)
    ways[: len(spots) + 1, : len(spots) + 1] = tau  # the accounts' minutes exactly as without tours
    count = len(rep.dates)
    start, finish, cost = [0] * count, [0] * count, [0.0] * count
    for tour in tours:
        node = 1 + len(spots) + used.index(tour.place)
        for k, d in enumerate(tour.days):
            start[d] = 0 if k == 0 else node
            finish[d] = 0 if k == len(tour.days) - 1 else node
            cost[d] = 0.0 if k == len(tour.days) - 1 else tour.place.cost
    return _TourPlan(
        tours, tuple(used), ways, tuple(start), tuple(finish), tuple(cost), sum(cost) * per_minute
    )


def build_rep_problem(
    data: PlanData,
    rep: Rep,
    accounts: Sequence[Account],
    visits_per_month: Mapping[str, float],
    minimum_per_month: Mapping[str, float],
    budget: float = math.inf,
    tours: bool = True,
    longer: int = 0,
    visit_by: Mapping[str, dt.date] | None = None,
) -> RepProblem:
    """The data of one rep's schedule (see module docstring); accounts without visits are left out.

    ``visit_by`` (account → date): the first visit of the account falls on or before that date whenever
    an evenly spread pattern allows it — the due date of a chosen opportunity whose work needs a visit.

    With overnight trips on (``data.overnight``) and accounts beyond ``min_drive_minutes`` or a day trip,
    the problem carries the rep's tours (:mod:`.tours`) and, as ``alternative``, the same rep on day
    trips only (``tours=False``); an account no day trip reaches may then be visited on the days of a
    tour whose start and end let a single visit fit the working day."""
    horizon = data.horizon
    dates = rep.dates
    offsets = day_offsets(horizon, dates)
    horizon_days = horizon.calendar_days
    min_days = data.rules.min_days_between_visits
    day_minutes, lunch = horizon.day_minutes, horizon.lunch
    places = [rep.home] + [a.place for a in accounts]
    tau = np.ceil(data.travel_model.minutes(places) - 1e-9)
    np.fill_diagonal(tau, 0.0)
    planned = [round(visits_per_month.get(a.id, 0.0) * horizon.months) for a in accounts]
    reach = [data.day_trip(a, tau[0, i + 1], tau[i + 1, 0]) for i, a in enumerate(accounts)]
    plan = _tour_plan(data, rep, accounts, planned, reach, tau, offsets, longer) if tours else None
    rows: list[tuple[int, Account, int, int, int, int, tuple[int, int], int, tuple[int, ...]]] = []
    drops: list[Drop] = []
    lost = 0  # tier-minimum visits the reach and the calendar rule out
    for index, account in enumerate(accounts):
        k = planned[index]
        if k <= 0:
            continue
        least = min(k, round(minimum_per_month.get(account.id, 0.0) * horizon.months))
        service, early, late = data.window(account)
        engine_late = data.engine_late(late)
        allowed = allowed_days(account, dates)
        if not reach[index]:
            touring = (
                ()
                if plan is None
                else _tour_days(plan, index + 1, service, early, engine_late, day_minutes - lunch)
            )
            allowed = tuple(d for d in allowed if d in touring)
            if not allowed:
                reason = _hours_reason(data, account, service, tau[0, index + 1], tau[index + 1, 0])
                if plan is not None:
                    reason += "; no day of the rep's tours with nights away lets a visit fit either"
                drops.append(Drop(account.id, rep.id, k, reason, "reach"))
                lost += least
                continue
        fit = min(k, len(allowed))
        while fit > 0 and not even_patterns(fit, allowed, offsets, horizon_days, min_days):
            fit -= 1
        if fit < k and not reach[index]:  # only tours reach it, and their days hold fewer visits
            drops.append(
                Drop(
                    account.id,
                    rep.id,
                    k - fit,
                    _tour_reason(data, account, tau[0, index + 1], len(allowed), fit),
                    "reach",
                )
            )
        elif fit < k:
            drops.append(
                Drop(
                    account.id,
                    rep.id,
                    k - fit,
                    _calendar_reason(account, len(dates), len(allowed), k, min_days),
                    "calendar",
                )
            )
        lost += max(0, least - fit)
        if fit == 0:
            continue
        minimum = min(fit, least)
        rows.append((index, account, k, fit, minimum, service, (early, late), engine_late, allowed))
    values = [visit_value(row[1], visits_per_month.get(row[1].id, 0.0)) for row in rows]
    top = max(values, default=0.0)
    nodes = [0, *(row[0] + 1 for row in rows)]
    touring_fields: dict[str, object] = {}
    if plan is not None:
        ends = [1 + len(accounts) + p for p in range(len(plan.places))]

        def node(k: int) -> int:  # a place's node once only the rows' accounts are kept
            return k if k == 0 else k - len(accounts) + len(rows)

        rules = data.overnight
        assert rules is not None
        variant = partial(  # the same rep on day trips only, or with every tour a day longer
            build_rep_problem, data, rep, accounts, visits_per_month, minimum_per_month, budget,
            visit_by=visit_by,
        )  # fmt: skip
        touring_fields = dict(
            tours=plan.tours,
            places=tuple(p.id for p in plan.places),
            place_names=tuple(p.name for p in plan.places),
            ways=plan.ways[np.ix_(nodes + ends, nodes + ends)],
            start=tuple(node(x) for x in plan.start),
            finish=tuple(node(x) for x in plan.finish),
            night_cost=plan.night_cost,
            night_minutes=plan.night_minutes,
            tour_limits=tuple(
                (row[1].id, count)
                for row in rows
                if (count := sum(1 for t in plan.tours if row[0] in t.cluster)) > 0
            ),
            alternative=None if longer else variant(tours=False),
            longer=None
            if longer or all(t.nights >= rules.max_nights_in_a_row for t in plan.tours)
            else variant(longer=1),
        )
    return RepProblem(
        rep.id, dates, offsets, horizon_days,
        accounts=tuple(row[1].id for row in rows),
        planned=tuple(row[2] for row in rows),
        fitted=tuple(row[3] for row in rows),
        minimum=tuple(row[4] for row in rows),
        weight=tuple(v / top if top > 0 else 0.0 for v in values),
        service=tuple(row[5] for row in rows),
        window=tuple(row[6] for row in rows),
        engine_late=tuple(row[7] for row in rows),
        allowed=tuple(row[8] for row in rows),
        min_days=min_days,
        tau=tau[np.ix_(nodes, nodes)],
        day_start=horizon.day_start,
        day_minutes=day_minutes,
        lunch=lunch,
        drops=tuple(drops),
        lost=lost,
        budget=budget,
        first_by=_first_by(dates, [row[1].id for row in rows], visit_by or {}),
        **touring_fields,  # type: ignore[arg-type]
    )  # fmt: skip


def _first_by(
    dates: Sequence[dt.date], accounts: Sequence[str], by: Mapping[str, dt.date]
) -> tuple[int, ...]:
    """Per account, the index of the last date on or before its ``by`` date (−1 when none is; the last
    date without one); empty when no account has one."""
    if not any(a in by for a in accounts):
        return ()
    return tuple(bisect_right(dates, by[a]) - 1 if a in by else len(dates) - 1 for a in accounts)


def _tour_days(plan: _TourPlan, node: int, service: int, early: int, late: int, day: int) -> set[int]:
    """The tour days (indices of dates) whose start and end let one visit of ``node`` fit the day."""
    ways = plan.ways
    out = set()
    for tour in plan.tours:
        for d in tour.days:
            s, f = plan.start[d], plan.finish[d]
            begin = max(float(ways[s, node]), float(early))
            if begin <= late and begin + service + float(ways[node, f]) <= day:
                out.add(d)
    return out


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hours_reason(data: PlanData, account: Account, service: int, there: float, back: float) -> str:
    horizon = data.horizon
    day = horizon.day_minutes - horizon.lunch
    if there + service + back > day:
        return (
            f"a day trip does not fit the working day: {there:.0f} min there, a {service}-min visit and "
            f"{back:.0f} min back from the rep's home exceed the {day} working minutes "
            f"({_clock(horizon.day_start)}–{_clock(horizon.day_end)} less {horizon.lunch} min lunch)"
        )
    opened = _clock(account.open_time if account.open_time is not None else horizon.day_start)
    closed = _clock(account.close_time if account.close_time is not None else horizon.day_end)
    return (
        f"a {service}-min visit does not fit its opening hours {opened}–{closed} once the rep has "
        f"travelled {there:.0f} min from home (the lunch break may fall before it)"
    )


def _tour_reason(data: PlanData, account: Account, there: float, days: int, fit: int) -> str:
    return (
        f"beyond a day trip ({there:.0f} min one way from the rep's home): only tours with nights away reach "
        f"it, and the {days} days of the rep's tours that can take it hold {fit} regularly spaced visit(s)"
    )


def _calendar_reason(account: Account, rep_days: int, allowed: int, k: int, min_days: int | None) -> str:
    limits = []
    if account.visit_days is not None:
        limits.append(f"visit days {';'.join(account.visit_days)}")
    if account.closed_dates:
        limits.append(f"{len(account.closed_dates)} closed date(s)")
    what = f" ({', '.join(limits)})" if limits else ""
    gap = f" at least {min_days} days apart" if min_days is not None else " evenly spread"
    return (
        f"only {allowed} of the rep's {rep_days} working days allow a visit{what}: {k} visits{gap} do not fit"
    )
