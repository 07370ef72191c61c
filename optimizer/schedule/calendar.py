"""Which dates a rep works and on which of them an account may be visited.

A rep works on the horizon's working days (working weekdays minus public holidays), from their
``start_date`` to their ``end_date``, minus their absences (:attr:`..data.Rep.dates`, compiled once). An
account may be visited on such a day when the weekday is one of its ``visit_days`` (any working weekday
when none are given) and the date is not one of its ``closed_dates``. Times of day are minutes after
``horizon.day_start``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..data import Account, Horizon


def allowed_days(account: Account, dates: Sequence[dt.date]) -> tuple[int, ...]:
    """Indices into ``dates`` (a rep's working dates) on which the account may be visited."""
    return tuple(d for d, day in enumerate(dates) if account.takes_visits_on(day))


def day_offsets(horizon: Horizon, dates: Sequence[dt.date]) -> tuple[int, ...]:
    """Calendar days from the horizon start to each date."""
    return tuple((day - horizon.start).days for day in dates)
