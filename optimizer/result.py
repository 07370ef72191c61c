"""The one result shape every solver returns.

Each solver returns its own result dataclass (``RankingResult``, ``CallResult``, ...) that carries a
:class:`SolveInfo` — status, objective, bound, gap, runtime — beside the decision itself, plus any
:class:`Infeasibility` explanations. Nothing here touches files or the terminal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal


class SolveStatus(StrEnum):
    """What a solver can say about its answer."""

    OPTIMAL = "optimal"  # proven optimal (gap within the solver's tolerance)
    FEASIBLE = "feasible"  # a plan that satisfies every constraint; optimality not proven (see gap)
    INFEASIBLE = "infeasible"  # proven that no plan satisfies the constraints (see explanations)
    UNKNOWN = "unknown"  # no plan found and infeasibility not proven (e.g. time limit hit first)

    @property
    def has_solution(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolveInfo:
    """Status, objective, bound, gap and runtime of one solve.

    ``bound`` is a proven bound on the optimum in the direction of ``sense`` (an upper bound when
    maximising, a lower bound when minimising); ``None`` when the method gives none.
    """

    solver: str
    status: SolveStatus
    sense: Literal["max", "min"]
    objective: float | None
    bound: float | None
    runtime_seconds: float
    time_limit_hit: bool = False
    message: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap |bound − objective| / max(|objective|, 1e-9); ``None`` without a bound."""
        if self.objective is None or self.bound is None:
            return None
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return None
        diff = self.bound - self.objective if self.sense == "max" else self.objective - self.bound
        return max(0.0, diff) / max(abs(self.objective), 1e-9)

    def bounded(self, bound: float, relative_gap: float, message: str | None = None) -> SolveInfo:
        """This solve with a new proven ``bound``: optimal when its gap is within ``relative_gap``."""
        found = replace(self, bound=bound, message=self.message if message is None else message)
        gap = found.gap
        if gap is None:
            return found
        return replace(found, status=SolveStatus.OPTIMAL if gap <= relative_gap else SolveStatus.FEASIBLE)

    def summary(self) -> str:
        parts = [f"{self.solver}: {self.status.value}"]
        if self.objective is not None:
            parts.append(f"objective {self.objective:,.2f}")
        if self.bound is not None:
            parts.append(f"bound {self.bound:,.2f}")
        gap = self.gap
        if gap is not None:
            parts.append(f"gap {gap:.3%}")
        parts.append(f"{self.runtime_seconds:.2f} s")
        if self.time_limit_hit:
            parts.append("time limit hit")
        text = ", ".join(parts)
        return f"{text} ({self.message})" if self.message else text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["gap"] = self.gap
        return data


Value = float | int | str | bool | None


@dataclass(frozen=True)
class Fix:
    """One change to the scenario (or the run) that removes or shrinks an infeasibility — as data.

    ``action`` "set": give ``target`` the value ``value`` (``current`` is what it is now); "add": add
    ``value`` (reps, hours, links); "remove": take ``value`` away; "release": drop a lock or a flag;
    "move": hand ``value`` (hours of accounts or opportunities) to other rows of ``target`` (``current``
    may list who has room: "R04=3.0;R05=2.1", hours spare).
    ``target`` names what changes: a policy key (``policy.balance.workload_tolerance``), a row's cell
    (``reps.R03.hours_per_month``), rows of a table (``reps@region=North``), a run option
    (``option:--time-limit``), or, inside an engine, a name its caller relabels (``tolerance:workload``,
    ``cap``, ``territory:3``). :mod:`.words` turns it into a sentence.
    """

    action: Literal["set", "add", "remove", "release", "move"]
    target: str
    value: Value = None
    current: Value = None

    def relabel(self, targets: Mapping[str, str]) -> Fix:
        """The same fix with engine names replaced by the caller's (unknown names stay)."""
        return replace(self, target=targets.get(self.target, self.target))

    def __str__(self) -> str:
        from .words import fix_text

        return fix_text(self)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Infeasibility:
    """Why a plan cannot satisfy a constraint, where, by how much, and the changes that would fix it.

    All of it is data: ``kind`` names the constraint (a key of :data:`.words.KINDS`), ``where`` the ids
    that locate it (``(("region", "North"), ("rep", "R03"))``; inside an engine, ``("unit", "12")`` or
    ``("territory", "3")`` until the caller relabels them), ``shortfall`` the amount missing in ``unit``,
    ``facts`` the figures the explanation quotes and ``fixes`` the smallest changes, best first. Words
    come from one place, :mod:`.words`: ``constraint``, ``scope``, ``suggestion`` and ``str()``.
    """

    kind: str
    where: tuple[tuple[str, str], ...]
    shortfall: float
    unit: str
    fixes: tuple[Fix, ...] = ()
    facts: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(
        cls,
        kind: str,
        where: Mapping[str, object] | None,
        shortfall: float,
        unit: str,
        fixes: Sequence[Fix] = (),
        **facts: Value,
    ) -> Infeasibility:
        """Build one from plain arguments: ``Infeasibility.of("balance", {"region": "N"}, 3.0, "pp", ...)``."""
        return cls(
            kind,
            tuple((k, str(v)) for k, v in (where or {}).items()),
            float(shortfall),
            unit,
            tuple(fixes),
            tuple(facts.items()),
        )

    @property
    def ids(self) -> dict[str, str]:
        return dict(self.where)

    def fact(self, name: str, default: Value = None) -> Value:
        return dict(self.facts).get(name, default)

    def relabel(
        self,
        ids: Mapping[str, Callable[[str], tuple[str, str]]] | None = None,
        targets: Mapping[str, str] | None = None,
        **where: str,
    ) -> Infeasibility:
        """The engine's infeasibility in the caller's terms.

        ``ids`` maps a kind of id to a function giving the new (kind, id): e.g. ``{"unit": lambda i:
        ("account", account_ids[int(i)])}``; it applies to ``where`` and to facts named like the id
        kind (``unit``, ``cause_unit``). ``targets`` renames fix targets; ``where`` adds ids in front.
        """
        ids = ids or {}

        def mapped(kind: str, value: str) -> tuple[str, str]:
            return ids[kind](value) if kind in ids else (kind, value)

        located = tuple(mapped(k, v) for k, v in self.where)
        facts: list[tuple[str, Value]] = []
        for name, value in self.facts:
            prefix, _, base = name.rpartition("_")
            if base in ids and value is not None:
                kind, text = mapped(base, str(value))
                facts.append((f"{prefix}_{kind}" if prefix else kind, text))
            else:
                facts.append((name, value))
        front = tuple((k, v) for k, v in where.items() if k not in dict(located))
        return replace(
            self,
            where=front + located,
            facts=tuple(facts),
            fixes=tuple(f.relabel(targets or {}) for f in self.fixes),
        )

    @property
    def constraint(self) -> str:
        from .words import constraint_text

        return constraint_text(self)

    @property
    def scope(self) -> str:
        from .words import scope_text

        return scope_text(self)

    @property
    def suggestion(self) -> str:
        from .words import suggestion_text

        return suggestion_text(self)

    def __str__(self) -> str:
        from .words import infeasibility_text

        return infeasibility_text(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "where": dict(self.where),
            "constraint": self.constraint,
            "scope": self.scope,
            "shortfall": self.shortfall,
            "unit": self.unit,
            "facts": {k: v for k, v in self.facts},
            "fixes": [dict(f.to_dict(), text=str(f)) for f in self.fixes],
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class ProgressEvent:
    """A progress report from a long solve: ``done`` of ``total`` units of work (``total`` may be None)."""

    stage: str
    done: float
    total: float | None = None
    message: str = ""


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class SolverOptions:
    """When a solve stops, and its seed — a value passed explicitly to every solver.

    ``effort`` scales each solver's deterministic work budget (1.0 = its default: routing effort units,
    territory restarts, CP-SAT deterministic time, DP cells; each solver's docstring says what it counts);
    a piece of a stage (a region, a rep) gets a budget fixed by its size, so the same scenario, seed and
    effort give the same plan on any machine, idle or busy, serially or on many workers.
    ``time_limit_seconds`` is the wall-clock safety net of one stage: its solves get fixed shares of it
    (:meth:`share`), its independent pieces one common ``deadline`` (:meth:`for_pieces`, seconds since the
    epoch), so that it holds however the pieces are spread over processes; when it fires first, the result
    says ``time_limit_hit``.
    ``relative_gap``: a solver may stop once it proves its plan within this gap of the optimum.
    """

    time_limit_seconds: float = 60.0
    relative_gap: float = 1e-4
    seed: int = 0
    workers: int = 1
    effort: float = 1.0
    deadline: float | None = None
    progress: ProgressCallback | None = field(default=None, compare=False, repr=False)
    # How independent pieces (regions, reps) are computed: ``mapper(function, items) -> list`` in input
    # order. None computes them one after another. The pieces must not depend on the order they run in,
    # so a process pool or a Dask cluster gives the same plan.
    mapper: Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]] | None = field(
        default=None, compare=False, repr=False
    )

    def map(self, function: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[function(item) for item in items]``, by the mapper when one is set."""
        if self.mapper is None or len(items) <= 1:
            return [function(item) for item in items]
        return list(self.mapper(function, items))

    def for_worker(self) -> SolverOptions:
        """These options without the progress callback and mapper, to ship to another process."""
        return SolverOptions(
            self.time_limit_seconds, self.relative_gap, self.seed, self.workers, self.effort, self.deadline
        )

    def share(self, fraction: float) -> SolverOptions:
        """The same options with ``fraction`` of the wall-clock safety net (for one of a stage's solves)."""
        return replace(self, time_limit_seconds=max(self.time_limit_seconds * fraction, 0.05))

    def for_pieces(self) -> SolverOptions:
        """Options for the independent pieces of a stage (regions, reps): no progress, no mapper, and one
        deadline for all of them — this stage's, set now when it has none."""
        deadline = self.deadline if self.deadline is not None else time.time() + self.time_limit_seconds
        return replace(self.for_worker(), deadline=deadline)

    def seconds_left(self, floor: float = 0.05) -> float:
        """The wall clock this solve may use: its limit, or less when the stage's deadline comes first
        (at least ``floor``, so that a late piece still gets its quick start)."""
        if self.deadline is None:
            return self.time_limit_seconds
        return max(floor, min(self.time_limit_seconds, self.deadline - time.time()))

    def report(self, stage: str, done: float, total: float | None = None, message: str = "") -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(stage, done, total, message))


@dataclass(frozen=True)
class Kpi:
    """One key figure of a plan beside the current plan's (None where the current plan has none)."""

    key: str
    name: str
    unit: str
    current: float | None
    planned: float | None
    higher_is_better: bool | None

    @classmethod
    def of(
        cls, key: str, name: str, unit: str, current: float | None, planned: float | None, higher: bool | None
    ) -> Kpi:
        """Figures rounded to two decimals (what summary.json and the report show)."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(float(value), 2)

        return cls(key, name, unit, rounded(current), rounded(planned), higher)

    @property
    def change(self) -> float | None:
        if self.current is None or self.planned is None:
            return None
        return self.planned - self.current
