"""The rollover's result: the next quarter's account figures, opportunities, horizon and moves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Move:
    """An account that changed rep in the plan: when (the plan's first day), from, to, forced or not, why."""

    account: str
    date: dt.date
    from_rep: str
    to_rep: str
    forced: bool
    reason: str


@dataclass(frozen=True)
class RolloverResult:
    start: dt.date  # the next horizon's first day
    weeks: int
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]
    accounts: pd.DataFrame  # account, current_rep, current_visits_per_month, current_sales, moved_dates
    removed_opportunities: tuple[str, ...]  # won or lost
    excluded_opportunities: tuple[str, ...]  # open, of accounts over their credit limit
    moves: tuple[Move, ...]
    warnings: tuple[str, ...]
    moved_before: int  # accounts that had moved within the year already

    def moves_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(m.account, m.date.isoformat(), m.from_rep, m.to_rep, m.forced, m.reason) for m in self.moves],
            columns=["account", "date", "from_rep", "to_rep", "forced", "reason"],
        )

    def summary(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "weeks": self.weeks,
            "holidays": [d.isoformat() for d in self.holidays],
            "moves": len(self.moves),
            "forced_moves": sum(m.forced for m in self.moves),
            "opportunities_removed": list(self.removed_opportunities),
            "opportunities_excluded": list(self.excluded_opportunities),
            "warnings": list(self.warnings),
        }
