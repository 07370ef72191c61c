"""Opportunities: which to chase this quarter — ranked by expected value, placed in the size × likelihood
matrix (:mod:`.ranking`), and chosen under the reps' hours (:mod:`.portfolio`, solved by :mod:`.knapsack`).

:func:`.solve.solve_opportunities` (the :class:`.solve.Opportunities` stage) → :class:`.result.OpportunityResult`.
"""

from .portfolio import PortfolioProblem, PortfolioResult, solve_portfolio
from .ranking import QUADRANTS, Ranking, rank_opportunities
from .result import OpportunityResult, RepHours
from .solve import Opportunities, rank_scenario_opportunities, rep_hours, solve_opportunities

__all__ = [
    "QUADRANTS",
    "Opportunities",
    "OpportunityResult",
    "PortfolioProblem",
    "PortfolioResult",
    "Ranking",
    "RepHours",
    "rank_opportunities",
    "rank_scenario_opportunities",
    "rep_hours",
    "solve_opportunities",
    "solve_portfolio",
]
