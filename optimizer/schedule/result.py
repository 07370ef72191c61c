"""What the scheduler returns: every visit with its date and clock times, the days, the drops, the solves.

Clock times are minutes after midnight on the visit's date, in the scenario's local time. Travel and
working time are minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..data import Opportunity, PlanData
from ..result import Infeasibility, Kpi, SolveInfo
from .problem import Drop

VISIT_COLUMNS = ["rep", "date", "start", "end", "account", "travel_minutes_before"]
DAY_TOUR_COLUMNS = ["start_place", "end_place", "night", "night_cost"]  # days.csv's last columns
# work.csv's note on the work of an opportunity that needs visits and gets none by its due date
NO_VISIT = "needs a visit to the account by the due date and none is scheduled: its value is not counted"
TIMEZONE = "Asia/Shanghai"  # the scenario's local time (scenarios carry no time zone of their own yet)


def happens(opportunity: Opportunity, first: Mapping[str, dt.date], data: PlanData) -> bool:
    """An opportunity whose work is placed happens unless its work needs visits (``needs_visit``) and no
    visit to its account falls on or before its due date (the horizon's end without one); ``first``:
    account → date of its first scheduled visit."""
    if not opportunity.needs_visit:
        return True
    seen = first.get(opportunity.account)
    return seen is not None and seen <= data.horizon.due(opportunity.due_date)


def visit_id(horizon_start: dt.date, rep_id: str, account_id: str, ordinal: int) -> str:
    """The id of rep ``rep_id``'s ``ordinal``-th visit (1, 2, ...) to ``account_id`` in the horizon
    starting ``horizon_start``: 20 hex digits, the same in every plan that has that visit."""
    key = "\x1f".join(("visit", horizon_start.isoformat(), rep_id, account_id, str(ordinal)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def work_id(horizon_start: dt.date, rep_id: str, opportunity_id: str, date: dt.date, ordinal: int) -> str:
    """The id of rep ``rep_id``'s ``ordinal``-th block (1, 2, ...) of work on ``opportunity_id`` on ``date``
    in the horizon starting ``horizon_start``: 20 hex digits, the same in every plan that has that block
    (and never a visit's: the key starts with another word)."""
    key = "\x1f".join(
        ("work", horizon_start.isoformat(), rep_id, opportunity_id, date.isoformat(), str(ordinal))
    )
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def clock(minutes: int) -> str:
    """'HH:MM' of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _ClockSpan:
    """``start`` and ``end`` (minutes after midnight) as clock times."""

    start: int
    end: int

    @property
    def start_time(self) -> dt.time:
        return dt.time(self.start // 60, self.start % 60)

    @property
    def end_time(self) -> dt.time:
        return dt.time(self.end // 60, self.end % 60)


@dataclass(frozen=True)
class ScheduledVisit(_ClockSpan):
    """One visit: who, where, when (``order`` is its 1-based place in the day's route)."""

    rep_id: str
    date: dt.date
    order: int
    account_id: str
    start: int
    end: int
    travel_minutes_before: int


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
    start_place: str = ""  # where the day starts: "" the rep's home, else an overnight place's id
    end_place: str = ""  # where the day ends: "" the rep's home, else where the night is spent
    night: str = ""  # the name of the place where the night after this day is spent ("" at home)
    night_cost: float = 0.0  # hotel and per diem of that night (currency)

    @property
    def length(self) -> int:
        """Minutes from leaving the day's start (home, or the night's place) to reaching its end."""
        return self.back - self.departure


@dataclass(frozen=True)
class WorkBlock(_ClockSpan):
    """Time a rep spends on one opportunity: clock minutes after midnight on ``date``."""

    rep_id: str
    opportunity_id: str
    account_id: str
    date: dt.date
    start: int
    end: int
    visit_day: bool  # the rep visits the opportunity's account that day

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class WorkShortfall:
    """Opportunity hours that do not fit the rep's free time before the due date (proven by EDF)."""

    rep_id: str
    opportunity_id: str
    hours: float
    due: dt.date
    reason: str


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
    opportunities: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # account → to work on
    work: tuple[WorkBlock, ...] = ()  # the chosen opportunities' effort in the reps' free time
    work_short: tuple[WorkShortfall, ...] = ()  # effort that does not fit before its due date
    # account → (rep, visits its cluster's tours hold) for the accounts of the tours of the reps whose
    # kept schedule has tours (:attr:`.problem.RepProblem.tour_limits`; the next call plan keeps to it)
    toured: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def infeasibilities(self) -> tuple[Infeasibility, ...]:
        """Visits were planned and none fits any rep's days: the most common reasons, as explanations."""
        if self.planned_visits == 0 or self.visits:
            return ()
        reasons = Counter(d.reason for d in self.dropped).most_common(5)
        return tuple(
            Infeasibility.of("visits_not_fitted", {"accounts": n}, float(n), "accounts", reason=reason)
            for reason, n in reasons
        )

    def check(self, data: PlanData) -> tuple[str, ...]:
        from .check import check_schedule

        return check_schedule(data, self).violations

    def purpose(self, account_id: str, data: PlanData) -> str:
        """One line: why the rep goes (tier coverage and the opportunities to work on)."""
        tier = self.tier_of.get(account_id, "")
        rate = self.visits_per_month.get(account_id, 0.0)
        text = f"tier {tier} coverage, {rate:g} visits/month" if tier else f"coverage, {rate:g} visits/month"
        linked = [data.opportunity_by_id[i] for i in self.opportunities.get(account_id, ())]
        if linked:
            text += "; opportunities: " + ", ".join(f"{o.id} ({o.type})" for o in linked)
        return text

    def visit_ids(self, data: PlanData) -> tuple[str, ...]:
        """Each visit's id, in the order of ``visits``: rep, account and the visit's ordinal among that
        rep's visits to that account over the horizon (by date and start), hashed with the horizon's
        start (see :func:`visit_id`).

        The rule leaves out the scenario's name, the seed and the date, so the id survives a rename, a
        re-plan with another seed and a move by a day or a week, as long as the rep visits the account as
        often before it; a quarter's ids never meet the next quarter's.
        """
        order = sorted(range(len(self.visits)), key=lambda i: (self.visits[i].date, self.visits[i].start, i))
        seen: Counter[tuple[str, str]] = Counter()
        ids = [""] * len(self.visits)
        for i in order:
            v = self.visits[i]
            seen[v.rep_id, v.account_id] += 1
            ids[i] = visit_id(data.horizon.start, v.rep_id, v.account_id, seen[v.rep_id, v.account_id])
        return tuple(ids)

    def work_ids(self, data: PlanData) -> tuple[str, ...]:
        """Each work block's id, in the order of ``work``: rep, opportunity, date and the block's ordinal
        among that rep's blocks of that opportunity on that date (by start), hashed with the horizon's
        start (see :func:`work_id`). A block that stays on its day keeps its id when its time moves."""
        order = sorted(range(len(self.work)), key=lambda i: (self.work[i].date, self.work[i].start, i))
        seen: Counter[tuple[str, str, dt.date]] = Counter()
        ids = [""] * len(self.work)
        for i in order:
            key = (self.work[i].rep_id, self.work[i].opportunity_id, self.work[i].date)
            seen[key] += 1
            ids[i] = work_id(data.horizon.start, *key, seen[key])
        return tuple(ids)

    def frames(self, data: PlanData) -> dict[str, pd.DataFrame]:
        return {
            "visits": self.visits_frame(data),
            "days": self.days_frame(),
            "dropped": self.dropped_frame(data),
            "work": self.work_frame(data),
        }

    def unvisited(self, data: PlanData) -> frozenset[str]:
        """The opportunities with work placed that does not happen (:func:`happens`): it needs visits,
        and no visit to the account falls by the due date."""
        first: dict[str, dt.date] = {}
        for v in self.visits:
            first[v.account_id] = min(first.get(v.account_id, v.date), v.date)
        placed = {b.opportunity_id for b in self.work}
        return frozenset(i for i in placed if not happens(data.opportunity_by_id[i], first, data))

    def work_frame(self, data: PlanData) -> pd.DataFrame:
        """work.csv: the chosen opportunities' effort, block by block, then what does not fit (no date);
        the last column, work_id, is a block's id (:meth:`work_ids`, the calendar's UID; empty on the
        rows of work that does not fit)."""
        names = {a.id: a.name for a in data.accounts}
        late = self.unvisited(data)
        rows = [
            {"rep": b.rep_id, "opportunity": b.opportunity_id, "account": b.account_id,
             "account_name": names.get(b.account_id, ""), "date": b.date.isoformat(), "start": clock(b.start),
             "end": clock(b.end), "minutes": b.minutes, "where": "visit day" if b.visit_day else "desk",
             "due_date": _due(data, b.opportunity_id), "note": NO_VISIT if b.opportunity_id in late else "",
             "work_id": uid}
            for b, uid in zip(self.work, self.work_ids(data), strict=True)
        ]  # fmt: skip
        for s in self.work_short:
            account = data.opportunity_by_id[s.opportunity_id].account
            rows.append({"rep": s.rep_id, "opportunity": s.opportunity_id, "account": account,
                         "account_name": names.get(account, ""), "date": "", "start": "", "end": "",
                         "minutes": round(s.hours * 60), "where": "not scheduled", "due_date": s.due.isoformat(),
                         "note": s.reason, "work_id": ""})  # fmt: skip
        columns = ["rep", "opportunity", "account", "account_name", "date", "start", "end", "minutes", "where",
                   "due_date", "note", "work_id"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def visits_frame(self, data: PlanData) -> pd.DataFrame:
        """visits.csv: rep, date, start, end, account, travel_minutes_before, then visit_id (see
        :meth:`visit_ids`), starts_at and ends_at (ISO 8601 with the UTC offset of :data:`TIMEZONE`),
        account_name, rep_name, order, purpose and the ids of the opportunities to work on."""
        accounts, reps = data.account_by_id, data.rep_by_id
        zone = zoneinfo.ZoneInfo(TIMEZONE)

        def at(date: dt.date, time: dt.time) -> str:
            return dt.datetime.combine(date, time, tzinfo=zone).isoformat()

        rows = [
            {
                "rep": v.rep_id,
                "date": v.date.isoformat(),
                "start": clock(v.start),
                "end": clock(v.end),
                "account": v.account_id,
                "travel_minutes_before": v.travel_minutes_before,
                "visit_id": uid,
                "starts_at": at(v.date, v.start_time),
                "ends_at": at(v.date, v.end_time),
                "account_name": accounts[v.account_id].name,
                "rep_name": reps[v.rep_id].name,
                "order": v.order,
                "purpose": self.purpose(v.account_id, data),
                "opportunities": "; ".join(self.opportunities.get(v.account_id, ())),
            }
            for v, uid in zip(self.visits, self.visit_ids(data), strict=True)
        ]
        extra = [
            "visit_id",
            "starts_at",
            "ends_at",
            "account_name",
            "rep_name",
            "order",
            "purpose",
            "opportunities",
        ]
        return pd.DataFrame(rows, columns=[*VISIT_COLUMNS, *extra])

    def days_frame(self) -> pd.DataFrame:
        """days.csv: per rep and working day with visits — times and minutes by kind, then where the day
        starts and ends (start_place, end_place: '' the rep's home, else a place or account id; leave_home
        and back_home keep their names and are the times of leaving the start and reaching the end), the
        night after it (night: the place's name, '' at home) and that night's hotel and per diem
        (night_cost, currency; 0 at home). The tour columns come last, so scripts that read the first
        eleven by position keep working."""
        return pd.DataFrame(
            [
                {
                    "rep": d.rep_id,
                    "date": d.date.isoformat(),
                    "visits": d.visits,
                    "leave_home": clock(d.departure),
                    "back_home": clock(d.back),
                    "lunch_start": "" if d.lunch_start is None else clock(d.lunch_start),
                    "lunch_end": "" if d.lunch_end is None else clock(d.lunch_end),
                    "travel_minutes": d.travel_minutes,
                    "visit_minutes": d.visit_minutes,
                    "wait_minutes": d.wait_minutes,
                    "day_minutes": d.length,
                    "start_place": d.start_place,
                    "end_place": d.end_place,
                    "night": d.night,
                    "night_cost": round(d.night_cost, 2),
                }
                for d in self.days
            ],
            columns=["rep", "date", "visits", "leave_home", "back_home", "lunch_start", "lunch_end",
                     "travel_minutes", "visit_minutes", "wait_minutes", "day_minutes", *DAY_TOUR_COLUMNS],
        )  # fmt: skip

    def dropped_frame(self, data: PlanData) -> pd.DataFrame:
        """dropped.csv: visits left out, per account, with the reason."""
        names = {a.id: a.name for a in data.accounts}
        return pd.DataFrame(
            [
                {"account": d.account_id, "account_name": names.get(d.account_id, ""), "rep": d.rep_id or "",
                 "planned_visits": self.planned.get(d.account_id, 0), "dropped_visits": d.visits,
                 "reason": d.reason}
                for d in self.dropped
            ],
            columns=["account", "account_name", "rep", "planned_visits", "dropped_visits", "reason"],
        )  # fmt: skip

    def kpis(self, data: PlanData) -> list[Kpi]:
        months = data.horizon.months
        top = data.rules.top_tier
        band = data.rules.band(top)
        minimum = band.min if band is not None else 0.0
        top_accounts = [a for a in data.accounts if self.tier_of.get(a.id) == top]
        scheduled = Counter(v.account_id for v in self.visits)

        def share(flags: list[bool]) -> float | None:
            return round(100.0 * sum(flags) / len(flags), 2) if flags else None

        now = share([(a.current_visits_per_month or 0.0) >= minimum - 1e-9 for a in top_accounts])
        planned = share([scheduled.get(a.id, 0) >= round(minimum * months) - 1e-9 for a in top_accounts])
        dropped = self.dropped_visits
        planned_visits = self.planned_visits if self.planned else len(self.visits) + dropped
        return [
            Kpi.of("tier_a_coverage", f"tier-{top} accounts at their minimum visits", "%", now, planned, True),
            Kpi.of("travel_hours", "travel hours over the horizon", "hours", None, self.travel_minutes / 60.0, False),
            Kpi.of("visits_scheduled", "visits scheduled over the horizon", "visits", None, float(len(self.visits)), None),
            Kpi.of("dropped_visits", "planned visits that could not be scheduled", "visits", None, float(dropped), False),
            Kpi.of("planned_visits", "visits planned over the horizon", "visits", None, float(planned_visits), None),
        ]  # fmt: skip

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

    @property
    def nights(self) -> int:
        """Nights away: the days after which the rep does not sleep at home."""
        return sum(1 for d in self.days if d.night)

    @property
    def night_cost(self) -> float:
        """Hotel and per diem of every night away over the horizon (currency)."""
        return sum(d.night_cost for d in self.days)

    def visits_of(self, rep_id: str) -> tuple[ScheduledVisit, ...]:
        return tuple(v for v in self.visits if v.rep_id == rep_id)

    def summary(self) -> str:
        nights = (
            f"; {self.nights:,} night{'s' if self.nights > 1 else ''} away, hotel and per diem {self.night_cost:,.0f}"
            if self.nights
            else ""
        )
        lines = [
            self.info.summary(),
            f"{len(self.visits):,} of {self.planned_visits:,} planned visits scheduled "
            f"({self.dropped_visits:,} dropped) on {len(self.days):,} rep-days; "
            f"travel {self.travel_minutes / 60:,.1f} h{nights}",
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
        """The schedule for scripts (`schedule --json`); nights and hotel_cost only when a day has a night."""
        found: dict[str, Any] = {
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
        if self.nights:
            found.update(nights=self.nights, hotel_cost=round(self.night_cost, 2))
        return found


def _due(data: PlanData, opportunity_id: str) -> str:
    due = data.opportunity_by_id[opportunity_id].due_date
    return "" if due is None else due.isoformat()
