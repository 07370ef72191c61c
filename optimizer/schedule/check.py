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
(5) an account's visits are regularly spaced (:func:`.patterns.spacing`);
(6) opportunity work lies on the rep's working days, inside the working hours, by the due date, apart
    from the day's route and lunch and from other work, and every chosen opportunity's hours are placed
    or reported short.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ..data import PlanData
from .patterns import spacing
from .result import ScheduledVisit, ScheduleResult


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
    _check_spacing(data, result, bad)
    _check_work(data, result, bad)
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
    model = data.travel_model
    places = {a.id: a.place for a in data.accounts}
    places.update({r.id: r.home for r in data.reps})

    def travel(a: str, b: str) -> int:
        return math.ceil(float(model.minutes([places[a]], [places[b]])[0, 0]) - 1e-9) if a != b else 0

    by_day: dict[tuple[str, object], list[ScheduledVisit]] = defaultdict(list)
    for v in result.visits:
        by_day[v.rep_id, v.date].append(v)
    plans = {(d.rep_id, d.date): d for d in result.days}
    for key in by_day.keys() - plans.keys():
        bad.append(f"{key[0]} on {key[1]}: visits but no day plan")
    for key, day in plans.items():
        visits = sorted(by_day.get(key, []), key=lambda v: v.start)
        where = f"{key[0]} on {key[1]}"
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
        here, free = key[0], day.departure  # where the rep is and when they are free to move on
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
        leg = travel(here, key[0])
        travel_total += leg
        need = free + leg + (lunch[1] - lunch[0] if lunch is not None and lunch[0] >= free else 0)
        if day.back < need:
            bad.append(f"{where}: back home at {day.back}, before the rep can be ({need})")
        if travel_total != day.travel_minutes:
            bad.append(
                f"{where}: the day plan says {day.travel_minutes} travel minutes, recomputed {travel_total}"
            )


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
        if b.date > min(o.due_date or horizon.end, horizon.end):
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
