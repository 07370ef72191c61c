"""salesplan.review: the quarter after — plan against actual, early warnings, dealer credit, cross-region.

``compile_review(scenario, plan_tables, actuals)`` gathers the facts once (``data.py``, the one module that
knows the scenario models); ``review(data)`` computes everything and returns a :class:`ReviewResult`;
``check(result)`` verifies that its figures reconcile.
"""

from .check import check
from .data import ReviewData, Rules, compile_review
from .explain import describe
from .result import WARNING_KINDS, ReviewResult, ReviewWarning
from .solve import review

__all__ = [
    "WARNING_KINDS",
    "ReviewData",
    "ReviewResult",
    "ReviewWarning",
    "Rules",
    "check",
    "compile_review",
    "describe",
    "review",
]
