"""The previous plan's calendars, read back (``plan --previous PLAN_DIR``), and what a new event keeps of them.

Every VEVENT of ``calendar/<rep>.ics`` (cancel files left out) becomes a :class:`PastEvent`: its UID,
SEQUENCE, times and text, and what salesplan wrote about it — the rep, the account and, for a block of
opportunity work, the opportunity (``X-SALESPLAN-OPPORTUNITY``; a visit has none); a night away or a travel
leg says its kind (``X-SALESPLAN-KIND``: night, travel; visits and work have none). The calendar writer
(calendar.py, calendar_work.py, calendar_tours.py) pairs the new events with these; :func:`change_of` says what changed in a
pair, and :func:`fresh_uid` gives a new event an id no previous event holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import icalendar

from ...optimizer.schedule.result import TIMEZONE


class PreviousPlanError(ValueError):
    """The previous plan's folder cannot be read (names the file and the cause)."""


@dataclass(frozen=True)
class PastEvent:
    """One event of the previous plan's calendars, as read back."""

    uid: str
    rep: str  # as the calendar carries it (ics_text of the rep id)
    account: str  # likewise; '' when the event does not say
    start: dt.datetime
    end: dt.datetime
    sequence: int
    summary: str
    location: str
    description: str
    opportunity: str = ""  # a block of opportunity work: its opportunity (as carried); '' for a visit
    kind: str = ""  # a tour's event: 'night' or 'travel' (calendar_tours.py); '' for a visit or work


@dataclass(frozen=True)
class PreviousPlan:
    folder: Path
    events: tuple[PastEvent, ...]


def read_previous(folder: Path) -> PreviousPlan:
    """The events of the calendars in ``folder/calendar`` (cancel files left out)."""
    calendars = folder / "calendar"
    if not calendars.is_dir():
        raise PreviousPlanError(
            f"{calendars}: no calendar folder (is {folder} a plan written by salesplan plan?)"
        )
    events: list[PastEvent] = []
    for path in sorted(calendars.glob("*.ics")):
        if path.name.endswith(".cancel.ics"):
            continue
        try:
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
            events.extend(_past_events(calendar, path.stem))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PreviousPlanError(f"{path}: not a calendar salesplan can read ({exc})") from None
    return PreviousPlan(folder, tuple(events))


def _past_events(calendar: icalendar.Calendar, stem: str) -> list[PastEvent]:
    rep_of_file = str(calendar.get("x-salesplan-rep", stem))
    found = []
    for event in calendar.walk("VEVENT"):
        account = str(event.get("x-salesplan-account", ""))
        if not account:  # calendars of older versions say 'account <id>' among the categories
            categories = event.get("categories")
            for item in categories if isinstance(categories, list) else [categories]:
                for word in getattr(item, "cats", []):
                    if str(word).startswith("account "):
                        account = str(word)[len("account ") :]
        found.append(
            PastEvent(
                uid=str(event["uid"]),
                rep=str(event.get("x-salesplan-rep", rep_of_file)),
                account=account,
                start=_moment(event.decoded("dtstart")),
                end=_moment(event.decoded("dtend")),
                sequence=int(event.get("sequence", 0)),
                summary=str(event.get("summary", "")),
                location=str(event.get("location", "")),
                description=str(event.get("description", "")),
                opportunity=str(event.get("x-salesplan-opportunity", "")),
                kind=str(event.get("x-salesplan-kind", "")),
            )
        )
    return found


def _moment(value: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0, 0))
    return value if value.tzinfo else value.replace(tzinfo=zoneinfo.ZoneInfo(TIMEZONE))


def change_of(old: PastEvent, start: dt.datetime, end: dt.datetime, fields: Mapping[str, str]) -> str:
    """What changed from ``old`` to the event at ``start``–``end`` with these text ``fields`` (summary,
    location, description; a missing one is empty): moved (time or date), updated (text) or unchanged."""
    if old.start != start or old.end != end:
        return "moved"
    texts = tuple(fields.get(name, "") for name in ("summary", "location", "description"))
    return "updated" if (old.summary, old.location, old.description) != texts else "unchanged"


def fresh_uid(rule_id: str, used: set[str]) -> str:
    """``rule_id``, or when a previous event holds it, an id derived from it deterministically; added to
    ``used``."""
    uid, k = rule_id, 1
    while uid in used:
        uid, k = hashlib.sha256(f"{rule_id}/{k}".encode()).hexdigest()[:20], k + 1
    used.add(uid)
    return uid
