"""Tours in the reps' calendars: an event per night away, and with ``--travel-blocks`` a busy event per
travel leg, beside the visits and the opportunity work (calendar.py).

**Nights.** A day with a night (days.csv's ``night``) gets "Overnight: <night>", from the day's end
(back_home) to the start of the working day next morning, at the night's place (LOCATION, and GEO where
the place has coordinates). A timed block rather than an all-day event: Outlook imports an all-day event
as free time, and Google and Outlook draw it in the banner above the hours, where it does not show that
the evening is taken; a timed event across midnight is drawn in the day grid on both days by both, shows
busy in a free/busy lookup (TRANSP:OPAQUE), and its end is when the rep is at work again.

**Travel** (only when asked for: most reps do not want their drives in the calendar): one "Travel"
event per leg — to each visit (``ScheduledVisit.travel_minutes_before``) and from the last visit to the
day's end (the day's travel minutes less the legs to the visits). The rep leaves as soon as free (the
day's departure, the end of the visit before) and reaches the day's end at back_home; a lunch break that
falls within a drive splits it into two events. Legs of no minutes have no event.

**Identity.** A night's UID hashes its rep, its date and the word "night" (:func:`night_id`); a travel
event's, the rep, the date, "travel", the leg's ordinal in the day and the part (:func:`travel_id`). A
night that stays on its date keeps its UID when its place or cost changes (SEQUENCE grows by one), and
against the previous plan a night or a travel event that is gone is cancelled in ``<rep>.cancel.ics``
like a visit. Both carry ``X-SALESPLAN-KIND`` (night, travel), which calendar_previous.py reads back, so
that they are paired only with events of their own kind and never taken for visits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...optimizer.data import PlanData
from ...optimizer.schedule import DayPlan, ScheduledVisit, ScheduleResult
from ...optimizer.schedule.result import TIMEZONE
from ..sanitize import ics_text
from .calendar_previous import PastEvent, change_of

NIGHT = "night"  # X-SALESPLAN-KIND of a night's event
TRAVEL = "travel"  # X-SALESPLAN-KIND of a travel leg's event
CATEGORY = {NIGHT: "overnight", TRAVEL: "travel"}  # CATEGORIES beside 'salesplan'


def night_id(rep_id: str, date: dt.date) -> str:
    """The UID of the night after rep ``rep_id``'s day ``date``: 20 hex digits."""
    return _hashed(NIGHT, rep_id, date.isoformat())


def travel_id(rep_id: str, date: dt.date, leg: int, part: int) -> str:
    """The UID of part ``part`` (1, 2) of the ``leg``-th travel leg (1, 2, ...) of rep ``rep_id`` on ``date``."""
    return _hashed(TRAVEL, rep_id, date.isoformat(), str(leg), str(part))


def _hashed(*words: str) -> str:
    return hashlib.sha256("\x1f".join(words).encode("utf-8", "surrogatepass")).hexdigest()[:20]


@dataclass(frozen=True)
class TourEntry:
    """A night or a travel leg as it goes into the calendar; ``change`` against the previous plan (new,
    unchanged, moved or updated), ``fields`` its sanitised text (summary, location, description)."""

    kind: str  # NIGHT or TRAVEL
    rep_id: str
    date: dt.date
    uid: str
    start: dt.datetime
    end: dt.datetime
    fields: Mapping[str, str]
    geo: tuple[float, float] | None = None
    sequence: int = 0
    change: str = "new"
    previous_start: dt.datetime | None = field(default=None, compare=False)


def place_name(data: PlanData, place_id: str) -> str:
    """Where a day starts or ends, in words: home, an overnight place's name, or an account's name."""
    if not place_id:
        return "home"
    places = {p.id: p for p in data.overnight_places}
    if place_id in places:
        return places[place_id].name or place_id
    account = data.account_by_id.get(place_id)
    return (account.name or account.id) if account is not None else place_id


def _where(data: PlanData, day: DayPlan) -> tuple[str, tuple[float, float] | None]:
    """The night's LOCATION text and GEO: the overnight place, the customer's town, or only its name."""
    places = {p.id: p for p in data.overnight_places}
    place = places.get(day.end_place)
    if place is not None:
        return f"{place.name or place.id} ({place.lat:.5f}, {place.lon:.5f})", (place.lat, place.lon)
    account = data.account_by_id.get(day.end_place)
    if account is not None:
        town = account.address or f"{account.name or account.id} ({account.lat:.5f}, {account.lon:.5f})"
        return town, (account.lat, account.lon)
    return day.night, None


def nights(result: ScheduleResult, data: PlanData) -> list[TourEntry]:
    """An entry per day with a night, in the order of the days."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    morning = dt.time(data.horizon.day_start // 60, data.horizon.day_start % 60)
    found = []
    for day in result.days:
        if not day.night:
            continue
        location, geo = _where(data, day)
        description = (
            f"Night away at {day.night}: hotel and per diem {day.night_cost:,.0f} {data.currency}. "
            "The next working day starts here."
        )
        fields = {
            "summary": ics_text(f"Overnight: {day.night}"),
            "location": ics_text(location),
            "description": ics_text(description),
        }
        start = dt.datetime.combine(day.date, dt.time(day.back // 60, day.back % 60), tzinfo=zone)
        end = dt.datetime.combine(day.date + dt.timedelta(days=1), morning, tzinfo=zone)
        found.append(TourEntry(NIGHT, day.rep_id, day.date, night_id(day.rep_id, day.date), start, end,
                               fields, geo))  # fmt: skip
    return found


def _packed(
    free: int, until: int, minutes: int, lunch: tuple[int, int] | None, late: bool
) -> list[tuple[int, int]]:
    """``minutes`` of driving within [free, until] outside the lunch break, packed at the start (at the end
    when ``late``): one span, or two when the lunch break falls within the drive."""
    room = [(free, until)]
    if lunch is not None and lunch[0] < until and free < lunch[1]:
        room = [(a, b) for a, b in ((free, lunch[0]), (lunch[1], until)) if b > a]
    spans: list[tuple[int, int]] = []
    left = minutes
    for a, b in reversed(room) if late else room:
        if left <= 0:
            break
        take = min(left, b - a)
        spans.append((b - take, b) if late else (a, a + take))
        left -= take
    if left > 0:  # a day that does not leave room for its drives (never in a checked schedule): as a whole
        return [(until - minutes, until) if late else (free, free + minutes)]
    return sorted(spans)


def travel_legs(result: ScheduleResult, data: PlanData) -> list[TourEntry]:
    """An entry per travel leg (or part of one) of every day, in the order of the days."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    visits_of: dict[tuple[str, dt.date], list[ScheduledVisit]] = {}
    for v in result.visits:
        visits_of.setdefault((v.rep_id, v.date), []).append(v)
    names = {a.id: a.name or a.id for a in data.accounts}
    found = []
    for day in result.days:
        visits = sorted(visits_of.get((day.rep_id, day.date), []), key=lambda v: v.start)
        lunch = (
            (day.lunch_start, day.lunch_end)
            if day.lunch_start is not None and day.lunch_end is not None
            else None
        )
        here, free = place_name(data, day.start_place), day.departure
        legs: list[tuple[str, str, int, int, int, bool]] = []  # from, to, free, until, minutes, at the end
        for v in visits:
            name = names.get(v.account_id, v.account_id)
            legs.append((here, name, free, v.start, v.travel_minutes_before, False))
            here, free = name, v.end
        last = day.travel_minutes - sum(v.travel_minutes_before for v in visits)
        legs.append((here, place_name(data, day.end_place), free, day.back, last, True))
        for leg, (origin, destination, since, until, minutes, late) in enumerate(legs, start=1):
            if minutes <= 0:
                continue
            spans = _packed(since, until, minutes, lunch, late)
            for part, (a, b) in enumerate(spans, start=1):
                text = f"Drive from {origin} to {destination}: {minutes} min"
                if len(spans) > 1:
                    text += f" (part {part} of {len(spans)}, lunch in between)"
                found.append(
                    TourEntry(
                        TRAVEL, day.rep_id, day.date, travel_id(day.rep_id, day.date, leg, part),
                        dt.datetime.combine(day.date, dt.time(a // 60, a % 60), tzinfo=zone),
                        dt.datetime.combine(day.date, dt.time(b // 60, b % 60), tzinfo=zone),
                        {"summary": "Travel", "description": ics_text(text)},
                    )
                )  # fmt: skip
    return found


def plan_tours(
    result: ScheduleResult, data: PlanData, past: Sequence[PastEvent], *, travel: bool = False
) -> tuple[tuple[TourEntry, ...], tuple[PastEvent, ...]]:
    """Every night's entry (and with ``travel`` every leg's), paired by UID with the previous plan's
    events of their kind (``past``: the previous calendars' nights and travel events); those left
    without a partner are gone."""
    entries = nights(result, data) + (travel_legs(result, data) if travel else [])
    before = {(e.kind, e.uid): e for e in past}
    paired = []
    for entry in entries:
        old = before.pop((entry.kind, entry.uid), None)
        if old is None:
            paired.append(entry)
            continue
        change = change_of(old, entry.start, entry.end, entry.fields)
        sequence = old.sequence + (change != "unchanged")
        paired.append(
            TourEntry(entry.kind, entry.rep_id, entry.date, entry.uid, entry.start, entry.end, entry.fields,
                      entry.geo, sequence, change, old.start)
        )  # fmt: skip
    return tuple(paired), tuple(before.values())
