"""Which dates a rep works and on which of them an account may be visited.

A rep works on the horizon's working days (working weekdays minus public holidays), from their
``start_date`` to their ``end_date``, minus their absences. An account may be visited on such a day when
the weekday is one of its ``visit_days`` (any working weekday when none are given) and the date is not
one of its ``closed_dates``. Times of day are minutes after ``horizon.day_start``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ...scenarios.fields import WEEKDAYS
from ...scenarios.model import Scenario
from ...scenarios.tables import Account, Rep


def minutes_of(moment: dt.time) -> int:
    """Minutes after midnight."""
    return moment.hour * 60 + moment.minute


def rep_dates(scenario: Scenario, rep: Rep) -> tuple[dt.date, ...]:
    """The rep's working dates in the horizon, ascending."""
    away = [(a.start, a.end) for a in scenario.absences if a.rep == rep.id]
    first = rep.start_date or dt.date.min
    last = rep.end_date or dt.date.max
    return tuple(
        day
        for day in scenario.horizon.working_days()
        if first <= day <= last and not any(start <= day <= end for start, end in away)
    )


def unavailable_reason(scenario: Scenario, rep: Rep, day: dt.date) -> str:
    """Why the rep does not work on ``day`` ('' when they do)."""
    horizon = scenario.horizon
    if day in horizon.holidays:
        return "a public holiday"
    if WEEKDAYS[day.weekday()] not in horizon.working_weekdays:
        return "not a working weekday"
    if rep.start_date and day < rep.start_date:
        return f"before the rep starts ({rep.start_date})"
    if rep.end_date and day > rep.end_date:
        return f"after the rep leaves ({rep.end_date})"
    for absence in scenario.absences:
        if absence.rep == rep.id and absence.start <= day <= absence.end:
            return f"the rep is away ({absence.reason or 'absence'})"
    return ""


def account_allows(account: Account, day: dt.date) -> bool:
    """Whether the account takes visits on ``day`` (its weekdays and closed dates)."""
    if account.visit_days is not None and WEEKDAYS[day.weekday()] not in account.visit_days:
        return False
    return not (account.closed_dates and day in account.closed_dates)


def allowed_days(account: Account, dates: Sequence[dt.date]) -> tuple[int, ...]:
    """Indices into ``dates`` (a rep's working dates) on which the account may be visited."""
    return tuple(d for d, day in enumerate(dates) if account_allows(account, day))


def day_offsets(scenario: Scenario, dates: Sequence[dt.date]) -> tuple[int, ...]:
    """Calendar days from the horizon start to each date."""
    return tuple((day - scenario.horizon.start).days for day in dates)
