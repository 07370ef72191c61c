"""The territory design problem of one sales region, as plain frozen data.

Model (one region; cross-region selling is forbidden, so regions are solved one at a time):

    minimise   C(x) + λ · Σ_i v_i · [x_i ≠ r_i, r_i ≥ 0]
    where C is one of
      home      Σ_i w_i · d(i, h_{x_i})                    (distance to the rep's home h_k)
      median    Σ_k min_{j ∈ T_k} Σ_{i ∈ T_k} w_i · d(i, j)  (p-median; the centre is a unit of T_k)
      diameter  max_k max_{i, j ∈ T_k} d(i, j)              (largest territory diameter)

    subject to
      (1) every unit in exactly one territory x_i ∈ {0, …, p−1}, and every territory non-empty;
      (2) balance: |Σ_{i ∈ T_k} a_ie − μ_e| ≤ t_e · μ_e for every territory k and every measure e with a
          tolerance t_e (μ_e = Σ_i a_ie / p);
      (3) contiguity (optional): every T_k induces a connected subgraph of the adjacency graph;
      (4) locks: x_i = ℓ_i where ℓ_i ≥ 0;
      (5) reassignment cap (optional): moved share ≤ s_max, moved share = Σ_{moved} v_i / Σ_{r_i ≥ 0} v_i
          (basis "value") or #moved / #{r_i ≥ 0} (basis "units").

Symbols: T_k the units of territory k; d Euclidean distance in km on the plane (project lat/lon with
``geometry.project_equirectangular``); w_i compactness weight; a_ie activity of unit i in measure e (hours,
potential, customers, …); r_i previous territory (−1 = new unit); v_i move weight (account value); λ
disruption weight in objective units per unit of moved value.
Source: Ríos-Mercado & Fernández (2009), Ríos-Mercado & López-Pérez (2013) for the commercial territory
design problem; Gliesch, Ritt & Moreira (2018) for the diameter variant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Objective = Literal["home", "median", "diameter"]
OBJECTIVES: tuple[str, ...] = ("home", "median", "diameter")


def _frozen(values: npt.ArrayLike, dtype: type, shape: tuple[int, ...], name: str) -> npt.NDArray:
    array: npt.NDArray[Any] = np.array(values, dtype=dtype, copy=True)
    if array.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {array.shape}")
    if dtype is float and not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: values must be finite")
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class TerritoryProblem:
    """One region's territory design problem (see the module docstring for the model).

    xy: (n, 2) unit coordinates in km. activity: (n, m) measures ≥ 0. tolerance: one entry per measure,
    a fraction (0.05 = ±5 %) or None for a measure that is reported but not balanced. p: territories.
    homes: (p, 2) rep homes in km, required for objective "home". weight: (n,) compactness weights
    (default 1). edges: (E, 2) undirected adjacency (default: Delaunay neighbours when contiguity is
    required, else none). contiguous: every territory must be connected over ``edges``.
    locks, previous: (n,) territory index or −1. move_weight: (n,) value lost when a unit changes hands
    (default 1). disruption_weight: λ, objective units per unit of moved value. max_moved_share: cap on
    the moved share (0–1) or None. moved_basis: "value" (share of move_weight) or "units" (share of count).
    None for weight, move_weight, edges, locks or previous only asks for the default: after construction
    they are always arrays (the code that reads them asserts so, which narrows the Optional field types).
    """

    xy: FloatArray
    activity: FloatArray
    tolerance: tuple[float | None, ...]
    p: int
    objective: Objective = "median"
    homes: FloatArray | None = None
    weight: FloatArray | None = None
    edges: IntArray | None = None
    contiguous: bool = False
    locks: IntArray | None = None
    previous: IntArray | None = None
    move_weight: FloatArray | None = None
    disruption_weight: float = 0.0
    max_moved_share: float | None = None
    moved_basis: Literal["value", "units"] = "value"
    measure_names: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"xy: expected shape (n, 2), got {xy.shape}")
        n = xy.shape[0]
        activity = np.asarray(self.activity, dtype=float)
        if activity.ndim == 1:
            activity = activity[:, None]
        m = activity.shape[1] if activity.ndim == 2 else -1
        set_ = object.__setattr__
        set_(self, "xy", _frozen(xy, float, (n, 2), "xy"))
        set_(self, "activity", _frozen(activity, float, (n, m), "activity"))
        if np.any(self.activity < 0):
            raise ValueError("activity: values must be ≥ 0")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective: one of {OBJECTIVES}, got {self.objective!r}")
        if not 1 <= self.p <= n:
            raise ValueError(
                f"p: need 1 ≤ p ≤ n = {n} (every territory gets at least one unit), got {self.p}"
            )
        tolerance = tuple(None if t is None else float(t) for t in self.tolerance)
        if len(tolerance) != m or any(t is not None and not t >= 0.0 for t in tolerance):
            raise ValueError(f"tolerance: {m} entries, each ≥ 0 or None, got {self.tolerance}")
        set_(self, "tolerance", tolerance)
        names = tuple(self.measure_names) or tuple(f"measure {e + 1}" for e in range(m))
        if len(names) != m:
            raise ValueError(f"measure_names: {m} names expected, got {len(names)}")
        set_(self, "measure_names", names)
        if self.objective == "home":
            if self.homes is None:
                raise ValueError("homes: required for objective 'home' (one rep home per territory)")
            set_(self, "homes", _frozen(self.homes, float, (self.p, 2), "homes"))
        elif self.homes is not None:
            set_(self, "homes", _frozen(self.homes, float, (self.p, 2), "homes"))
        weight = _frozen(np.ones(n) if self.weight is None else self.weight, float, (n,), "weight")
        set_(self, "weight", weight)
        value = np.ones(n) if self.move_weight is None else self.move_weight
        move_weight = _frozen(value, float, (n,), "move_weight")
        set_(self, "move_weight", move_weight)
        if np.any(weight < 0) or np.any(move_weight < 0):
            raise ValueError("weight, move_weight: values must be ≥ 0")
        if self.edges is None and self.contiguous:  # contiguity over Delaunay neighbours by default
            from .geometry import delaunay_edges

            edges = delaunay_edges(xy)
        else:
            edges = np.zeros((0, 2), dtype=np.int64) if self.edges is None else np.asarray(self.edges)
        edges = edges.reshape(-1, 2).astype(np.int64)
        if edges.size and (edges.min() < 0 or edges.max() >= n or np.any(edges[:, 0] == edges[:, 1])):
            raise ValueError("edges: pairs of distinct unit indices 0..n−1")
        set_(self, "edges", _frozen(edges, np.int64, edges.shape, "edges"))
        for name in ("locks", "previous"):
            raw = getattr(self, name)
            array = _frozen(np.full(n, -1) if raw is None else raw, np.int64, (n,), name)
            if np.any((array < -1) | (array >= self.p)):
                raise ValueError(f"{name}: territory index 0..p−1 or −1 per unit")
            set_(self, name, array)
        if self.disruption_weight < 0:
            raise ValueError("disruption_weight: must be ≥ 0")
        if self.max_moved_share is not None and not 0.0 <= self.max_moved_share <= 1.0:
            raise ValueError("max_moved_share: a share between 0 and 1, or None")
        if self.moved_basis not in ("value", "units"):
            raise ValueError("moved_basis: 'value' or 'units'")

    @property
    def n(self) -> int:
        return int(self.xy.shape[0])

    @property
    def m(self) -> int:
        return int(self.activity.shape[1])

    @property
    def targets(self) -> FloatArray:
        """μ_e = total of measure e / p."""
        return np.asarray(self.activity.sum(axis=0) / self.p, dtype=float)

    @property
    def balanced(self) -> npt.NDArray[np.bool_]:
        """Which measures carry a tolerance."""
        return np.array([t is not None for t in self.tolerance], dtype=bool)

    @property
    def tolerance_array(self) -> FloatArray:
        """Tolerances as floats (infinity for measures that are not balanced)."""
        return np.array([np.inf if t is None else t for t in self.tolerance], dtype=float)

    @property
    def move_basis_weight(self) -> FloatArray:
        """Per-unit weight of the moved share: move_weight (basis value) or 1 (basis units)."""
        return np.asarray(self.move_weight if self.moved_basis == "value" else np.ones(self.n), dtype=float)

    @property
    def move_budget(self) -> float:
        """Largest moved amount (in the basis of the cap) the cap allows; infinity without a cap."""
        if self.max_moved_share is None:
            return float("inf")
        assert self.previous is not None  # filled in by __post_init__
        base = self.move_basis_weight[self.previous >= 0].sum()
        return float(self.max_moved_share * base)

    @property
    def has_labels(self) -> bool:
        """True when territory numbers matter (homes, locks or a previous plan), False when symmetric."""
        assert self.locks is not None and self.previous is not None  # filled in by __post_init__
        return self.objective == "home" or bool(np.any(self.locks >= 0)) or bool(np.any(self.previous >= 0))

    def with_tolerance(self, tolerance: Sequence[float | None]) -> TerritoryProblem:
        """The same problem with other balance tolerances."""
        from dataclasses import replace

        return replace(self, tolerance=tuple(tolerance))
