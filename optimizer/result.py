"""The one result shape every solver returns.

Each solver returns its own result dataclass (``RankingResult``, ``AllocationResult``, ...) that carries a
:class:`SolveInfo` — status, objective, bound, gap, runtime — beside the decision itself, plus any
:class:`Infeasibility` explanations. Nothing here touches files or the terminal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
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


@dataclass(frozen=True)
class Infeasibility:
    """Why a plan cannot satisfy a constraint, by how much, and the smallest change that would fix it.

    Example: ``Infeasibility(constraint="tier minimum visits", scope="region North",
    shortfall=212.0, unit="hours per month", suggestion="add 2 reps or lower the tier-A minimum to 3")``.
    """

    constraint: str
    scope: str
    shortfall: float
    unit: str
    suggestion: str

    def __str__(self) -> str:
        return (
            f"{self.scope}: {self.constraint} is short by {self.shortfall:,.1f} {self.unit} — "
            f"{self.suggestion}"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    """Stopping rules and seed, passed explicitly to every solver.

    The same input and seed give the same plan. Solvers prefer deterministic work limits; the wall-clock
    ``time_limit_seconds`` is a safety net, and when it is hit the result says so.
    """

    time_limit_seconds: float = 60.0
    relative_gap: float = 1e-4
    seed: int = 0
    workers: int = 1
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
        return SolverOptions(self.time_limit_seconds, self.relative_gap, self.seed, self.workers)

    def report(self, stage: str, done: float, total: float | None = None, message: str = "") -> None:
        if self.progress is not None:
            self.progress(ProgressEvent(stage, done, total, message))
