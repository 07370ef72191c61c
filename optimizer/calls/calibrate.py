"""Travel per visit measured on the routes, for the next call plan: planned and scheduled hours agree.

The call plan prices a visit of account a at its on-site minutes plus an estimate e_a of the travel it
causes (:mod:`..workload`). Once the schedule has routed the visits, each day's travel (from home or the
night's place to the end of the day) is known and shared equally by the day's visits; m_a, the mean
share of a's n_a visits, is the travel one visit of a took. Over a rep's accounts Σ_a n_a m_a is the rep's
scheduled travel S_r. The next call plan prices a visit at

    τ_a = w · m_a + (1 − w) · ρ_r · e_a,     ρ_r = S_r / Σ_a n_a e_a     (minutes per visit, w = 0.5)

— half what the routes measured, half the estimate scaled to the rep's measured travel (the rep's road
conditions, so to say), so that Σ_a n_a τ_a is still exactly S_r; an account without scheduled visits
gets ρ_r · e_a. An account held at a tier minimum that its rep's trips or free days cannot hold in full
(visits dropped for 'reach' or 'full') spreads its measured travel over its planned visits, so that its
planned hours are the hours its scheduled visits take. Why not m_a alone: a monthly account has three
visits a quarter, and whether they fell on a day of their own or rode along on a crowded one decides m_a
more than where the account lies; the call plan then puts its hours where m_a happened to look cheap, and
the next routes disagree. On the generated 5,000-dealer network (benchmarks/plan.py, one run each) the
kept round's worst gap was 14.9 % with the old rule (the leg before a visit, the way home to the day's
last visit) and is 7.7 % with this module and the reserve's per-account limit (7.0 % with w = 0.5 before
either; w = 1 gave 7.9 %); w = 0.25 lost the agreement on a bundled example. Planning again with τ_a makes the call plan's hours the hours its schedule will take — up to how
routes change with the visits chosen, which the next round measures again.

Agreement: for every rep, |planned − scheduled field hours| ≤ ``TOLERANCE`` × scheduled (both per
horizon, planned = the call plan's visit hours × months), and no rep's scheduled field and work hours
above its selling hours at all, and at most ``DROP_TOLERANCE`` of the planned visits dropped because the
rep's hours are used up, and every chosen opportunity whose work needs a visit gets one by its due date.
A rep the schedule still puts over its hours has its next call plan's capacity
trimmed by that overrun (×1.2, per month), and a rep whose visits were dropped for hours by the field
hours those visits would take (at the rep's scheduled field minutes per visit): the hours fit, not just
nearly, and the plan plans the visits its schedule keeps.

Settled reps: a rep that agrees on its own — its gap within ``TOLERANCE``, no overrun, no visit dropped
for hours, every chosen opportunity of its accounts visited by its due date — and that the re-alignment
did not touch keeps the prices τ and the caps of the call plan it agreed on (:func:`settled_travel`,
:func:`most_visits`). Each rep's call plan and schedule depend only on its own accounts, prices, capacity
and caps, so its next call plan and routes are the same and it still agrees: the reps that agree only grow
from round to round, and the rounds work on the others (and cost little: the schedule re-routes only
reps whose problem changed). Without this, on 150 reps re-priced every round some rep always moved out of
the tolerance while others moved in (generated 5,000-dealer network, benchmarks/plan.py: the worst gap
6.0–7.3 % in rounds 6–8, never within 5 %); with it, 65, 114, 139, 145 and 147 of the 150 reps agree
after rounds 2–6 and round 7 agrees (4.8 %).

Full days: a rep whose call plan fills its hours, whose schedule drops visits because no regularly
spaced day has room ('full'), and whose planned hours exceed the field hours its days held has more
hours on paper than its days can take — selling hours are whole days less lunch, and visits, travel and regular spacing never fill them to
the minute. Typically a rep whose tier minimums alone exceed its hours: its call plan fills them to the
last minute with minimum visits. The next call plan runs on the rep's hours less that excess
(:func:`days_held`, kept in ``Plan.days`` and only ever raised), minimums or not — visits beyond what the
days hold cannot happen, so the call plan, not the schedule, decides which minimums to miss (the fewest
minimum minutes, then the highest profit) — and the portfolio gets no opportunity hours from them
(``Opportunities.run``). Without this, on the generated 20,000-account scenario seven such reps planned
their full 520 h a quarter against 471–499 h scheduled (gaps 5–10 %) round after round, and no round
agreed.

Most visits: the price per visit is an average, and two kinds of visit cost far more than it at the
margin. An account on tours with nights away gets as many tours as its cluster's most visited account
needs, so one visit more may add a whole tour; an account whose visits the schedule dropped because no
regularly spaced day has room ('full') cannot take one more at any price; nor can an account beyond a
day trip that the rep's schedule left off its tours ('reach': its day trips kept more tier minimums, or
its tours hold fewer visits). The next call plan keeps such an account to what its rep's schedule holds
(:func:`most_visits`), and a later round never raises it, so the rounds cannot flip between few tours
and many.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..data import PlanData
from ..schedule.result import ScheduleResult
from ..workload import visit_travel_minutes
from .problem import Most
from .result import CallResult

TOLERANCE = 0.05
MEASURED_WEIGHT = 0.5  # w of the module docstring: the share of τ_a measured, the rest the scaled estimate
DROP_TOLERANCE = 0.01
FILLED = 1.0  # hours per month left below which a call plan fills its rep's hours ("Full days")
MAX_ROUNDS = 8  # rounds after the first few re-plan only the reps that do not agree yet: cheap
# drops whose visits the rep's schedule cannot hold at any price, and the cap each sets (most_visits)
CAPS = {"full": "days", "reach": "trips"}


@dataclass(frozen=True)
class Agreement:
    """How far the call plan's hours are from the schedule's, per rep (shares of the scheduled hours)."""

    worst_gap: float  # max_r |planned − scheduled| / scheduled
    worst_overrun: float  # max_r (scheduled field + work − selling) / selling, ≥ 0
    rep: str  # the rep with the worst gap
    overrun_hours: dict[str, float]  # rep → hours over the selling hours (horizon), reps over only
    dropped_hours: dict[str, float]  # rep → field hours of the visits dropped for hours (horizon)
    dropped_share: float  # visits dropped for hours / visits planned
    unvisited: int = 0  # chosen opportunities whose work needs a visit that the schedule does not make
    settled: frozenset[str] = frozenset()  # reps that agree on their own: gap, no overrun, nothing dropped
    # rep → planned − scheduled field hours (horizon) of a rep whose days are full: its call plan fills its
    # hours, visits were dropped because no regularly spaced day has room ('full'), and the call plan's
    # hours exceed what the days held
    days_short: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (
            self.worst_gap <= TOLERANCE
            and not self.overrun_hours
            and self.dropped_share <= DROP_TOLERANCE
            and not self.unvisited
        )


def measured_travel(
    data: PlanData, schedule: ScheduleResult, rep_of: dict[str, str | None]
) -> dict[str, float]:
    """τ_a of the module docstring for every account (minutes per visit)."""
    total, count = travel_by_account(schedule)
    # visits the rep's trips or days cannot hold stay planned at a tier minimum: priced with the others
    held = dict(count)
    for drop in schedule.dropped:
        if drop.kind in CAPS and drop.account_id in held:
            held[drop.account_id] += drop.visits
    estimate = visit_travel_minutes(data, rep_of)
    ratio_num: dict[str, float] = defaultdict(float)
    ratio_den: dict[str, float] = defaultdict(float)
    for account_id, n in count.items():
        rep = rep_of.get(account_id) or ""
        ratio_num[rep] += total[account_id]
        ratio_den[rep] += n * estimate.get(account_id, 0.0)
    out: dict[str, float] = {}
    for account in data.accounts:
        rep = rep_of.get(account.id) or ""
        scaled = ratio_den.get(rep, 0.0) > 0  # the rep's measured travel over its estimate, when it has one
        model = estimate.get(account.id, 0.0) * (ratio_num[rep] / ratio_den[rep] if scaled else 1.0)
        if count.get(account.id):
            weight = MEASURED_WEIGHT if scaled else 1.0
            out[account.id] = weight * total[account.id] / held[account.id] + (1.0 - weight) * model
        else:
            out[account.id] = model
    return out


def travel_by_account(schedule: ScheduleResult) -> tuple[dict[str, float], dict[str, int]]:
    """Per account, the travel minutes its scheduled visits cause — each day's travel shared equally by
    the day's visits (a tour day without visits, the drive from the night's place home, goes to the rep's
    latest visited day before it) — and its number of visits. Equal shares do not depend on the order of
    a day's visits, which the next round's routes may reverse. Over a rep's accounts the travel minutes
    sum to the rep's scheduled travel."""
    visits: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for v in schedule.visits:
        visits[v.rep_id, v.date].append(v.account_id)
    travel = {
        (d.rep_id, d.date): float(d.travel_minutes) for d in schedule.days if (d.rep_id, d.date) in visits
    }
    visited: dict[str, list[dt.date]] = defaultdict(list)
    for rep_id, date in sorted(visits):
        visited[rep_id].append(date)
    for day in schedule.days:
        if (day.rep_id, day.date) in visits or not day.travel_minutes:
            continue
        dates = visited.get(day.rep_id, [])
        at = bisect.bisect_left(dates, day.date)  # the latest visited day before it, else the first after
        if dates:
            key = (day.rep_id, dates[at - 1] if at > 0 else dates[0])
            travel[key] = travel.get(key, 0.0) + day.travel_minutes
    total: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for key, accounts in visits.items():
        share = travel.get(key, 0.0) / len(accounts)
        for account_id in accounts:
            total[account_id] += share
            count[account_id] += 1
    return dict(total), dict(count)


def agreement(data: PlanData, calls: CallResult, schedule: ScheduleResult) -> Agreement:
    """The worst gap between planned and scheduled hours — |planned − scheduled| / scheduled field hours,
    the summary's hours gap — and the worst overrun (module docstring)."""
    months = data.horizon.months
    field: dict[str, float] = defaultdict(float)
    for day in schedule.days:
        field[day.rep_id] += (day.travel_minutes + day.visit_minutes) / 60.0
    work: dict[str, float] = defaultdict(float)
    for block in schedule.work:
        work[block.rep_id] += block.minutes / 60.0
    worst_gap, worst_rep, worst_overrun = 0.0, "", 0.0
    over: dict[str, float] = {}
    close: set[str] = set()
    for rep in calls.reps:
        planned = rep.hours_used * months
        scheduled = field[rep.rep_id]
        # as workload.csv's planned_vs_field_pct: the call plan's hours against what the schedule does
        gap = abs(planned - scheduled) / scheduled if scheduled > 0 else (math.inf if planned > 0 else 0.0)
        if gap > worst_gap:
            worst_gap, worst_rep = gap, rep.rep_id
        if gap <= TOLERANCE:
            close.add(rep.rep_id)
        selling = data.rep_by_id[rep.rep_id].available_hours_per_month * months
        excess = scheduled + work[rep.rep_id] - selling
        if selling > 0:
            worst_overrun = max(worst_overrun, excess / selling)
        if excess > 1e-6:
            over[rep.rep_id] = excess
    visits: dict[str, int] = defaultdict(int)
    for v in schedule.visits:
        visits[v.rep_id] += 1
    dropped: dict[str, int] = defaultdict(int)
    full: set[str] = set()
    for drop in schedule.dropped:
        if drop.kind == "hours" and drop.rep_id:
            dropped[drop.rep_id] += drop.visits
        if drop.kind == "full" and drop.rep_id:
            full.add(drop.rep_id)
    days_short = {  # reps whose call plan fills their hours (less than FILLED left) and whose days are full
        rep.rep_id: rep.hours_used * months - hours
        for rep in calls.reps
        if rep.rep_id in full
        and rep.hours_available - rep.hours_used < FILLED
        and rep.hours_used * months > (hours := field[rep.rep_id])
    }
    per_visit = {r: field[r] / visits[r] for r in visits if visits[r]}
    dropped_hours = {r: n * per_visit.get(r, 0.0) for r, n in dropped.items() if n}
    planned_visits = len(schedule.visits) + sum(d.visits for d in schedule.dropped)
    share = sum(dropped.values()) / planned_visits if planned_visits else 0.0
    late = schedule.unvisited(data)
    owner = {b.opportunity_id: b.rep_id for b in schedule.work}
    settled = frozenset(close - set(over) - set(dropped_hours) - {owner[i] for i in late})
    return Agreement(
        worst_gap,
        max(0.0, worst_overrun),
        worst_rep,
        over,
        dropped_hours,
        share,
        len(late),
        settled,
        days_short,
    )


def trimmed(data: PlanData, trim: dict[str, float], agreed: Agreement) -> dict[str, float]:
    """Minutes per month to take off each rep's capacity in the next call plan (module docstring)."""
    out = dict(trim)
    for rep, hours in agreed.overrun_hours.items():
        out[rep] = out.get(rep, 0.0) + 1.2 * 60.0 * hours / data.horizon.months
    for rep, hours in agreed.dropped_hours.items():
        out[rep] = out.get(rep, 0.0) + 60.0 * hours / data.horizon.months
    return out


def days_held(
    data: PlanData, held: Mapping[str, float], agreed: Agreement, settled: frozenset[str] = frozenset()
) -> dict[str, float]:
    """Minutes per month of each rep's hours that its days cannot hold (module docstring, "Full days"):
    ``held``, raised for every rep of ``agreed.days_short`` that is not ``settled`` by the hours its call
    plan put beyond what its schedule's days held."""
    out = dict(held)
    for rep, hours in agreed.days_short.items():
        if rep not in settled:
            out[rep] = out.get(rep, 0.0) + 60.0 * hours / data.horizon.months
    return out


def settled_travel(
    measured: Mapping[str, float],
    before: Mapping[str, float] | None,
    rep_of: Mapping[str, str],
    settled: frozenset[str],
) -> dict[str, float]:
    """τ for the next round (module docstring, "Settled reps"): ``measured``, except that the accounts of
    a settled rep keep ``before``, the prices of the call plan it agreed on."""
    if not before or not settled:
        return dict(measured)
    kept = {a: before[a] for a, r in rep_of.items() if r in settled and a in before}
    return {**measured, **kept}


def most_visits(
    before: Mapping[str, Most], schedule: ScheduleResult, settled: frozenset[str] = frozenset()
) -> dict[str, Most]:
    """The caps of the module docstring after a round: ``before``'s, lowered by what the round's schedule
    holds — the tours of each account's cluster (:attr:`.ScheduleResult.toured`) and the visits kept of
    an account dropped for 'full' days or for 'reach' (its trips hold fewer). A cap set for another rep
    gives way to the new rep's. A ``settled`` rep's caps stay as they were (its call plan stays)."""
    out = dict(before)

    def lower(account: str, rep: str, visits: int, why: str) -> None:
        if rep in settled:
            return
        old = out.get(account)
        if old is None or old.rep != rep or visits < old.visits:
            out[account] = Most(rep, visits, why)

    for account, (rep, visits) in sorted(schedule.toured.items()):
        lower(account, rep, visits, "tours")
    # with tours on, the call plan counts on tours reaching an account beyond a day trip; a 'reach' drop
    # says the rep's kept schedule held fewer of its visits (day trips beat its tours, or they hold fewer)
    dropped: dict[tuple[str, str, str], int] = defaultdict(int)
    for drop in schedule.dropped:
        if drop.kind in CAPS and drop.rep_id:
            dropped[drop.account_id, drop.rep_id, CAPS[drop.kind]] += drop.visits
    for (account, rep, reason), visits in sorted(dropped.items()):
        lower(account, rep, max(schedule.planned.get(account, 0) - visits, 0), reason)
    return out
