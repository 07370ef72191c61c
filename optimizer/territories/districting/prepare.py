"""The arrays the compiled searches work on, derived once from a :class:`TerritoryProblem`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import delaunay_edges
from .kernels import csr_graph
from .problem import FloatArray, IntArray, TerritoryProblem


@dataclass(frozen=True)
class SearchArrays:
    """Plain arrays for the numba kernels (see ``kernels`` for their meaning).

    ``ptr, idx`` is the search graph: the problem's adjacency when contiguity is required, else the
    union of the given edges and the Delaunay neighbours (moves between nearby territories).
    ``mvw`` is the weight of the moved share (the cap's basis), ``cap_weight`` = 1 / the base of the
    share (so a moved amount above the cap is penalised as a share), ``lam_v`` = λ · move_weight.
    """

    xy: FloatArray
    act: FloatArray
    mu: FloatArray
    tolmu: FloatArray
    invmu: FloatArray
    ptr: IntArray
    idx: IntArray
    locks: IntArray
    locked: np.ndarray
    prev: IntArray
    mvw: FloatArray
    budget: float
    cap_weight: float
    weight: FloatArray
    lam_v: FloatArray
    contiguous: bool
    p: int


def search_arrays(problem: TerritoryProblem) -> SearchArrays:
    assert problem.edges is not None and problem.previous is not None  # arrays once TerritoryProblem is built
    assert problem.move_weight is not None
    n = problem.n
    mu = problem.targets
    invmu = np.where(mu > 0, 1.0 / np.where(mu > 0, mu, 1.0), 0.0)
    tolmu = problem.tolerance_array * mu
    edges = problem.edges
    if not problem.contiguous:
        derived = delaunay_edges(problem.xy)
        edges = np.unique(np.sort(np.vstack([edges, derived]), axis=1), axis=0) if len(edges) else derived
    ptr, idx = csr_graph(n, np.ascontiguousarray(edges, dtype=np.int64))
    locks = np.ascontiguousarray(problem.locks, dtype=np.int64)
    budget = problem.move_budget
    base = float(problem.move_basis_weight[problem.previous >= 0].sum())
    # moves the locks force on their own count against the cap; the search never needs to beat them
    forced = problem.move_basis_weight[
        (locks >= 0) & (problem.previous >= 0) & (locks != problem.previous)
    ].sum()
    return SearchArrays(
        xy=np.ascontiguousarray(problem.xy, dtype=float),
        act=np.ascontiguousarray(problem.activity, dtype=float),
        mu=mu,
        tolmu=tolmu,
        invmu=invmu,
        ptr=ptr,
        idx=idx,
        locks=locks,
        locked=locks >= 0,
        prev=np.ascontiguousarray(problem.previous, dtype=np.int64),
        mvw=np.ascontiguousarray(problem.move_basis_weight, dtype=float),
        budget=float(max(budget, forced)),
        cap_weight=1.0 / base if base > 0 else 0.0,
        weight=np.ascontiguousarray(problem.weight, dtype=float),
        lam_v=np.ascontiguousarray(problem.disruption_weight * problem.move_weight, dtype=float),
        contiguous=bool(problem.contiguous),
        p=problem.p,
    )
