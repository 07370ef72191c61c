"""Territories: who serves each account — balanced, compact territories inside each sales region.

The districting engine of one region lives in :mod:`.districting`; this package builds one problem per
region from a scenario (:mod:`.problem`), solves them (:mod:`.solve`), explains what it finds
(:mod:`.explain`, :mod:`.reasons`) and reports the plan (:mod:`.result`).
"""

from .result import AccountPlacement, RegionPlan, TerritoryResult, TerritoryTotals
from .solve import Territories, run_territories

__all__ = [
    "AccountPlacement",
    "RegionPlan",
    "Territories",
    "TerritoryResult",
    "TerritoryTotals",
    "run_territories",
]
