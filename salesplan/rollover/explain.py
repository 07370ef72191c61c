"""A rollover in words: the one place its moves and warnings become sentences."""

from __future__ import annotations

from .result import Move, RolloverResult


def describe_move(move: Move) -> str:
    kind = "forced move" if move.forced else "move"
    return f"{move.account}: {kind} {move.from_rep} → {move.to_rep} on {move.date} ({move.reason})"


def notes(result: RolloverResult) -> list[str]:
    lines = [f"next horizon: {result.start} + {result.weeks} weeks"]
    forced = sum(m.forced for m in result.moves)
    lines.append(
        f"{len(result.moves)} account(s) changed rep in this plan ({forced} forced); moved_dates keeps them"
    )
    if result.removed_opportunities:
        lines.append(f"{len(result.removed_opportunities)} opportunities won or lost leave the list")
    if result.excluded_opportunities:
        lines.append(
            f"{len(result.excluded_opportunities)} open opportunities excluded: their accounts are over the credit limit"
        )
    lines.extend(f"warning: {w}" for w in result.warnings)
    return lines
