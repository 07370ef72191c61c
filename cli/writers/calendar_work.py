"""Opportunity work in the reps' calendars: one event per work block (work.csv), beside the visits.

**Identity.** A block's UID is its ``work_id`` (work.csv): rep, opportunity, date and the block's ordinal
among that rep's blocks of that opportunity on that date, hashed with the horizon's start
(:meth:`ScheduleResult.work_ids`). A block that stays on its day keeps its UID when its time moves.

**Against the previous plan**: the previous calendars' work events (those with
``X-SALESPLAN-OPPORTUNITY``) are paired, in start order, with the new blocks of the same rep, opportunity
and date. A paired block keeps the previous UID; its SEQUENCE grows by one when its time, title or
description changed. A previous block left without a partner is cancelled like a visit (calendar.py). A
block moved to another day is therefore cancelled on the old day and new on the new one: the blocks are
the rep's own time, not appointments with the account, and earliest-due-date placement reshuffles them
whenever the routes change, so pairing across days would only pair unrelated blocks.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ...optimizer.data import PlanData
from ...optimizer.schedule import ScheduleResult
from ...optimizer.schedule.result import TIMEZONE, WorkBlock
from ..sanitize import ics_text
from .calendar_previous import PastEvent, change_of, fresh_uid

WORK_CATEGORY = "opportunity work"  # CATEGORIES of a work event, beside 'salesplan' (visits lack it)


@dataclass(frozen=True)
class WorkEntry:
    """A work block as it goes into the calendar: its UID, SEQUENCE and what changed since the previous
    plan (new, unchanged, moved or updated)."""

    block: WorkBlock
    uid: str
    sequence: int
    change: str
    previous_start: dt.datetime | None = None


def span(block: WorkBlock) -> tuple[dt.datetime, dt.datetime]:
    """The block's DTSTART and DTEND, in the scenario's local time (as the visits')."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    return (
        dt.datetime.combine(block.date, block.start_time, tzinfo=zone),
        dt.datetime.combine(block.date, block.end_time, tzinfo=zone),
    )


def work_fields(data: PlanData, block: WorkBlock) -> dict[str, str]:
    """The block's text properties, sanitised (as the calendar holds them and reads them back). The
    opportunity's description names it (opportunities carry no name of their own), else its id."""
    opportunity = data.opportunity_by_id[block.opportunity_id]
    account = data.account_by_id[block.account_id]
    due = opportunity.due_date
    where = "on a day the rep visits the account" if block.visit_day else "desk work"
    lines = [
        f"Opportunity: {opportunity.id} ({opportunity.type})",
        f"Account: {account.id} {account.name}".rstrip(),
        f"Due: {due.isoformat()}" if due else f"Due: no date (placed by {data.horizon.end.isoformat()})",
        f"Expected value: {opportunity.value:,.0f} {data.currency} (size {opportunity.size:,.0f} at "
        f"{opportunity.probability:.0%}, margin {opportunity.margin:.0%})",
        f"Effort: {opportunity.effort_hours:g} h in all; this block {block.minutes} min, {where}",
    ]
    if opportunity.description:
        lines.append(f"What to do: {opportunity.description}")
    name = opportunity.description or opportunity.id
    return {
        "summary": ics_text(f"Opportunity work: {name} ({account.name or account.id})"),
        "description": ics_text("\n".join(lines)),
    }


def plan_work(
    result: ScheduleResult, data: PlanData, past: Sequence[PastEvent], used: set[str]
) -> tuple[tuple[WorkEntry, ...], tuple[PastEvent, ...]]:
    """Every block's calendar entry (in the order of the schedule's blocks) and the previous work events
    that are gone. ``past``: the previous plan's work events; ``used``: the UIDs taken so far (the
    previous plan's and the visits'), which the new blocks' UIDs join."""
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    past_of: dict[tuple[str, str, dt.date], list[PastEvent]] = defaultdict(list)
    for event in sorted(past, key=lambda e: (e.start, e.uid)):
        past_of[event.rep, event.opportunity, event.start.astimezone(zone).date()].append(event)
    blocks, ids = result.work, result.work_ids(data)
    entries: list[WorkEntry | None] = [None] * len(blocks)
    taken: Counter[tuple[str, str, dt.date]] = Counter()
    paired: set[str] = set()
    for i in sorted(range(len(blocks)), key=lambda i: (blocks[i].date, blocks[i].start, i)):
        block = blocks[i]
        key = (ics_text(block.rep_id), ics_text(block.opportunity_id), block.date)
        previous = past_of.get(key, [])
        if taken[key] < len(previous):
            old = previous[taken[key]]
            paired.add(old.uid)
            change = change_of(old, *span(block), work_fields(data, block))
            entries[i] = WorkEntry(block, old.uid, old.sequence + (change != "unchanged"), change, old.start)
        taken[key] += 1
    for i, block in enumerate(blocks):
        if entries[i] is None:
            entries[i] = WorkEntry(block, fresh_uid(ids[i], used), 0, "new")
    gone = tuple(e for e in past if e.uid not in paired)
    return tuple(e for e in entries if e is not None), gone
