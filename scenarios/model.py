"""The scenario: the YAML file's layout (:class:`ScenarioFile`) and the resolved, validated whole (:class:`Scenario`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .fields import Id
from .policy import Horizon, Policy
from .tables import Absence, Account, Adjacency, Opportunity, Region, Rep, TravelEntry


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TablePaths(_Strict):
    """Where the tables are: CSV or XLSX paths, relative to the YAML file ('file.xlsx#Sheet' picks a sheet)."""

    reps: str | None = Field(default=None, description="Reps table (required unless inherited).")
    accounts: str | None = Field(default=None, description="Accounts table (required unless inherited).")
    opportunities: str | None = Field(default=None, description="Opportunities table (optional).")
    regions: str | None = Field(
        default=None, description="Regions table (optional; else regions come from reps and accounts)."
    )
    travel_matrix: str | None = Field(default=None, description="Travel minutes between places (optional).")
    absences: str | None = Field(default=None, description="Rep absences (optional).")
    adjacency: str | None = Field(
        default=None, description="Account adjacency for contiguous territories (optional)."
    )


class RemoveSpec(_Strict):
    """Rows a what-if removes from the scenario it extends, by id."""

    reps: list[Id] = Field(
        default_factory=list, description="Rep ids to remove; their accounts need a new rep."
    )
    accounts: list[Id] = Field(
        default_factory=list, description="Account ids to remove (with their opportunities)."
    )
    opportunities: list[Id] = Field(default_factory=list, description="Opportunity ids to remove.")
    regions: list[Id] = Field(default_factory=list, description="Region ids to remove.")


class AddSpec(_Strict):
    """Tables whose rows a what-if adds to the scenario it extends."""

    reps: str | None = None
    accounts: str | None = None
    opportunities: str | None = None
    regions: str | None = None
    absences: str | None = None


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
            removed_reps=self.removed_reps,
            source=self.source,
        )
        part._origins.update(self._origins)
        part._key_lines.update(self._key_lines)
        return part

    def with_changes(self, **changes: Any) -> Scenario:
        """A copy with some fields replaced, validated again (derived caches are not carried over)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        copy = Scenario(**data)
        copy._origins.update(self._origins)
        copy._key_lines.update(self._key_lines)
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
