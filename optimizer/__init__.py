"""salesplan.optimizer: pure solvers from validated problem models to result objects (no files, no terminal)."""

from .overnight import OvernightPlace, OvernightRules
from .result import Infeasibility, ProgressEvent, SolveInfo, SolverOptions, SolveStatus
from .travel import Place, TravelModel, great_circle_km

__all__ = [
    "Infeasibility",
    "OvernightPlace",
    "OvernightRules",
    "Place",
    "ProgressEvent",
    "SolveInfo",
    "SolveStatus",
    "SolverOptions",
    "TravelModel",
    "great_circle_km",
]
