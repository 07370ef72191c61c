"""Ctrl-C and SIGTERM: both stop a run the same way, with every clean-up, and the exit code says which.

``install`` makes SIGINT raise KeyboardInterrupt and SIGTERM raise :class:`Terminated` (a
KeyboardInterrupt, so that every ``finally`` and every handler written for Ctrl-C runs), and remembers the
signal: an exception that surfaces after it — a library that turned the interrupt of a half-done import
into an ImportError — is the interrupt, not a bug. Light on purpose: imported at start-up.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, NoReturn

import click

EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143

_received: list[int] = []
_published: list[str] = []  # output folders this run has published (a signal after that is no loss)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every clean-up on the way out runs (exit code 143)."""


def raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated()


def _remember_interrupt(signum: int, frame: Any) -> None:
    _received.append(signum)
    raise KeyboardInterrupt()


def _remember_termination(signum: int, frame: Any) -> None:
    _received.append(signum)
    raise Terminated()


def install() -> None:
    """Handle SIGINT and SIGTERM for the rest of the process (the `salesplan` command does this first)."""
    _received.clear()
    _published.clear()
    signal.signal(signal.SIGINT, _remember_interrupt)
    signal.signal(signal.SIGTERM, _remember_termination)


def published(folder: str) -> None:
    """Remember that ``folder`` now holds this run's complete output (cli/output.py)."""
    _published.append(folder)


def received() -> int | None:
    """The last signal received (SIGINT or SIGTERM), or None."""
    return _received[-1] if _received else None


def exit_stopped(error: BaseException | None = None) -> NoReturn:
    """Say that the run stopped and whether its output was written; exit 130 (Ctrl-C) or 143 (SIGTERM).
    A signal that came while the output was being published waits until it is (cli/output.py): then the
    folder holds the complete new output, and the message says so."""
    terminated = isinstance(error, Terminated) or (error is None and received() == signal.SIGTERM)
    word = "Terminated" if terminated else "Interrupted"
    if _published:
        where = ", ".join(_published)
        click.secho(f"{word} after the output was written: {where} holds the complete new plan.", err=True)
    else:
        click.secho(f"{word}: no output was written.", fg="yellow", err=True)
    sys.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
