"""Opportunities: which to chase this quarter — ranked by expected value, placed in the size × likelihood
matrix, and chosen under the reps' hours (:mod:`.portfolio`, solved by :mod:`.knapsack`)."""

from .portfolio import PortfolioProblem, PortfolioResult, solve_portfolio
from .ranking import QUADRANTS, RankResult, rank_opportunities, run_rank

__all__ = ["QUADRANTS", "PortfolioProblem", "PortfolioResult", "RankResult", "rank_opportunities", "run_rank",
           "solve_portfolio"]
