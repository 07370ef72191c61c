"""The scenario: the YAML file's layout (:class:`ScenarioFile`) and the resolved, validated whole (:class:`Scenario`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag

from .fields import Id
from .policy import Horizon, Policy
from .tables import Absence, Account, Adjacency, Opportunity, OvernightPlace, Region, Rep, TravelEntry


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TableFile(_Strict):
    """A table file with how to read it: ``{file: 客户.csv, encoding: gb18030, columns: {客户编号: id}}``."""

    file: str = Field(
        description="CSV or XLSX path, relative to the YAML file ('file.xlsx#Sheet' picks a sheet)."
    )
    sheet: str | None = Field(default=None, description="Sheet of a workbook (default: the first).")
    encoding: str | None = Field(
        default=None,
        description="Encoding of a CSV file, e.g. gb18030, latin-1, big5 (default: UTF-8 or GB18030, "
        "detected; a file that could be either GB18030 or Latin-1 needs it named).",
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="The file's own headers → salesplan's columns, e.g. {客户编号: id, 年销售额: "
        "current_sales}; built-in Chinese headers (名称, 区域, 纬度, 经度, 销售额, 潜力, ...) need none.",
    )


def _spec_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "<file>" if "file" in value else "<rows>"
    return "<path>"


# A table: a path, or a mapping with the file and how to read it. Tags in angle brackets name the choice
# in pydantic's error locations; messages leave them out.
TableSpec = Annotated[
    Union[Annotated[str, Tag("<path>")], Annotated[TableFile, Tag("<file>")]],  # noqa: UP007
    Discriminator(_spec_kind),
]
# Changed cells: row id → {column: new value}, or a table of the id column and the changed columns.
RowChanges = dict[Id, dict[str, Any]]
ChangeSpec = Annotated[
    Union[  # noqa: UP007
        Annotated[str, Tag("<path>")],
        Annotated[TableFile, Tag("<file>")],
        Annotated[RowChanges, Tag("<rows>")],
    ],
    Discriminator(_spec_kind),
]


class TablePaths(_Strict):
    """Where the tables are: CSV or XLSX paths relative to the YAML file ('file.xlsx#Sheet' picks a
    sheet), or ``{file: ..., encoding: ..., columns: {...}}``."""

    reps: TableSpec | None = Field(default=None, description="Reps table (required unless inherited).")
    accounts: TableSpec | None = Field(
        default=None, description="Accounts table (required unless inherited)."
    )
    opportunities: TableSpec | None = Field(default=None, description="Opportunities table (optional).")
    regions: TableSpec | None = Field(
        default=None, description="Regions table (optional; else regions come from reps and accounts)."
    )
    travel_matrix: TableSpec | None = Field(
        default=None, description="Travel minutes between places (optional)."
    )
    absences: TableSpec | None = Field(default=None, description="Rep absences (optional).")
    adjacency: TableSpec | None = Field(
        default=None, description="Account adjacency for contiguous territories (optional)."
    )
    overnight_places: TableSpec | None = Field(
        default=None,
        description="Towns or hotels where a rep on a tour may spend the night (optional; see "
        "policy.travel.overnight).",
    )


class RemoveSpec(_Strict):
    """Rows a what-if removes from the scenario it extends, by id."""

    reps: list[Id] = Field(
        default_factory=list, description="Rep ids to remove; their accounts need a new rep."
    )
    accounts: list[Id] = Field(
        default_factory=list,
        description="Account ids to remove, with their opportunities (to move accounts to another region "
        "and keep them, use update).",
    )
    opportunities: list[Id] = Field(default_factory=list, description="Opportunity ids to remove.")
    regions: list[Id] = Field(default_factory=list, description="Region ids to remove.")


class AddSpec(_Strict):
    """Tables whose rows a what-if adds to the scenario it extends."""

    reps: TableSpec | None = None
    accounts: TableSpec | None = None
    opportunities: TableSpec | None = None
    regions: TableSpec | None = None
    absences: TableSpec | None = None


class UpdateSpec(_Strict):
    """Cells a what-if changes in the rows of the scenario it extends, by id; everything else stays.

    ``update: {reps: {R03: {hours_per_week: 30}}}`` gives one rep other hours; ``update: {accounts:
    north-east.csv}`` with columns ``id,region`` moves those accounts to another region (a region split)
    and keeps their opportunities, history and current rep. ``null`` clears a cell.
    """

    reps: ChangeSpec | None = Field(default=None, description="Rep id → {column: value}, or a table.")
    accounts: ChangeSpec | None = Field(
        default=None, description="Account id → {column: value}, or a table (id and the changed columns)."
    )
    opportunities: ChangeSpec | None = Field(
        default=None, description="Opportunity id → {column: value}, or a table."
    )
    regions: ChangeSpec | None = Field(default=None, description="Region id → {column: value}, or a table.")


class ScenarioFile(_Strict):
    """scenario.yaml. A what-if names its base in ``extends`` and overrides only what changes."""

    name: str = Field(default="", description="Scenario name shown in reports.")
    description: str = Field(default="", description="What this scenario is for.")
    extends: str | None = Field(default=None, description="Base scenario YAML, relative to this file.")
    tables: TablePaths = Field(default_factory=TablePaths)
    horizon: Horizon | None = Field(default=None, description="Planning horizon (required unless inherited).")
    policy: Policy = Field(default_factory=Policy)
    remove: RemoveSpec = Field(default_factory=RemoveSpec)
    add: AddSpec = Field(default_factory=AddSpec)
    update: UpdateSpec = Field(default_factory=UpdateSpec)


class Scenario(_Strict):
    """A resolved, validated scenario: every table loaded, every `extends` applied, every reference checked."""

    name: str
    description: str = ""
    horizon: Horizon
    policy: Policy
    regions: tuple[Region, ...]
    reps: tuple[Rep, ...]
    accounts: tuple[Account, ...]
    opportunities: tuple[Opportunity, ...] = ()
    travel_matrix: tuple[TravelEntry, ...] = ()
    absences: tuple[Absence, ...] = ()
    adjacency: tuple[Adjacency, ...] = ()
    overnight_places: tuple[OvernightPlace, ...] = ()
    removed_reps: tuple[str, ...] = Field(
        default=(), description="Reps a what-if removed; accounts may still name them as current_rep."
    )
    source: str = Field(default="", description="The scenario YAML this was loaded from.")

    _origins: dict[tuple[str, str], tuple[str, int]] = PrivateAttr(default_factory=dict)
    # Ids as written in the files, valid rows or not: a reference to a row that failed validation is not
    # reported a second time as "unknown".
    _raw_ids: dict[str, set[str]] = PrivateAttr(default_factory=dict)
    _settings_valid: bool = PrivateAttr(default=True)
    _key_lines: dict[tuple[str, ...], tuple[str, int]] = PrivateAttr(default_factory=dict)
    _files: tuple[Path, ...] = PrivateAttr(default=())

    @classmethod
    def from_frames(cls, **frames_and_settings: Any) -> Scenario:
        """Build and validate a scenario from pandas DataFrames, with the messages a folder would give.

        ``Scenario.from_frames(reps=..., accounts=..., opportunities=..., horizon={"start": "2026-04-06",
        "weeks": 13}, policy={...}, name="Q2")``: the tables are keyword arguments named as in
        ``tables:`` of scenario.yaml, the settings as its keys (see :func:`inspect_frames`). Raises
        :class:`ScenarioError` listing every problem.
        """
        from .frames import inspect_frames

        report = inspect_frames(**frames_and_settings)
        if report.scenario is None:
            from .errors import ScenarioError

            raise ScenarioError(report.problems)
        return report.scenario

    def files(self) -> tuple[Path, ...]:
        """Every file the scenario was read from: its YAML files (the `extends` chain) and tables."""
        return self._files

    def origin(self, table: str, row_id: str) -> tuple[str, int]:
        """(file, row) where a row came from, e.g. origin('reps', 'R03') → ('reps.csv', 4)."""
        return self._origins.get((table, row_id), (self.source, 0))

    def setting_origin(self, *path: str) -> tuple[str, int]:
        """(YAML file, line) where a setting such as ('policy', 'tiers', 'visits', 'A') was written."""
        while path:
            if path in self._key_lines:
                return self._key_lines[path]
            path = path[:-1]
        return (self.source, 0)

    def written_ids(self, table: str) -> set[str]:
        """Ids present in a table file, including rows that failed validation."""
        return self._raw_ids.get(table, set())

    @cached_property
    def rep_by_id(self) -> dict[str, Rep]:
        return {r.id: r for r in self.reps}

    @cached_property
    def account_by_id(self) -> dict[str, Account]:
        return {a.id: a for a in self.accounts}

    @cached_property
    def region_ids(self) -> tuple[str, ...]:
        """Regions in table order, or sorted as they appear in reps and accounts when no table is given."""
        if self.regions:
            return tuple(r.id for r in self.regions)
        return tuple(sorted({r.region for r in self.reps} | {a.region for a in self.accounts}))

    def margin_of(self, account: Account) -> float:
        return self.policy.economics.default_margin if account.margin is None else account.margin

    def visit_minutes_of(self, account: Account) -> float:
        return (
            self.policy.economics.default_visit_minutes
            if account.visit_minutes is None
            else account.visit_minutes
        )

    def cost_per_hour_of(self, rep: Rep) -> float:
        return self.policy.economics.cost_per_hour if rep.cost_per_hour is None else rep.cost_per_hour

    def restrict_to_regions(self, region_ids: Iterable[str]) -> Scenario:
        """The same scenario with only the given regions (their reps, accounts, opportunities, ...).

        Regions are independent in every model but the global ones (tiers, opportunity thresholds): compute
        those on the whole scenario and pass them in when solving a restriction.
        """
        keep = set(region_ids)
        reps = tuple(r for r in self.reps if r.region in keep)
        accounts = tuple(a for a in self.accounts if a.region in keep)
        account_ids = {a.id for a in accounts}
        rep_ids = {r.id for r in reps}
        places = account_ids | rep_ids
        part = Scenario(
            name=self.name,
            description=self.description,
            horizon=self.horizon,
            policy=self.policy,
            regions=tuple(r for r in self.regions if r.id in keep),
            reps=reps,
            accounts=accounts,
            opportunities=tuple(o for o in self.opportunities if o.account in account_ids),
            travel_matrix=tuple(e for e in self.travel_matrix if e.from_id in places and e.to_id in places),
            absences=tuple(a for a in self.absences if a.rep in rep_ids),
            adjacency=tuple(e for e in self.adjacency if e.a in account_ids and e.b in account_ids),
            overnight_places=self.overnight_places,  # a place serves the reps of any region
            removed_reps=self.removed_reps,
            source=self.source,
        )
        part._origins.update(self._origins)
        part._key_lines.update(self._key_lines)
        part._files = self._files
        return part

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced, validated again (derived caches are not carried over)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        copy = Scenario(**data)
        copy._origins.update(self._origins)
        copy._key_lines.update(self._key_lines)
        copy._files = self._files
        return copy

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "regions": len(self.region_ids),
            "reps": len(self.reps),
            "accounts": len(self.accounts),
            "dealers": sum(a.is_dealer for a in self.accounts),
            "opportunities": len(self.opportunities),
            "horizon": f"{self.horizon.start} + {self.horizon.weeks} weeks",
        }
