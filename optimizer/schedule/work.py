"""The chosen opportunities' effort, placed in each rep's days before their due dates.

After the routes are fixed, each working day of a rep leaves free time: the working day [day_start,
day_end] outside the route (from leaving home to coming back, its lunch included), and, on a day without
visits, the whole day but the lunch break in the middle. An opportunity j of one of the rep's accounts
needs e_j hours of work (proposal, calls, meetings) by its due date D_j (the horizon's end without one).

Placement is earliest-deadline-first over the days in date order: the opportunity with the earliest due
date takes the earliest free time, in blocks of at least ``MIN_BLOCK`` minutes (shorter gaps are left),
until its hours are placed. On one resource with fixed free time, EDF places every opportunity by its
due date whenever any placement does (Jackson 1955, the earliest-due-date rule for a single machine with
preemption) — up to the rule that a block is at least ``MIN_BLOCK`` minutes: so an opportunity whose
hours it cannot place does not fit the rep's free time before its due date, and is reported with the hours
short. A block on a day the rep visits the opportunity's account
is marked ``on a visit day`` (the work can be done there), else ``desk``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

from ..data import Opportunity, PlanData, Rep
from .result import DayPlan, ScheduledVisit, WorkBlock, WorkShortfall

MIN_BLOCK = 30  # minutes: shorter free gaps take no opportunity work


def free_time(data: PlanData, rep: Rep, days: Sequence[DayPlan]) -> list[tuple[dt.date, int, int]]:
    """The rep's free intervals (date, start, end) in date order, minutes after midnight."""
    horizon = data.horizon
    start, end = horizon.day_start, horizon.day_end
    middle = start + horizon.day_minutes // 2
    routed = {d.date: d for d in days}
    out: list[tuple[dt.date, int, int]] = []
    for date in rep.dates:
        day = routed.get(date)
        if day is None:
            lunch = (middle - horizon.lunch // 2, middle - horizon.lunch // 2 + horizon.lunch)
            pieces = [(start, lunch[0]), (lunch[1], end)] if horizon.lunch else [(start, end)]
        else:
            pieces = [(start, day.departure), (day.back, end)]
            if day.lunch_start is None and horizon.lunch and day.back <= middle:
                # back before the middle: the afternoon is free but for the lunch break at noon
                lunch_start = max(day.back, middle - horizon.lunch // 2)
                pieces = [(start, day.departure), (day.back, lunch_start), (lunch_start + horizon.lunch, end)]
        out += [(date, a, b) for a, b in pieces if b - a >= MIN_BLOCK]
    return out


def place_work(
    data: PlanData,
    rep: Rep,
    days: Sequence[DayPlan],
    visits: Sequence[ScheduledVisit],
    opportunities: Sequence[Opportunity],
) -> tuple[list[WorkBlock], list[WorkShortfall]]:
    """Blocks for the opportunities' effort in the rep's free time (module docstring), and what does not
    fit. Work is spread first: at most twice the even share of the rep's opportunity hours on a day; only
    when that leaves hours unplaced is the whole free time used (earliest due date first again), so a
    shortfall is reported only when the free time before the due date cannot hold it."""
    total = sum(round(o.effort_hours * 60) for o in opportunities)
    even = total / max(len(rep.dates), 1)
    cap = max(MIN_BLOCK * 2, MIN_BLOCK * math.ceil(2.0 * even / MIN_BLOCK))
    blocks, short = _edf(data, rep, days, visits, opportunities, cap)
    if short:
        blocks, short = _edf(data, rep, days, visits, opportunities, None)
    return blocks, short


def _edf(
    data: PlanData,
    rep: Rep,
    days: Sequence[DayPlan],
    visits: Sequence[ScheduledVisit],
    opportunities: Sequence[Opportunity],
    cap: int | None,
) -> tuple[list[WorkBlock], list[WorkShortfall]]:
    """Earliest due date first over the free time, at most ``cap`` minutes of work a day (None: no cap)."""
    gaps = free_time(data, rep, days)
    visited = {(v.account_id, v.date) for v in visits}
    used: dict[dt.date, int] = {}
    blocks: list[WorkBlock] = []
    short: list[WorkShortfall] = []
    order = sorted(opportunities, key=lambda o: (o.due_date or data.horizon.end, -o.value, o.id))
    for o in order:
        due = data.horizon.due(o.due_date)
        left = round(o.effort_hours * 60)
        for k, (date, a, b) in enumerate(gaps):
            if left <= 0 or date > due:
                break
            room = b - a if cap is None else min(b - a, cap - used.get(date, 0))
            take = min(left, room)
            if take < MIN_BLOCK and take < left:
                continue
            blocks.append(WorkBlock(rep.id, o.id, o.account, date, a, a + take, (o.account, date) in visited))
            used[date] = used.get(date, 0) + take
            left -= take
            gaps[k] = (date, a + take, b)
        if left > 0:
            short.append(WorkShortfall(
                rep.id, o.id, left / 60.0, due,
                f"the rep's free time before {due} is taken (earliest-due-date first, which fits every "
                f"opportunity whenever any order does): {left / 60:.1f} of {o.effort_hours:g} h do not fit",
            ))  # fmt: skip
    return blocks, short


def work_of_reps(
    data: PlanData,
    days: Sequence[DayPlan],
    visits: Sequence[ScheduledVisit],
    chosen: Mapping[str, Sequence[str]],
    rep_of: Mapping[str, str | None],
) -> tuple[tuple[WorkBlock, ...], tuple[WorkShortfall, ...]]:
    """Work blocks of every rep for the chosen opportunities of the accounts they serve."""
    blocks: list[WorkBlock] = []
    short: list[WorkShortfall] = []
    for rep in data.reps:
        mine = [
            data.opportunity_by_id[i]
            for account, ids in chosen.items()
            if rep_of.get(account) == rep.id
            for i in ids
        ]
        if not mine:
            continue
        rep_days = [d for d in days if d.rep_id == rep.id]
        rep_visits = [v for v in visits if v.rep_id == rep.id]
        placed, missing = place_work(data, rep, rep_days, rep_visits, mine)
        blocks += placed
        short += missing
    return tuple(blocks), tuple(short)
