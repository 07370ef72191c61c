"""Independent check of a visit schedule against the scenario: every rule, every violation listed.

Written apart from the scheduler (it reads the scenario's facts, :class:`..data.PlanData`, not the
scheduler's problem), for the tests and for anyone handed a schedule. It checks that
(1) every account gets exactly its planned visits, or the missing ones are reported dropped with a
    reason, and only its own rep visits it, at most once a day;
(2) visits fall on the rep's working days (no holiday, absence, or day before they start / after they
    leave) and on days the account takes visits (weekdays, closed dates);
(3) each visit lasts the account's visit minutes, inside its opening hours;
(4) each day runs from leaving home to coming back inside the working hours, with enough travel time
    (the scenario's travel model, rounded up to whole minutes) between home and visits, no two visits
    and the lunch break overlapping, and the break taken whenever the day goes past its middle;
(4a) tours with nights away: a day ends away from home only with overnight trips on and a night there,
    on a weekday that allows one, followed by the rep's next working day on the next calendar day,
    starting where the night was spent; at most ``max_nights_per_week`` nights a calendar week and
    ``max_nights_in_a_row`` in a row, so the rep is home by the end of the tour's last day;
(5) an account's visits are regularly spaced (:func:`.patterns.spacing`);
(6) every stated reason of a dropped visit holds: "reach" — no day trip from the rep's home fits it;
    "calendar" — no regularly spaced set of the planned visits exists among the days it may be visited;
    "full" — no regularly spaced set of one more visit exists even among the rep's days without any
    visit (where a single visit always fits) and its own visit days; "hours" — the rep's visits, travel
    and opportunity work fill the selling hours — and where a tier-minimum visit is dropped, even the
    cheapest n + 1 regularly spaced visits — each day's cheapest insertion into the day's visits,
    on days whose route could still hold it, waiting for opening hours ignored, which only makes it
    cheaper — do not fit in the selling hours that the other visits, their travel and the opportunity
    work leave;
(7) opportunity work lies on the rep's working days, inside the working hours, by the due date, apart
    from the day's route and lunch and from other work, and every chosen opportunity's hours are placed
    or reported short.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..data import Account, PlanData
from .patterns import spacing
from .result import DayPlan, ScheduledVisit, ScheduleResult


@dataclass(frozen=True)
class ScheduleCheck:
    """Violations found (empty = the schedule keeps every rule)."""

    violations: tuple[str, ...]
    visits: int
    days: int

    @property
    def ok(self) -> bool:
        return not self.violations


def check_schedule(data: PlanData, result: ScheduleResult) -> ScheduleCheck:
    """Check rules (1)–(5) of the module docstring on ``result``."""
    bad: list[str] = []
    _check_counts(data, result, bad)
    _check_visits(data, result, bad)
    _check_days(data, result, bad)
    _check_nights(data, result, bad)
    _check_spacing(data, result, bad)
    _check_work(data, result, bad)
    _check_drops(data, result, bad)
    return ScheduleCheck(tuple(bad), len(result.visits), len(result.days))


def _check_counts(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    count: dict[str, int] = defaultdict(int)
    dropped: dict[str, int] = defaultdict(int)
    for visit in result.visits:
        count[visit.account_id] += 1
        if result.rep_of.get(visit.account_id) != visit.rep_id:
            bad.append(
                f"{visit.account_id} on {visit.date}: visited by {visit.rep_id}, served by "
                f"{result.rep_of.get(visit.account_id)}"
            )
    for drop in result.dropped:
        dropped[drop.account_id] += drop.visits
        if not drop.reason.strip() or drop.visits <= 0:
            bad.append(f"{drop.account_id}: a drop of {drop.visits} visit(s) without a reason")
    for account in data.accounts:
        planned = result.planned.get(account.id, 0)
        if count[account.id] + dropped[account.id] != planned:
            bad.append(
                f"{account.id}: {planned} visits planned, {count[account.id]} scheduled and "
                f"{dropped[account.id]} reported dropped"
            )
    seen = set()
    for visit in result.visits:
        key = (visit.account_id, visit.date)
        if key in seen:
            bad.append(f"{visit.account_id}: visited twice on {visit.date}")
        seen.add(key)


def _check_visits(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    accounts = data.account_by_id
    reps = data.rep_by_id
    working = set(data.horizon.days)
    for v in result.visits:
        account, rep = accounts[v.account_id], reps[v.rep_id]
        where = f"{v.account_id} on {v.date} ({v.rep_id})"
        if v.date not in working:
            bad.append(f"{where}: not a working day of the horizon")
        elif why := data.unavailable_reason(rep, v.date):
            bad.append(f"{where}: the rep does not work that day ({why})")
        if not account.takes_visits_on(v.date):
            bad.append(f"{where}: the account takes no visits that day")
        if v.end - v.start != math.ceil(account.visit_minutes - 1e-9):
            bad.append(f"{where}: lasts {v.end - v.start} minutes, not its visit minutes")
        if account.open_time is not None and v.start < account.open_time:
            bad.append(f"{where}: starts before the account opens")
        if account.close_time is not None and v.end > account.close_time:
            bad.append(f"{where}: ends after the account closes")


def _check_days(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    horizon = data.horizon
    start, end = horizon.day_start, horizon.day_end
    middle = start + horizon.day_minutes // 2
    minutes = _Minutes(data, result)
    by_day: dict[tuple[str, object], list[ScheduledVisit]] = defaultdict(list)
    for v in result.visits:
        by_day[v.rep_id, v.date].append(v)
    plans = {(d.rep_id, d.date): d for d in result.days}
    for key in by_day.keys() - plans.keys():
        bad.append(f"{key[0]} on {key[1]}: visits but no day plan")
    for key, day in plans.items():
        visits = sorted(by_day.get(key, []), key=lambda v: v.start)
        where = f"{key[0]} on {key[1]}"
        travel = minutes.of(key[0])
        if [v.order for v in visits] != list(range(1, len(visits) + 1)):
            bad.append(f"{where}: visit order does not follow the clock")
        if day.visits != len(visits):
            bad.append(f"{where}: the day plan counts {day.visits} visits, {len(visits)} scheduled")
        if day.departure < start or day.back > end:
            bad.append(f"{where}: the day runs {day.departure}–{day.back}, outside the working hours")
        lunch = (
            (day.lunch_start, day.lunch_end)
            if day.lunch_start is not None and day.lunch_end is not None
            else None
        )
        if lunch is None and horizon.lunch > 0 and day.back > middle:
            bad.append(f"{where}: the day goes past its middle without a lunch break")
        if lunch is not None and lunch[1] - lunch[0] != horizon.lunch:
            bad.append(f"{where}: the lunch break lasts {lunch[1] - lunch[0]} minutes")
        here, free = day.start_place or key[0], day.departure  # where the rep is, when free to move on
        travel_total = 0
        for v in visits:
            leg = travel(here, v.account_id)
            travel_total += leg
            need = free + leg
            if lunch is not None and free <= lunch[0] < v.start:
                need += lunch[1] - lunch[0]
            if v.start < need:
                bad.append(
                    f"{where}: {v.account_id} starts at {v.start}, before the rep can be there ({need})"
                )
            if v.travel_minutes_before != leg:
                bad.append(f"{where}: {v.account_id} travel {v.travel_minutes_before} ≠ {leg} minutes")
            if lunch is not None and v.start < lunch[1] and lunch[0] < v.end:
                bad.append(f"{where}: {v.account_id} overlaps the lunch break")
            here, free = v.account_id, v.end
        end_at = day.end_place or key[0]
        leg = travel(here, end_at)
        travel_total += leg
        need = free + leg + (lunch[1] - lunch[0] if lunch is not None and lunch[0] >= free else 0)
        if day.back < need:
            at = "back home" if end_at == key[0] else f"at {end_at}"
            bad.append(f"{where}: {at} at {day.back}, before the rep can be ({need})")
        if travel_total != day.travel_minutes:
            bad.append(
                f"{where}: the day plan says {day.travel_minutes} travel minutes, recomputed {travel_total}"
            )


def _check_nights(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    rules = data.overnight
    by_rep: dict[str, list[DayPlan]] = defaultdict(list)
    for day in result.days:
        by_rep[day.rep_id].append(day)
    for rep_id, days in by_rep.items():
        days.sort(key=lambda d: d.date)
        dates = data.rep_by_id[rep_id].dates
        plans = {d.date: d for d in days}
        weekly: dict[tuple[int, int], int] = defaultdict(int)
        row = 0
        for day in days:
            where = f"{rep_id} on {day.date}"
            if bool(day.end_place) != bool(day.night):
                bad.append(
                    f"{where}: the day ends at {day.end_place or 'home'} but the night is at {day.night or 'home'}"
                )
            if not day.end_place:
                row = 0
                continue
            if rules is None:
                bad.append(f"{where}: a night away ({day.night}) while overnight trips are off")
                continue
            if not rules.allows_night(day.date.weekday()):
                bad.append(
                    f"{where}: a night away on a {day.date:%A}, which policy.travel.overnight.nights does not allow"
                )
            iso = day.date.isocalendar()
            weekly[iso[0], iso[1]] += 1
            if weekly[iso[0], iso[1]] == rules.max_nights_per_week + 1:
                bad.append(f"{where}: more than {rules.max_nights_per_week} nights away in week {iso[1]}")
            row += 1
            if row == rules.max_nights_in_a_row + 1:
                bad.append(f"{where}: more than {rules.max_nights_in_a_row} nights away in a row")
            after = day.date + dt.timedelta(days=1)
            following = plans.get(after)
            if after not in dates or following is None:
                bad.append(f"{where}: a night away, but the rep does not work on {after} to come home")
            elif following.start_place != day.end_place:
                bad.append(
                    f"{where}: the night is spent at {day.end_place}, the next day starts at "
                    f"{following.start_place or 'home'}"
                )
        for day in days:
            before = day.date - dt.timedelta(days=1)
            if day.start_place and (before not in plans or plans[before].end_place != day.start_place):
                bad.append(f"{rep_id} on {day.date}: starts at {day.start_place}, where no night was spent")


def _check_spacing(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    days = data.horizon.calendar_days
    min_days = data.rules.min_days_between_visits
    offsets: dict[str, list[int]] = defaultdict(list)
    for v in result.visits:
        offsets[v.account_id].append((v.date - data.horizon.start).days)
    for account_id, found in offsets.items():
        found.sort()
        rule = spacing(len(found), days, min_days)
        if not rule.regular(found):
            bad.append(
                f"{account_id}: visits on days {found} are not regularly spaced "
                f"(gaps {rule.min_gap}–{rule.max_gap:g} days for {len(found)} visits)"
            )


def _check_work(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    horizon = data.horizon
    busy: dict[tuple[str, object], list[tuple[int, int, str]]] = defaultdict(list)
    for d in result.days:
        busy[d.rep_id, d.date].append((d.departure, d.back, "the route"))
    for rep in data.reps:
        for date in rep.dates:
            if (rep.id, date) not in busy and horizon.lunch:
                middle = horizon.day_start + horizon.day_minutes // 2 - horizon.lunch // 2
                busy[rep.id, date].append((middle, middle + horizon.lunch, "lunch"))
    placed: dict[str, int] = defaultdict(int)
    for b in result.work:
        rep = data.rep_by_id[b.rep_id]
        o = data.opportunity_by_id[b.opportunity_id]
        where = f"{b.opportunity_id} work on {b.date} ({b.rep_id})"
        placed[b.opportunity_id] += b.minutes
        if b.date not in rep.dates:
            bad.append(f"{where}: not a working day of the rep")
        if b.start < horizon.day_start or b.end > horizon.day_end or b.end <= b.start:
            bad.append(f"{where}: {b.start}–{b.end} outside the working hours")
        if b.date > horizon.due(o.due_date):
            bad.append(f"{where}: after its due date")
        for start, end, what in busy[b.rep_id, b.date]:
            if b.start < end and start < b.end:
                bad.append(f"{where}: overlaps {what}")
        busy[b.rep_id, b.date].append((b.start, b.end, f"work on {b.opportunity_id}"))
    short = {s.opportunity_id: s.hours for s in result.work_short}
    for opportunity_id in {b.opportunity_id for b in result.work} | set(short):
        o = data.opportunity_by_id[opportunity_id]
        if (
            abs(
                placed[opportunity_id] / 60 + short.get(opportunity_id, 0.0) - round(o.effort_hours * 60) / 60
            )
            > 1e-6
        ):
            bad.append(
                f"{opportunity_id}: {placed[opportunity_id] / 60:.2f} h placed and {short.get(opportunity_id, 0):.2f} h "
                f"reported short of its {o.effort_hours:g} h"
            )


def _regular_exists(offsets: list[int], n: int, min_gap: int, max_gap: float) -> bool:
    """Whether n of the (sorted) day offsets have every consecutive gap in [min_gap, max_gap]."""
    if n <= 0:
        return True
    reach = [1] * len(offsets)  # longest regular chain ending at each day
    for i in range(len(offsets)):
        for h in range(i):
            if min_gap <= offsets[i] - offsets[h] <= max_gap + 1e-9:
                reach[i] = max(reach[i], reach[h] + 1)
    return max(reach, default=0) >= n


WAIT_ALLOWANCE = 30.0
"""Minutes per visit the hours rule allows for waiting (opening hours, lunch) its lower bound leaves out."""


def _check_drops(data: PlanData, result: ScheduleResult, bad: list[str]) -> None:
    horizon = data.horizon
    days = horizon.calendar_days
    min_days = data.rules.min_days_between_visits
    busy = {(v.rep_id, v.date) for v in result.visits}
    travel = _Minutes(data, result)
    count: dict[str, int] = defaultdict(int)
    own: dict[str, set[object]] = defaultdict(set)
    for v in result.visits:
        count[v.account_id] += 1
        own[v.account_id].add(v.date)
    for drop in result.dropped:
        account = data.account_by_id[drop.account_id]
        rep = data.rep_by_id.get(drop.rep_id or "")
        where = f"{drop.account_id}: dropped for '{drop.kind}'"
        if drop.kind == "reach" and rep is not None:
            there = math.ceil(data.home_minutes(rep, account) - 1e-9)
            back = math.ceil(float(data.travel_model.minutes([account.place], [rep.home])[0, 0]) - 1e-9)
            if data.day_trip(account, there, back):
                bad.append(
                    f"{where}, but a day trip from {rep.id}'s home fits ({there} min there, {back} back)"
                )
        elif drop.kind == "calendar" and rep is not None:
            allowed = [(d - horizon.start).days for d in rep.dates if account.takes_visits_on(d)]
            planned = result.planned.get(drop.account_id, 0)
            rule = spacing(planned, days, min_days)
            if _regular_exists(allowed, planned, rule.min_gap, rule.max_gap):
                bad.append(
                    f"{where}, but {planned} regularly spaced days exist among the {len(allowed)} it allows"
                )
        elif drop.kind == "hours" and rep is not None:
            minutes = travel.of(rep.id)
            floor = _cheapest_more(data, result, rep.id, account.id, count[drop.account_id] + 1, minutes)
            # the schedule states what its cheapest placement would add (drop.minutes); the claim is false
            # when that fits the hours left, or undercuts the floor computed here — both up to the waiting
            # for opening hours and lunch that the floor leaves out
            slack = WAIT_ALLOWANCE * (count[drop.account_id] + 1)
            selling = 60.0 * rep.available_hours_per_month * horizon.months
            work: float = sum(b.minutes for b in result.work if b.rep_id == rep.id)
            work += sum(60.0 * x.hours for x in result.work_short if x.rep_id == rep.id)
            others: float = sum(d.travel_minutes + d.visit_minutes for d in result.days if d.rep_id == rep.id)
            others -= _own_minutes(data, result, rep.id, account.id, minutes)
            band = data.rules.band(result.tier_of.get(account.id, ""))
            minimum = round((band.min if band is not None else 0.0) * horizon.months)
            if others + work > selling + 1e-6:
                bad.append(f"{where}, but {rep.id} is already over its selling hours")
            elif count[drop.account_id] < minimum and drop.minutes + slack < floor:
                bad.append(
                    f"{where}: the schedule says {count[drop.account_id] + 1} visits would add "
                    f"{drop.minutes / 60:.1f} h, below the {floor / 60:.1f} h they cost at least"
                )
            elif count[drop.account_id] < minimum and others + work + drop.minutes + slack <= selling + 1e-6:
                bad.append(
                    f"{where}, but {count[drop.account_id] + 1} visits would add {drop.minutes / 60:.1f} h by the "
                    f"schedule's own figure and {rep.id} has {(selling - others - work) / 60:.1f} h left for them"
                )
        elif drop.kind == "full" and rep is not None:
            n = count[drop.account_id] + 1
            rule = spacing(n, days, min_days)
            there = math.ceil(data.home_minutes(rep, account) - 1e-9)
            back = math.ceil(float(data.travel_model.minutes([account.place], [rep.home])[0, 0]) - 1e-9)
            able = _room_for_one(data, result, rep.id, account, travel, data.day_trip(account, there, back))
            free = sorted(
                (d - horizon.start).days
                for d in rep.dates
                if account.takes_visits_on(d)
                and ((rep.id, d) not in busy or d in own[drop.account_id])
                and able(d)
            )
            if _regular_exists(free, n, rule.min_gap, rule.max_gap):
                bad.append(f"{where}, but {n} regularly spaced days with room exist (free days of {rep.id})")


def _room_for_one(
    data: PlanData, result: ScheduleResult, rep_id: str, account: Account, travel: _Minutes, day_trip: bool
) -> Callable[[dt.date], bool]:
    """Whether a free day surely holds one visit of the account: a day from home and back when a day trip
    reaches it; a day of a tour when the visit fits between the day's start and its end."""
    minutes = travel.of(rep_id)
    ends = _day_ends(result, rep_id)
    service = math.ceil(account.visit_minutes - 1e-9)
    day = data.horizon.day_minutes - data.horizon.lunch

    def fits(date: dt.date) -> bool:
        first, last = ends.get(date, (rep_id, rep_id))
        if first == last == rep_id:
            return day_trip
        return minutes(first, account.id) + service + minutes(account.id, last) <= day

    return fits


def _day_orders(result: ScheduleResult, rep_id: str, skip: str) -> dict[dt.date, list[str]]:
    """The rep's visit sequence of every day (places in order), without ``skip``."""
    days: dict[dt.date, list[tuple[int, str]]] = defaultdict(list)
    for v in result.visits:
        if v.rep_id == rep_id and v.account_id != skip:
            days[v.date].append((v.order, v.account_id))
    return {d: [a for _, a in sorted(vs)] for d, vs in days.items()}


def _day_ends(result: ScheduleResult, rep_id: str) -> dict[dt.date, tuple[str, str]]:
    """Where each of the rep's days starts and ends: the rep's id for home, else the place's id."""
    return {
        d.date: (d.start_place or rep_id, d.end_place or rep_id) for d in result.days if d.rep_id == rep_id
    }


class _Minutes:
    """Travel minutes (rounded up, as the checker counts them) between a rep's home, its accounts and the
    overnight places, one matrix per rep built on first use."""

    def __init__(self, data: PlanData, result: ScheduleResult) -> None:
        self.data = data
        self.served: dict[str, set[str]] = defaultdict(set)
        for account_id, rep_id in result.rep_of.items():
            if rep_id is not None:  # an unserved account is on no rep's table
                self.served[rep_id].add(account_id)
        for visit in result.visits:  # a visit by another rep is a violation of its own; still count it
            self.served[visit.rep_id].add(visit.account_id)
        for drop in result.dropped:
            if drop.rep_id:
                self.served[drop.rep_id].add(drop.account_id)
        self.tables: dict[str, tuple[dict[str, int], npt.NDArray[np.int64]]] = {}

    def of(self, rep_id: str) -> Callable[[str, str], int]:
        if rep_id not in self.tables:
            accounts = sorted(self.served[rep_id])
            listed = [p for p in self.data.overnight_places if p.id not in self.served[rep_id]]
            ids = [rep_id, *accounts, *(p.id for p in listed)]
            places = [
                self.data.rep_by_id[rep_id].home,
                *(self.data.account_by_id[a].place for a in accounts),
                *(p.place for p in listed),
            ]
            table = np.ceil(self.data.travel_model.minutes(places) - 1e-9).astype(np.int64)
            np.fill_diagonal(table, 0)
            self.tables[rep_id] = ({x: k for k, x in enumerate(ids)}, table)
        index, table = self.tables[rep_id]
        return lambda a, b: int(table[index[a], index[b]])


def _own_minutes(
    data: PlanData, result: ScheduleResult, rep_id: str, account_id: str, minutes: Callable[[str, str], int]
) -> float:
    """Minutes the account's visits add to the rep's days: on site, and the detour on each day's route."""
    total = 0.0
    with_it = _day_orders(result, rep_id, "")
    without = _day_orders(result, rep_id, account_id)
    ends = _day_ends(result, rep_id)
    for day, order in with_it.items():
        if account_id not in order:
            continue
        first, last = ends.get(day, (rep_id, rep_id))

        def length(seq: list[str], first: str = first, last: str = last) -> int:
            path = [first, *seq, last]
            return sum(minutes(x, y) for x, y in itertools.pairwise(path))

        total += length(order) - length(without.get(day, []))  # a tour's day still drives start → end
        total += math.ceil(data.account_by_id[account_id].visit_minutes - 1e-9)
    return total


def _cheapest_more(
    data: PlanData,
    result: ScheduleResult,
    rep_id: str,
    account_id: str,
    n: int,
    minutes: Callable[[str, str], int],
) -> float:
    """A lower bound on the minutes n regularly spaced visits of the account would add to the rep's days."""
    rep, account = data.rep_by_id[rep_id], data.account_by_id[account_id]
    horizon = data.horizon
    orders = _day_orders(result, rep_id, account_id)
    ends = _day_ends(result, rep_id)
    service = math.ceil(account.visit_minutes - 1e-9)
    offsets, costs = [], []
    for day in rep.dates:
        if not account.takes_visits_on(day):
            continue
        first, last = ends.get(day, (rep_id, rep_id))
        path = [first, *orders.get(day, []), last]
        detour = min(
            minutes(x, account_id) + minutes(account_id, y) - minutes(x, y)
            for x, y in itertools.pairwise(path)
        )
        busy = sum(minutes(x, y) for x, y in itertools.pairwise(path))
        busy += sum(math.ceil(data.account_by_id[a].visit_minutes - 1e-9) for a in path[1:-1])
        if busy + max(0, detour) + service > horizon.day_minutes - horizon.lunch:
            continue  # the day cannot take it, even without waiting for opening hours
        offsets.append((day - horizon.start).days)
        costs.append(service + max(0, detour))
    rule = spacing(n, horizon.calendar_days, data.rules.min_days_between_visits)
    best = [[math.inf] * len(offsets) for _ in range(n + 1)]
    for i, c in enumerate(costs):
        best[1][i] = c
    for j in range(2, n + 1):
        for i in range(len(offsets)):
            for h in range(i):
                if rule.min_gap <= offsets[i] - offsets[h] <= rule.max_gap + 1e-9:
                    best[j][i] = min(best[j][i], best[j - 1][h] + costs[i])
    return min(best[n], default=math.inf)
