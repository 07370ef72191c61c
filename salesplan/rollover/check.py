"""Checks of a rollover, from its result alone: the move history keeps the reassignment cap."""

from __future__ import annotations

import datetime as dt

from .result import RolloverResult


def check(result: RolloverResult, max_moves_per_year: int | None) -> list[str]:
    """Accounts whose moved_dates exceed the cap within any 365 days with a move that was not forced."""
    if max_moves_per_year is None:
        return []
    forced = {(m.account, m.date) for m in result.moves if m.forced}
    bad = []
    for account, text in zip(result.accounts["account"], result.accounts["moved_dates"], strict=True):
        dates = sorted(dt.date.fromisoformat(d) for d in text.split(";") if d)
        for i, day in enumerate(dates):
            window = [d for d in dates[: i + 1] if (day - d).days < 365]
            if len(window) > max_moves_per_year and (account, day) not in forced:
                bad.append(f"{account}: {len(window)} moves within a year ({', '.join(map(str, window))})")
    return bad
