"""Cross-table checks of a loaded scenario: unique ids, known references, regions with reps, dates in range."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .errors import Problem
from .fields import WEEKDAYS, unprintable
from .tables import TABLE_MODELS, key_column

if TYPE_CHECKING:
    from .model import Scenario


def check_references(scenario: Scenario) -> list[Problem]:
    """Every cross-table problem of a scenario whose rows are individually valid."""
    problems: list[Problem] = []
    problems += _duplicates(scenario)
    problems += _regions(scenario)
    problems += _rep_references(scenario)
    problems += _opportunity_references(scenario)
    problems += _text(scenario)
    if scenario._settings_valid:  # these depend on the policy and horizon, which are broken otherwise
        problems += _place_references(scenario)
        problems += _tiers(scenario)
        problems += _dates(scenario)
        problems += _visit_levels(scenario)
        problems += _adjacency_of_points(scenario)
        problems += _overnight(scenario)
    return problems


def _at(
    scenario: Scenario,
    table: str,
    row_id: str,
    field: str,
    message: str,
    advice: str,
    severity: str = "error",
) -> Problem:
    file, row = scenario.origin(table, row_id)
    return Problem(file, row, field, message, advice, severity)  # type: ignore[arg-type]


def _duplicates(scenario: Scenario) -> Iterator[Problem]:
    tables: dict[str, Iterable[str]] = {
        "regions": (r.id for r in scenario.regions),
        "reps": (r.id for r in scenario.reps),
        "accounts": (a.id for a in scenario.accounts),
        "opportunities": (o.id for o in scenario.opportunities),
        "overnight_places": (p.place_id for p in scenario.overnight_places),
    }
    for table, ids in tables.items():
        counts = Counter(ids)
        for row_id, count in counts.items():
            if count > 1:
                file, row = scenario.origin(table, row_id)
                yield Problem(
                    file,
                    row,
                    key_column(table),
                    f"{key_column(table)} '{row_id}' appears {count} times in {table}",
                    "give every row its own id (the first occurrence is at this row)",
                )


def _regions(scenario: Scenario) -> Iterator[Problem]:
    known = {r.id for r in scenario.regions}
    if known:
        for rep in scenario.reps:
            if rep.region not in known:
                yield _at(
                    scenario,
                    "reps",
                    rep.id,
                    "region",
                    f"region '{rep.region}' is not in the regions table",
                    "fix the region id or add the region",
                )
        for account in scenario.accounts:
            if account.region not in known:
                yield _at(
                    scenario,
                    "accounts",
                    account.id,
                    "region",
                    f"region '{account.region}' is not in the regions table",
                    "fix the region id or add the region",
                )
    staffed = {r.region for r in scenario.reps}
    if len(scenario.written_ids("reps")) > len(scenario.reps):
        return  # some rep rows are invalid: which regions are staffed is not known yet
    unstaffed: dict[str, list[str]] = defaultdict(list)
    for account in scenario.accounts:
        if account.region not in staffed:
            unstaffed[account.region].append(account.id)
    for region, accounts in sorted(unstaffed.items()):
        yield _at(
            scenario,
            "accounts",
            accounts[0],
            "region",
            f"region '{region}' has {len(accounts)} account(s) but no rep",
            "add a rep in this region, or move these accounts to a region with reps (territories never cross regions)",
        )


def _rep_references(scenario: Scenario) -> Iterator[Problem]:
    reps = scenario.rep_by_id
    removed = set(scenario.removed_reps)
    for account in scenario.accounts:
        for field in ("current_rep", "locked_rep"):
            rep_id = getattr(account, field)
            if rep_id is None:
                continue
            if rep_id not in reps:
                if rep_id in scenario.written_ids("reps"):
                    continue  # the rep's own row is invalid and reported there
                if field == "current_rep" and rep_id in removed:
                    continue  # the what-if removed this rep: the account needs a new one
                advice = (
                    "this rep was removed by the what-if; unlock the account or lock it to another rep"
                    if rep_id in removed
                    else "fix the rep id or add the rep to the reps table"
                )
                yield _at(
                    scenario,
                    "accounts",
                    account.id,
                    field,
                    f"rep '{rep_id}' is not in the reps table",
                    advice,
                )
                continue
            rep = reps[rep_id]
            if rep.region != account.region:
                if field == "locked_rep":
                    yield _at(
                        scenario,
                        "accounts",
                        account.id,
                        field,
                        f"locked to rep '{rep_id}' of region '{rep.region}' but the account is in '{account.region}'",
                        "cross-region selling is forbidden: lock it to a rep of its own region",
                    )
                else:
                    yield _at(
                        scenario,
                        "accounts",
                        account.id,
                        field,
                        f"current rep '{rep_id}' works in region '{rep.region}', the account is in '{account.region}'",
                        "the territory plan will move it to a rep of its own region",
                        "warning",
                    )
    for absence_index, absence in enumerate(scenario.absences):
        if absence.rep not in reps and absence.rep not in removed:
            yield _at(
                scenario,
                "absences",
                f"#{absence_index}",
                "rep",
                f"rep '{absence.rep}' is not in the reps table",
                "fix the rep id",
            )


def _opportunity_references(scenario: Scenario) -> Iterator[Problem]:
    accounts = scenario.account_by_id
    for opportunity in scenario.opportunities:
        if opportunity.account not in accounts and opportunity.account not in scenario.written_ids(
            "accounts"
        ):
            yield _at(
                scenario,
                "opportunities",
                opportunity.id,
                "account",
                f"account '{opportunity.account}' is not in the accounts table",
                "fix the account id, or add the prospect to the accounts table (current_sales 0)",
            )


def _place_references(scenario: Scenario) -> Iterator[Problem]:
    places = scenario.written_ids("accounts") | scenario.written_ids("reps")
    reported: set[str] = set()
    for index, entry in enumerate(scenario.travel_matrix):
        for column, pid in (("from_id", entry.from_id), ("to_id", entry.to_id)):
            if pid not in places and pid not in reported:
                reported.add(pid)
                yield _at(
                    scenario,
                    "travel_matrix",
                    f"#{index}",
                    column,
                    f"unknown place '{pid}'",
                    "use account ids, and rep ids for a rep's home",
                )
    if scenario.policy.travel.method == "matrix" and not scenario.travel_matrix:
        yield Problem(
            scenario.source,
            0,
            "policy.travel.method",
            "travel method is 'matrix' but no travel_matrix table is given",
            "add tables: {travel_matrix: travel.csv} or use method: great_circle",
        )
    accounts = scenario.account_by_id
    for index, edge in enumerate(scenario.adjacency):
        for column, pid in (("a", edge.a), ("b", edge.b)):
            if pid not in scenario.written_ids("accounts"):
                yield _at(
                    scenario,
                    "adjacency",
                    f"#{index}",
                    column,
                    f"account '{pid}' is not in the accounts table",
                    "fix the account id",
                )
        if edge.a in accounts and edge.b in accounts and accounts[edge.a].region != accounts[edge.b].region:
            yield _at(
                scenario,
                "adjacency",
                f"#{index}",
                "b",
                f"joins '{edge.a}' and '{edge.b}' of different regions",
                "territories never cross regions; this edge is ignored",
                "warning",
            )
    if scenario.policy.balance.contiguity == "table" and not scenario.adjacency:
        yield Problem(
            scenario.source,
            0,
            "policy.balance.contiguity",
            "contiguity is 'table' but no adjacency table is given",
            "add tables: {adjacency: adjacency.csv} or use contiguity: delaunay",
        )


def _tiers(scenario: Scenario) -> Iterator[Problem]:
    policy = scenario.policy.tiers
    if policy.method == "given":
        for account in scenario.accounts:
            if account.tier is None:
                yield _at(
                    scenario,
                    "accounts",
                    account.id,
                    "tier",
                    "tier is empty but policy.tiers.method is 'given'",
                    "fill in every account's tier, or use method: pareto",
                )
            elif account.tier not in policy.visits:
                yield _at(
                    scenario,
                    "accounts",
                    account.id,
                    "tier",
                    f"tier '{account.tier}' has no visit range in policy.tiers.visits",
                    f"use one of {sorted(policy.visits)} or add the tier to the policy",
                )
    if policy.method == "score":
        criteria = [c for c, w in policy.score_weights.items() if w > 0]
        for account in scenario.accounts:
            missing = [c for c in criteria if getattr(account, c) is None]
            if missing:
                yield _at(
                    scenario,
                    "accounts",
                    account.id,
                    missing[0],
                    f"score criteria {missing} are empty but policy.tiers.method is 'score'",
                    "fill in every weighted criterion (0–100) or set its weight to 0",
                )


def _dates(scenario: Scenario) -> Iterator[Problem]:
    horizon = scenario.horizon
    for rep in scenario.reps:
        if rep.end_date is not None and rep.end_date < horizon.start:
            yield _at(
                scenario,
                "reps",
                rep.id,
                "end_date",
                f"rep leaves on {rep.end_date}, before the horizon starts",
                "remove the rep from the scenario (remove: {reps: [...]}) or fix the date",
            )
        if rep.start_date is not None and rep.start_date > horizon.end:
            yield _at(
                scenario,
                "reps",
                rep.id,
                "start_date",
                f"rep starts on {rep.start_date}, after the horizon ends",
                "remove the rep or fix the date",
            )
    for day in horizon.workdays:
        if WEEKDAYS[day.weekday()] in horizon.working_weekdays:
            file, line = scenario.setting_origin("horizon", "workdays")
            yield Problem(
                file,
                line,
                "horizon.workdays",
                f"{day} is a {day.strftime('%A')}, a working weekday already",
                "list only the weekend days that are worked (调休)",
                "warning",
            )
    if not horizon.working_days():
        yield Problem(
            scenario.source,
            0,
            "horizon",
            "the horizon has no working day",
            "check working_weekdays and holidays",
        )


def _visit_levels(scenario: Scenario) -> Iterator[Problem]:
    """A written max_visits_per_month below a tier minimum would be raised to it silently (the default
    yields to the tiers' ranges)."""
    key = ("policy", "response", "max_visits_per_month")
    if key not in scenario._key_lines:
        return
    ceiling = scenario.policy.response.max_visits_per_month
    for tier, visits in scenario.policy.tiers.visits.items():
        if visits.min > ceiling:
            file, line = scenario.setting_origin(*key)
            yield Problem(
                file,
                line,
                ".".join(key),
                f"max_visits_per_month is {ceiling}, below the tier-{tier} minimum of {visits.min:g} "
                "visits per month",
                f"raise it to at least {visits.min:g}, or lower the tier-{tier} minimum",
            )


def _adjacency_of_points(scenario: Scenario) -> Iterator[Problem]:
    """Delaunay neighbours of accounts that share fewer places than the region has reps cannot give every
    rep a connected territory (all accounts geocoded to one point is the usual cause)."""
    if scenario.policy.balance.contiguity != "delaunay":
        return
    places: dict[str, set[tuple[float, float]]] = defaultdict(set)
    accounts: Counter[str] = Counter()
    for account in scenario.accounts:
        places[account.region].add((account.lat, account.lon))
        accounts[account.region] += 1
    reps = Counter(r.region for r in scenario.reps)
    file, line = scenario.setting_origin("policy", "balance", "contiguity")
    for region in sorted(places):
        if reps[region] > 1 and len(places[region]) < reps[region]:
            yield Problem(
                file,
                line,
                "policy.balance.contiguity",
                f"region '{region}': its {accounts[region]} accounts lie at {len(places[region])} "
                f"place(s), fewer than its {reps[region]} reps: Delaunay neighbours are degenerate and "
                "cannot give every rep a connected territory",
                "check the accounts' lat and lon (geocoded to one point?), or use contiguity: none or an "
                "adjacency table",
            )


def _overnight(scenario: Scenario) -> Iterator[Problem]:
    """Overnight settings that cannot take effect: places while nights away are off, a night whose next
    day is never a working day, nights allowed but none possible."""
    policy = scenario.policy.travel.overnight
    key = ("policy", "travel", "overnight")
    if not policy.enabled:
        if scenario.overnight_places:
            file, line = scenario.setting_origin("tables", "overnight_places")
            yield Problem(
                file,
                line,
                "tables.overnight_places",
                f"an overnight_places table lists {len(scenario.overnight_places)} place(s) but overnight "
                "trips are off: the places are not used",
                "set policy.travel.overnight.enabled: true to plan tours, or leave the table out",
                "warning",
            )
        return
    working = set(scenario.horizon.working_weekdays)
    for night in policy.nights:
        following = WEEKDAYS[(WEEKDAYS.index(night) + 1) % 7]
        if following not in working:
            file, line = scenario.setting_origin(*key, "nights")
            yield Problem(
                file,
                line,
                "policy.travel.overnight.nights",
                f"a night away on {night} evening is followed by {following}, not a working weekday: the rep "
                "drives home that evening instead",
                f"drop {night} from policy.travel.overnight.nights",
                "warning",
            )
    blocked = next(
        (k for k in ("nights", "max_nights_per_week", "max_nights_in_a_row") if not getattr(policy, k)), None
    )
    if blocked is not None:
        file, line = scenario.setting_origin(*key, blocked)
        yield Problem(
            file,
            line,
            f"policy.travel.overnight.{blocked}",
            f"overnight trips are on but {blocked} is {'empty' if blocked == 'nights' else 0}: no night away "
            "is possible",
            f"allow nights in policy.travel.overnight.{blocked}, or set enabled: false",
            "warning",
        )


_TEXT_TABLES = ("regions", "reps", "accounts", "opportunities", "absences", "overnight_places")
_NOT_IN_SHEET_NAMES = "[]:*?/\\"


def _text(scenario: Scenario) -> Iterator[Problem]:
    """Names with line breaks or invisible characters: valid, but some outputs cannot keep them."""
    for table in _TEXT_TABLES:
        model = TABLE_MODELS[table]
        columns = [
            name
            for name, info in model.model_fields.items()
            if "str" in str(info.annotation) and "Literal" not in str(info.annotation)
        ]
        for index, row in enumerate(getattr(scenario, table)):
            for column in columns:
                value = getattr(row, column)
                if not isinstance(value, str) or value.isprintable():
                    continue
                char = unprintable(value)
                if char is None:
                    continue
                key = getattr(row, key_column(table), None) or f"#{index}"
                file, number = scenario.origin(table, key)
                yield Problem(file, number, column, *_unkept(column, char), "warning")
    for rep in scenario.reps:
        odd = sorted(set(rep.id) & set(_NOT_IN_SHEET_NAMES))
        length = len(rep.id.encode("utf-16-le")) // 2  # as Excel counts: an emoji is two
        if odd or length > 31:
            file, number = scenario.origin("reps", rep.id)
            what = f"holds {' '.join(odd)}" if odd else f"is {length} characters long (as Excel counts)"
            yield Problem(
                file,
                number,
                "id",
                f"rep id {what}: its sheet in plan.xlsx (at most 31 characters, none of {_NOT_IN_SHEET_NAMES}) "
                "and its calendar file get another name",
                "use a short id of letters and digits, e.g. R07, and keep the person's name in name",
                "warning",
            )
    for key in (("name",), ("policy", "economics", "currency")):
        value = scenario.name if key == ("name",) else scenario.policy.economics.currency
        char = unprintable(value)
        if char is not None:
            file, line = scenario.setting_origin(*key)
            yield Problem(file, line, ".".join(key), *_unkept(key[-1], char), "warning")


def _unkept(column: str, char: str) -> tuple[str, str]:
    if char in "\r\n\u2028\u2029\x0b\x0c\x85":
        return (
            f"{column} contains a line break, which some outputs cannot keep (calendar titles, sheet "
            "names, chart labels show it as a space)",
            f"write the {column} on one line",
        )
    return (
        f"{column} contains the invisible character U+{ord(char):04X}, which some outputs cannot keep "
        "(workbook cells and calendars drop it)",
        f"retype the {column} without it",
    )
