"""Atomic output folders (the tables themselves: writers/tables.py).

An :class:`OutputFolder` collects every file of a run in a hidden sibling folder and swaps it into place
only when the run has finished. On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``, so a run
killed at any moment (even SIGKILL) leaves the previous output folder intact.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

_PARTIAL = ".partial-"
_OLD = ".old-"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange)
    return bool(result == 0)


class OutputFolder:
    """Write a run's files into a staging folder; publish them all at once on success.

    >>> with OutputFolder(Path("out")) as out:
    ...     (out / "plan.txt").write_text("...")
    """

    def __init__(self, target: Path | str):
        self.target = Path(target).absolute()
        self.staging = self.target.parent / f".{self.target.name}{_PARTIAL}{os.getpid()}"

    def __enter__(self) -> Path:
        _rearm_interrupt()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.target.exists() and not self.target.is_dir():
            raise FileExistsError(f"{self.target} exists and is not a folder")
        _remove_stale(self.target)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        return self.staging

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        _sync_tree(self.staging)
        if self.target.exists():
            if _exchange(self.staging, self.target):
                shutil.rmtree(self.staging, ignore_errors=True)  # now holds the previous output
                return
            old = self.target.parent / f".{self.target.name}{_OLD}{os.getpid()}"
            os.rename(self.target, old)
            os.rename(self.staging, self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.staging, self.target)


def _rearm_interrupt() -> None:
    """Re-install Python's own SIGINT handler, so that Ctrl-C while writing raises KeyboardInterrupt (the
    staging folder is removed, the command exits 130) instead of killing the process on the spot.

    OR-Tools CP-SAT catches SIGINT during a solve (``catch_sigint_signal``, on by default) and afterwards
    sets the C-level handler to SIG_DFL, behind Python's back: ``signal.getsignal`` still names Python's.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler) or handler in (signal.SIG_IGN, signal.SIG_DFL):
        signal.signal(signal.SIGINT, handler)


def _sync_tree(root: Path) -> None:
    # Data must be on disk before the folder becomes visible, or a crash could publish empty files.
    for path in _walk_files(root):
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _walk_files(root: Path) -> Iterator[Path]:
    for folder, _, files in os.walk(root):
        for name in files:
            yield Path(folder) / name


def _remove_stale(target: Path) -> None:
    """Remove staging folders of earlier runs that were killed (their process is gone).

    Where the atomic exchange is unavailable, a run killed between its two renames leaves the previous
    output under an '.old-' name: it is put back first.
    """
    if not target.exists():
        for old in sorted(target.parent.glob(f".{target.name}{_OLD}*")):
            os.rename(old, target)
            break
    for marker in (_PARTIAL, _OLD):
        for stale in target.parent.glob(f".{target.name}{marker}*"):
            pid_text = stale.name.rsplit("-", 1)[-1]
            if pid_text.isdigit() and _alive(int(pid_text)) and int(pid_text) != os.getpid():
                continue
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
