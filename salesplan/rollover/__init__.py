"""salesplan.rollover: next quarter's scenario from this quarter's plan and what came back.

``RolloverProblem.from_data(scenario, plan_tables, review_result)`` → ``rollover(problem)`` →
:class:`RolloverResult` (the next figures per account, the opportunities that leave or are excluded, the
moved-on horizon, the moves); ``check(result, cap)`` verifies the move history keeps the cap.
"""

from .check import check
from .explain import describe_move, notes
from .problem import RolloverProblem
from .result import Move, RolloverResult
from .solve import rollover

__all__ = ["Move", "RolloverProblem", "RolloverResult", "check", "describe_move", "notes", "rollover"]
