"""What the scheduler returns: every visit with its date and clock times, the days, the drops, the solves.

Clock times are minutes after midnight on the visit's date, in the scenario's local time. Travel and
working time are minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..result import SolveInfo
from .problem import Drop


def clock(minutes: int) -> str:
    """'HH:MM' of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class ScheduledVisit:
    """One visit: who, where, when (``order`` is its 1-based place in the day's route)."""

    rep_id: str
    date: dt.date
    order: int
    account_id: str
    start: int
    end: int
    travel_minutes_before: int

    @property
    def start_time(self) -> dt.time:
        return dt.time(self.start // 60, self.start % 60)

    @property
    def end_time(self) -> dt.time:
        return dt.time(self.end // 60, self.end % 60)


@dataclass(frozen=True)
class DayPlan:
    """One rep's working day: when they leave and come back, the break, the minutes by kind."""

    rep_id: str
    date: dt.date
    visits: int
    departure: int
    back: int
    lunch_start: int | None
    lunch_end: int | None
    travel_minutes: int
    visit_minutes: int
    wait_minutes: int

    @property
    def length(self) -> int:
        """Minutes from leaving home to coming back, the break included."""
        return self.back - self.departure


@dataclass(frozen=True)
class RepSchedule:
    """One rep's totals and solves: ``info`` is the whole schedule's (objective with penalties, proven
    bound), ``engine`` the routing engine's own report."""

    rep_id: str
    info: SolveInfo
    engine: SolveInfo
    accounts: int
    planned_visits: int
    scheduled_visits: int
    travel_minutes: int
    working_days: int


@dataclass(frozen=True)
class ScheduleResult:
    """The visit schedule of every rep over the horizon.

    ``planned[account]`` is the visits planned over the horizon, ``rep_of[account]`` who serves it;
    every planned visit is either in ``visits`` or counted in ``dropped`` with its reason.
    """

    info: SolveInfo
    visits: tuple[ScheduledVisit, ...]
    days: tuple[DayPlan, ...]
    dropped: tuple[Drop, ...]
    reps: tuple[RepSchedule, ...]
    planned: Mapping[str, int] = field(default_factory=dict)
    rep_of: Mapping[str, str | None] = field(default_factory=dict)
    visits_per_month: Mapping[str, float] = field(default_factory=dict)
    tier_of: Mapping[str, str] = field(default_factory=dict)

    @property
    def planned_visits(self) -> int:
        return sum(self.planned.values())

    @property
    def dropped_visits(self) -> int:
        return sum(d.visits for d in self.dropped)

    @property
    def travel_minutes(self) -> int:
        """Travel of every day, the trips home included."""
        return sum(d.travel_minutes for d in self.days)

    def visits_of(self, rep_id: str) -> tuple[ScheduledVisit, ...]:
        return tuple(v for v in self.visits if v.rep_id == rep_id)

    def summary(self) -> str:
        lines = [
            self.info.summary(),
            f"{len(self.visits):,} of {self.planned_visits:,} planned visits scheduled "
            f"({self.dropped_visits:,} dropped) on {len(self.days):,} rep-days; "
            f"travel {self.travel_minutes / 60:,.1f} h",
        ]
        for rep in self.reps:
            gap = rep.info.gap
            lines.append(
                f"  {rep.rep_id}: {rep.scheduled_visits}/{rep.planned_visits} visits, "
                f"{rep.travel_minutes / 60:,.1f} h travel over {rep.working_days} days"
                + (f", gap {gap:.1%}" if gap is not None else "")
                + (", time limit hit" if rep.info.time_limit_hit else "")
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "solve": self.info.to_dict(),
            "planned_visits": self.planned_visits,
            "scheduled_visits": len(self.visits),
            "dropped_visits": self.dropped_visits,
            "rep_days": len(self.days),
            "travel_minutes": self.travel_minutes,
            "reps": [
                {
                    "rep": r.rep_id,
                    "accounts": r.accounts,
                    "planned_visits": r.planned_visits,
                    "scheduled_visits": r.scheduled_visits,
                    "travel_minutes": r.travel_minutes,
                    "working_days": r.working_days,
                    "solve": r.info.to_dict(),
                    "engine": r.engine.to_dict(),
                }
                for r in self.reps
            ],
            "dropped": [
                {"account": d.account_id, "rep": d.rep_id, "visits": d.visits, "reason": d.reason}
                for d in self.dropped
            ],
        }
