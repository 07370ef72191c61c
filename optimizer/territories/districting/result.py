"""The result of one region's territory design: the plan, its figures, status, bound and explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...result import Infeasibility, SolveInfo
from .problem import FloatArray, IntArray


@dataclass(frozen=True)
class TerritoryResult:
    """A territory plan and what is known about it.

    assignment: territory of each unit; None unless ``info.status`` has a solution (every rule met).
    closest_plan: when the tolerances cannot be met (or no balanced plan was found), the plan that meets
    the smallest tolerance found — see ``smallest_tolerance`` — else None. The figures below describe
    ``assignment``, or ``closest_plan`` when there is no assignment.
    centres: per territory, the unit that minimises Σ w_i d(i, ·) over it (the p-median centre).
    totals, deviation: (p, m) activity per territory and (total − μ)/μ. moved: units whose territory
    differs from the previous plan; moved_share in the basis of the cap. compactness: C of the objective
    (km); disruption: Σ v_i over moved units. smallest_tolerance: per measure max(t_e, τ*) when the given
    tolerances cannot be met (None for measures without tolerance). restarts: searches run. bound_method:
    the relaxation that gives ``info.bound`` (``bounds``: "lp", "lagrangian", "geometry: …"; or "exact
    model"), "" without a bound.
    """

    info: SolveInfo
    assignment: IntArray | None
    closest_plan: IntArray | None = None
    centres: IntArray | None = None
    totals: FloatArray | None = None
    deviation: FloatArray | None = None
    moved: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    moved_share: float = 0.0
    compactness: float | None = None
    disruption: float | None = None
    infeasibilities: tuple[Infeasibility, ...] = ()
    smallest_tolerance: tuple[float | None, ...] | None = None
    restarts: int = 0
    bound_method: str = ""

    @property
    def feasible(self) -> bool:
        """True when the plan meets every rule of the problem."""
        return self.info.status.has_solution

    def summary(self) -> str:
        lines = [self.info.summary()]
        if self.deviation is not None:
            worst = float(np.abs(self.deviation).max()) if self.deviation.size else 0.0
            lines.append(
                f"{len(self.deviation)} territories, largest deviation from a target {worst:.2%}, "
                f"{len(self.moved)} units moved ({self.moved_share:.1%})"
            )
        lines.extend(str(i) for i in self.infeasibilities)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        def plain(a: np.ndarray | None) -> Any:
            return None if a is None else a.tolist()

        return {
            "info": self.info.to_dict(),
            "assignment": plain(self.assignment),
            "closest_plan": plain(self.closest_plan),
            "centres": plain(self.centres),
            "totals": plain(self.totals),
            "deviation": plain(self.deviation),
            "moved": plain(self.moved),
            "moved_share": self.moved_share,
            "compactness": self.compactness,
            "disruption": self.disruption,
            "infeasibilities": [i.to_dict() for i in self.infeasibilities],
            "smallest_tolerance": None if self.smallest_tolerance is None else list(self.smallest_tolerance),
            "restarts": self.restarts,
            "bound_method": self.bound_method,
        }
