"""salesplan.scenarios: the scenario schema (pydantic), loading with `extends`, and validation."""

from .errors import Problem, ScenarioError
from .frames import inspect_frames
from .loader import LoadReport, inspect_scenario, load_scenario
from .model import Scenario, ScenarioFile
from .policy import Horizon, Policy
from .tables import Absence, Account, Adjacency, Opportunity, OvernightPlace, Region, Rep, TravelEntry

__all__ = [
    "Absence",
    "Account",
    "Adjacency",
    "Horizon",
    "LoadReport",
    "Opportunity",
    "OvernightPlace",
    "Policy",
    "Problem",
    "Region",
    "Rep",
    "Scenario",
    "ScenarioError",
    "ScenarioFile",
    "TravelEntry",
    "inspect_frames",
    "inspect_scenario",
    "load_scenario",
]
