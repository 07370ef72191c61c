"""Visit schedule: every rep's visits day by day over the horizon, evenly spread, routed, timed.

``run_schedule(data, options, rep_of=None, visits_per_month=None) -> ScheduleResult`` (the
:class:`.run.Schedule` stage);
``check_schedule(scenario, result)`` verifies a schedule independently. The model is stated in
:mod:`.problem`, the method in :mod:`.solve`.
"""

from .check import ScheduleCheck, check_schedule
from .problem import Drop, RepProblem, build_rep_problem
from .result import DayPlan, RepSchedule, ScheduledVisit, ScheduleResult, clock
from .run import Schedule, run_schedule
from .solve import ScheduleParams, solve_rep

__all__ = [
    "DayPlan",
    "Drop",
    "RepProblem",
    "RepSchedule",
    "Schedule",
    "ScheduleCheck",
    "ScheduleParams",
    "ScheduleResult",
    "ScheduledVisit",
    "build_rep_problem",
    "check_schedule",
    "clock",
    "run_schedule",
    "solve_rep",
]
