"""Infeasibilities and their fixes in a planner's words — the one place where they become sentences.

Solvers report an :class:`~.result.Infeasibility` as data (a kind, ids, the amount short, facts, fixes);
this module renders it: ``constraint_text`` names the rule, ``scope_text`` where it fails, and
``suggestion_text`` says why, with the facts, then the fixes joined by "; or ". A kind without an
entry in :data:`KINDS` still renders (its kind and facts), so a new kind never hides an explanation.
The reach check of `validate` (:class:`~.reach.Unreachable`) reads here too (:func:`unreachable_text`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .result import Fix, Infeasibility, Value

if TYPE_CHECKING:
    from .reach import Unreachable

ID_KINDS = ("unit", "territory", "customer", "account", "rep", "region", "opportunity")


def _num(value: Value, spec: str = ",.1f") -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return format(value, spec)
    return str(value)


def _share(value: Value) -> str:
    return "—" if not isinstance(value, int | float) or not math.isfinite(value) else f"{value:.2%}"


def _policy_tolerance(target: str) -> str | None:
    """The measure of a tolerance target: 'tolerance:workload' or 'policy.balance.workload_tolerance'."""
    if target.startswith("tolerance:"):
        return target.split(":", 1)[1]
    if target.startswith("policy.balance.") and target.endswith("_tolerance"):
        return target[len("policy.balance.") : -len("_tolerance")]
    return None


def _rows(target: str) -> tuple[str, str, str] | None:
    """'reps@region=North' → ('reps', 'region', 'North')."""
    if "@" not in target or "=" not in target:
        return None
    table, condition = target.split("@", 1)
    key, value = condition.split("=", 1)
    return table, key, value


def fix_text(fix: Fix) -> str:
    """One fix as an instruction: 'widen policy.balance.workload_tolerance to 0.230'."""
    target, value, current = fix.target, fix.value, fix.current
    rows = _rows(target)
    measure = _policy_tolerance(target)
    if fix.action == "set":
        if measure is not None:
            name = target if target.startswith("policy.") else f"the {measure} tolerance"
            return f"widen {name}" + (
                f" to {_num(value, '.3f')} (±{_share(value)})" if value is not None else ""
            )
        if target in ("cap", "policy.reassignment.max_moved_share"):
            name = "the cap" if target == "cap" else target
            now = f" from {_num(current, '.2f')}" if current is not None else ""
            return f"raise {name}" + (f"{now} to {_num(value, '.2f')}" if value is not None else "")
        if target.startswith("policy.tiers.visits.") and target.endswith(".min"):
            tier = target[len("policy.tiers.visits.") : -len(".min")]
            now = f" from {_num(current, 'g')}" if current is not None else ""
            return f"lower the tier-{tier} minimum{now} to {_num(value, 'g')} visits/month"
        if target.startswith("option:"):
            return f"raise {target.split(':', 1)[1]}" + (
                f" to {_num(value, 'g')}" if value is not None else ""
            )
        if target.startswith("accounts.") and target.endswith(".visit_minutes"):
            account = target[len("accounts.") : -len(".visit_minutes")]
            return f"shorten the visits of {account} to {_num(value, '.0f')} minutes"
        if target == "policy.travel.overnight.enabled":
            return "set policy.travel.overnight.enabled: true to plan tours"
        if target == "policy.travel.overnight.min_drive_minutes":
            now = f" from {_num(current, 'g')}" if current is not None else ""
            return f"lower {target}{now} to {_num(value, 'g')}"
        if target == "policy.balance.contiguity":
            return f"relax policy.balance.contiguity (to {value!r})"
        now = f" from {_num(current, 'g')}" if current is not None else ""
        return f"set {target}{now} to {_num(value, 'g')}"
    if fix.action == "add":
        if rows is not None and rows[0] == "reps":
            return f"add {_num(value, 'g')} rep(s) in {rows[1]} {rows[2]}"
        if target.startswith("reps.") and target.endswith(".selling_hours"):
            rep = target[len("reps.") : -len(".selling_hours")]
            return f"add {_num(value, 'g')} selling hours/month to {rep}"
        if target == "territories":
            return (
                f"add {_num(value, 'g')} territories (reps)"
                if value is not None
                else "change the number of reps"
            )
        if target == "links":
            return "add adjacency links between the separate parts"
        if target == "patterns":
            return "allow other days"
        return f"add {_num(value, 'g')} to {target}" if value is not None else f"add {target}"
    if fix.action == "remove":
        if rows is not None and rows[0] == "reps":
            return f"remove {_num(value, 'g')} rep(s) from {rows[1]} {rows[2]}"
        if target == "load":
            return "lower the visit load"
        return f"remove {_num(value, 'g')} of {target}"
    if fix.action == "release":
        if target == "locks" or (rows is not None and rows[0] == "locks"):
            where = f" of {rows[1]} {rows[2]}" if rows is not None else ""
            return f"release locks{where}"
        if rows is not None and rows[0] == "opportunities.must_pursue":
            amount = f" from {_num(value, ',.1f')} h of them" if value is not None else ""
            return f"drop the must-pursue flag{amount}"
        if target == "mandatory":
            return "make it optional"
        if target == "window":
            return "widen its time window"
        return f"release {target}"
    if fix.action == "move":
        if rows is not None and rows[0] == "accounts":
            spare = ", ".join(
                f"{rep} has {hours} h spare"
                for rep, _, hours in (p.partition("=") for p in str(current or "").split(";") if p)
            )
            return f"move accounts needing {_num(value, '.1f')} h to other reps of {rows[1]} {rows[2]}" + (
                f" ({spare})" if spare else ""
            )
        if rows is not None and rows[0] == "opportunities":
            return f"hand {_num(value, ',.1f')} h of them to another rep"
        return f"move {_num(value, 'g')} to {target}"
    return f"{fix.action} {target} {_num(value, 'g')}"


@dataclass(frozen=True)
class Kind:
    """How one kind of infeasibility reads: the rule's name and why it fails (from the facts)."""

    constraint: Callable[[Infeasibility], str]
    explain: Callable[[Infeasibility], str]


def _f(item: Infeasibility, name: str, spec: str = ",.1f") -> str:
    return _num(item.fact(name), spec)


def _who(item: Infeasibility, prefix: str) -> str:
    """The id a fact such as ``cause_unit`` (engine) or ``cause_account`` (relabelled) names, with its kind."""
    for name, value in item.facts:
        head, _, kind = name.rpartition("_")
        if head == prefix and kind in ID_KINDS:
            return f"{kind} {value}"
    return ""


def _cause(item: Infeasibility) -> str:
    """The argument that sets a proven tolerance floor, from the ``cause*`` facts."""
    kind = item.fact("cause")
    measure = item.fact("measure")
    count, units, share = (
        _f(item, "cause_count", "g"),
        _f(item, "cause_units", "g"),
        _f(item, "cause_share", ".0%"),
    )
    if kind == "unit_alone":
        return f"{_who(item, 'cause')} alone has {share} of a territory's {measure} target"
    if kind == "locked":
        return f"the units locked to {_who(item, 'cause')} hold {share} of its {measure} target"
    if kind == "count_most":
        return (
            f"some rep gets at least {count} of the {units} accounts, and any {count} of them hold at least "
            f"{share} of the {measure} target"
        )
    if kind == "count_least":
        return (
            f"some rep gets at most {count} of the {units} accounts, and any {count} of them hold at most "
            f"{share} of the {measure} target"
        )
    if kind == "exact":
        return "no plan meets a smaller tolerance (exact model)"
    if kind == "exact_time":
        return "exact model stopped by its time limit"
    if kind == "conflict":
        return "no plan exists at any tolerance: other rules conflict"
    return "the search did not meet a smaller tolerance"


def _id(kind: str, value: object) -> str:
    return f"{kind} {value}"


def _balance(item: Infeasibility) -> str:
    t, floor, achieved = item.fact("tolerance"), item.fact("floor"), item.fact("achieved")
    met = (
        f"; ±{_share(achieved)} is met by the plan found"
        if isinstance(achieved, float) and math.isfinite(achieved)
        else ""
    )
    if not item.fact("proven"):
        if item.fact("clock"):  # the wall clock, not the work budget, ended the search
            return (
                f"the time limit stopped the search before it found a plan within ±{_share(t)}, and none is "
                f"proven impossible{met}"
            )
        return (
            f"no plan within ±{_share(t)} was found in the search's work budget, and none is proven "
            f"impossible{met}"
        )
    if item.fact("exact"):
        return f"±{_share(floor)} is the smallest that can be met ({_cause(item)})"
    if met:
        return f"no plan below ±{_share(floor)} exists ({_cause(item)}){met}"
    return f"no plan below ±{_share(floor)} exists ({_cause(item)}), and none within any tolerance was found"


KINDS: dict[str, Kind] = {
    # the districting engine (one region; units and territories by index until relabelled)
    "contiguity_parts": Kind(
        lambda i: "contiguity",
        lambda i: (
            f"the adjacency has {_f(i, 'parts', 'g')} separate parts but only {_f(i, 'territories', 'g')} territories"
        ),
    ),
    "contiguity_locks": Kind(
        lambda i: "contiguity with locks",
        lambda i: (
            f"the units locked to {scope_text(i).rsplit(', ', 1)[-1]} lie in {_f(i, 'parts', 'g')} unconnected parts"
        ),
    ),
    "cap_locks": Kind(
        lambda i: "reassignment cap", lambda i: f"the locks alone move {_f(i, 'forced', '.1%')}"
    ),
    "balance": Kind(lambda i: f"balance of {i.fact('measure')}", _balance),
    "rule_broken": Kind(
        lambda i: "a plan meeting every rule",
        lambda i: f"the best plan found breaks a rule ({i.fact('rule')})",
    ),
    "rules_conflict": Kind(
        lambda i: "contiguity, locks and reassignment cap together",
        lambda i: "no plan meets these rules together, even without balance",
    ),
    # territories of a scenario
    "no_rep_in_region": Kind(
        lambda i: "every account needs a rep of its own region",
        lambda i: (
            f"region {i.ids.get('region')} has {_f(i, 'accounts', 'g')} account(s) and no rep (territories never cross regions)"
        ),
    ),
    "too_many_reps": Kind(
        lambda i: "every rep gets a territory of at least one account",
        lambda i: (
            f"region {i.ids.get('region')} has {_f(i, 'reps', 'g')} reps and only {_f(i, 'accounts', 'g')} accounts"
        ),
    ),
    "plan_not_found": Kind(
        lambda i: "a plan within every constraint",
        lambda i: (
            f"none found within {i.fact('spent')} ({_f(i, 'seconds', '.1f')} s) and none proven impossible"
        ),
    ),
    "reassignment_cap": Kind(
        lambda i: "reassignment cap",
        lambda i: (
            f"balancing the previous alignment within the tolerances moves at least {_f(i, 'floor', '.1%')} of the "
            f"{i.fact('basis')} that could stay"
            + (" (and territories must be connected)" if i.fact("contiguous") else "")
        ),
    ),
    # tier minimums against hours
    "tier_minimum_account": Kind(
        lambda i: f"tier-{i.fact('tier')} minimum of {_f(i, 'minimum', 'g')} visits/month",
        lambda i: (
            f"one rep cannot give it {_f(i, 'hours', '.0f')} h/month (the most any rep of its region has is {_f(i, 'largest', '.0f')} h)"
        ),
    ),
    "tier_minimum_region": Kind(
        lambda i: "tier minimum visits (visit time alone, before travel)",
        lambda i: (
            f"needs {_f(i, 'required', ',.0f')} h/month, its {_f(i, 'reps', 'g')} reps have {_f(i, 'available', ',.0f')}"
        ),
    ),
    "tier_minimum_rep": Kind(
        lambda i: "tier minimum visits (visit and travel time)",
        lambda i: (
            f"{_f(i, 'accounts', 'g')} accounts need {_f(i, 'need', '.1f')} h/month at their minimums, "
            f"{i.ids.get('rep')} has {_f(i, 'have', '.1f')} h"
        ),
    ),
    "tier_minimum_unserved": Kind(
        lambda i: f"tier-{i.fact('tier')} minimum of {_f(i, 'minimum', 'g')} visits/month",
        lambda i: f"no rep serves region {i.ids.get('region')}",
    ),
    # opportunities
    "must_pursue_no_rep": Kind(
        lambda i: "must-pursue opportunity", lambda i: "no rep serves this account's region"
    ),
    "must_pursue_hours": Kind(
        lambda i: "must-pursue opportunities",
        lambda i: f"they need {_f(i, 'need', ',.1f')} h, {_f(i, 'free', ',.1f')} h are free after visits",
    ),
    # the routing engine and the schedule
    "patterns_unusable": Kind(lambda i: "allowed day patterns", lambda i: str(i.fact("reason"))),
    "vehicle_capacity": Kind(
        lambda i: "vehicle capacity over the horizon",
        lambda i: f"the visits need {_f(i, 'need')} load units, the days hold {_f(i, 'have')}",
    ),
    "working_time": Kind(
        lambda i: "working time over the horizon",
        lambda i: f"the visits need {_f(i, 'need')} time units, the days hold {_f(i, 'have')}",
    ),
    "mandatory_not_fitted": Kind(lambda i: "mandatory visits fitted", lambda i: str(i.fact("reason"))),
    "day_finish_unreachable": Kind(
        lambda i: "reaching the day's finish",
        lambda i: (
            f"the trip from node {_f(i, 'start', 'g')} to node {_f(i, 'finish', 'g')} takes {_f(i, 'need')} "
            f"time units, the day ends at {_f(i, 'have')}"
        ),
    ),
    "visits_not_fitted": Kind(lambda i: "visits fitted", lambda i: str(i.fact("reason"))),
}


def constraint_text(item: Infeasibility) -> str:
    kind = KINDS.get(item.kind)
    return kind.constraint(item) if kind else item.kind.replace("_", " ")


def scope_text(item: Infeasibility) -> str:
    """'region North, rep R03' from the ids (engine indices read 'unit 12', 'territory 3')."""
    return ", ".join(_id(key, value) for key, value in item.where) or "the whole plan"


def suggestion_text(item: Infeasibility) -> str:
    kind = KINDS.get(item.kind)
    why = kind.explain(item) if kind else ", ".join(f"{k} {_num(v, 'g')}" for k, v in item.facts)
    fixes = "; or ".join(fix_text(f) for f in item.fixes)
    return f"{why}: {fixes}" if why and fixes else why or fixes


def infeasibility_text(item: Infeasibility) -> str:
    if item.shortfall == 0 and item.fact("proven") is False:  # nothing found, so no amount to give
        return f"{scope_text(item)}: {constraint_text(item)}, none found — {suggestion_text(item)}"
    return (
        f"{scope_text(item)}: {constraint_text(item)} is short by {item.shortfall:,.1f} {item.unit} — "
        f"{suggestion_text(item)}"
    )


def unreachable_text(item: Unreachable, name: str = "") -> tuple[str, str]:
    """(message, advice) of the reach check: 'region SD (山东大区): 19 dealers no rep reaches in a day trip
    (D0079 … nearest R01, 320 min one way); overnight trips are off' — 'set …enabled: true to plan tours'."""
    scope = f"region {item.region}" + (f" ({name})" if name and name != item.region else "")
    count = len(item.reaches)
    noun = ("dealer" if item.dealers else "account") + ("s" if count != 1 else "")
    far = item.farthest
    minutes = math.ceil(far.there - 1e-9)
    where = f"{far.account_id}{' …' if count > 1 else ','} nearest {far.nearest}, {minutes} min one way"
    head = f"{scope}: {count} {noun} no rep reaches in a day trip ({where})"
    fixes = "; or ".join(fix_text(f) for f in item.fixes)
    them = "it" if count == 1 else "them"
    if item.overnight == "off":
        return f"{head}; overnight trips are off", fixes
    if item.overnight == "blocked":
        return (
            f"{head}; overnight trips are on but allow no night",
            "allow nights in policy.travel.overnight (nights, max_nights_per_week, max_nights_in_a_row)",
        )
    limit = f"{_num(item.min_drive_minutes, 'g')} min"
    within = item.within
    if not within:
        share = "all of them" if count > 1 else "it"
        return (
            f"{head}; overnight trips are allowed for {share} (beyond {limit} one way)",
            f"the schedule may plan tours with nights away to {them} (policy.travel.overnight)",
        )
    closest = min(within, key=lambda r: (r.there, r.account_id))
    listed = closest.account_id + (" …" if len(within) > 1 else "")
    allowed = f"allowed for {len(item.allowed)} of them, not for" if item.allowed else "not allowed for"
    return (
        f"{head}; overnight trips are {allowed} {len(within)} ({listed}) within {limit} one way "
        "(policy.travel.overnight.min_drive_minutes)",
        (fixes + " to allow them too") if fixes else "shorten their visits or widen their opening hours",
    )
