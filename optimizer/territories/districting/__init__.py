"""Territory design for one sales region: balanced, compact, optionally contiguous, gentle on reassignment.

Regions are strictly demarcated (no cross-region selling), so the product splits accounts by region and
calls :func:`solve_territories` once per region.
"""

from .check import TerritoryCheck, check_plan
from .geometry import delaunay_edges, distance_matrix, project_equirectangular
from .heuristic import TerritorySettings
from .problem import Objective, TerritoryProblem
from .result import TerritoryResult
from .solve import solve_territories

__all__ = [
    "Objective",
    "TerritoryCheck",
    "TerritoryProblem",
    "TerritoryResult",
    "TerritorySettings",
    "check_plan",
    "delaunay_edges",
    "distance_matrix",
    "project_equirectangular",
    "solve_territories",
]
