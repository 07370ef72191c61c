"""Atomic output folders (the tables themselves: writers/tables.py).

An :class:`OutputFolder` collects every file of a run in a hidden sibling folder and swaps it into place
only when the run has finished. On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``, so a run
killed at any moment (even SIGKILL) leaves the previous output folder intact. It never replaces a folder
that holds the scenario, follows an output path that is a symbolic link, and turns the OS errors of the
output side (disk full, read-only, permission) into :class:`OutputError` (exit code 2).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import click

from . import signals
from .signals import raise_terminated

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


class OutputError(click.ClickException):
    """The output folder cannot be used or written: the path, the cause and what to do; exit code 2."""

    exit_code = 2

    def __init__(self, path: Path | str, cause: str, advice: str):
        self.path, self.cause, self.advice = str(path), cause, advice
        super().__init__(f"{path}: {cause} — {advice}")

    @classmethod
    def from_os(cls, path: Path | str, exc: OSError) -> OutputError:
        """An OS error while the output folder was prepared, written or published."""
        cause = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        advice = _OS_ADVICE.get(exc.errno or 0, "check the output folder and try again")
        return cls(path, f"cannot write the output: {cause}{where}", advice)

    def show(self, file: Any = None) -> None:
        click.secho(
            f"{self.path}: {self.cause} — {self.advice}. Nothing was written or deleted.", fg="red", err=True
        )


_OS_ADVICE = {
    errno.ENOSPC: "free some disk space, or write to another disk with -o",
    errno.EDQUOT: "free some of your disk quota, or write elsewhere with -o",
    errno.EROFS: "the disk is read-only: choose a folder on a writable disk with -o",
    errno.EACCES: "choose a folder you may write to with -o, or ask for write permission",
    errno.EPERM: "choose a folder you may write to with -o, or ask for write permission",
    errno.ENAMETOOLONG: "choose a shorter output path",
    errno.ENOTDIR: "a part of the output path is a file: choose another folder with -o",
    errno.ELOOP: "the path is a symbolic link loop: point the link at a folder, or choose another with -o",
}

# Files of the scenarios this process loaded (see protect): no output folder may hold one of them.
_PROTECTED: set[Path] = set()


def protect(files: Iterable[Path | str]) -> None:
    """Never replace a folder that holds one of ``files`` (a scenario's YAML files and tables)."""
    _PROTECTED.update(_real(Path(f)) for f in files)


def check_output_folder(target: Path | str, protected: Iterable[Path | str] = ()) -> Path:
    """The folder an output really goes to (a symbolic link followed); raises :class:`OutputError` when
    replacing it would delete what must stay: a folder that holds the scenario or one of its tables (or
    a parent of them), the working directory or the home folder (or a parent of them)."""
    requested = Path(target)
    real = _real(requested)
    keep = [*(_real(Path(p)) for p in protected), *_PROTECTED]
    for file in sorted(keep):
        if real == file or real in file.parents:
            raise OutputError(
                requested,
                f"holds the scenario's file {file.name} ({file}); replacing it would delete the scenario",
                "write the output to a folder outside the scenario, e.g. -o out/plan",
            )
    for folder, what in ((Path.cwd(), "the working directory"), (Path.home(), "your home folder")):
        folder = _real(folder)
        if real == folder or real in folder.parents:
            raise OutputError(
                requested,
                f"is {what} or holds it; the output folder is replaced as a whole",
                "name a folder of its own for the output, e.g. -o out/plan",
            )
    if real.exists() and not real.is_dir():
        raise OutputError(requested, "exists and is not a folder", "choose a folder with -o")
    return real


def _real(path: Path) -> Path:
    """``path`` absolute with symbolic links followed (a dangling link: where it points)."""
    try:
        return path.resolve()
    except RuntimeError:  # a symbolic link loop (Python < 3.13)
        raise OutputError(path, "is a symbolic link loop", _OS_ADVICE[errno.ELOOP]) from None
    except OSError as exc:
        raise OutputError.from_os(path, exc) from None


class OutputFolder:
    """Write a run's files into a staging folder; publish them all at once on success.

    >>> with OutputFolder(Path("out")) as out:
    ...     (out / "plan.txt").write_text("...")

    An output path that is a symbolic link is followed: the folder it points to is replaced, the link
    stays. A folder that holds the scenario (see :func:`protect`) is never replaced. The staging folder is
    locked while the run lives; a later run removes staging folders whose lock is free (their run died).
    SIGTERM cleans up like Ctrl-C. An OS error (disk full, read-only, permission) becomes
    :class:`OutputError`, and the previous output stays.
    """

    def __init__(self, target: Path | str, protected: Iterable[Path | str] = ()):
        self.requested = Path(target)
        self.protected = tuple(protected)
        self.target = Path(os.path.abspath(target))
        self.staging = self.target.parent / f".{self.target.name}{_PARTIAL}{os.getpid()}"
        self._lock: int | None = None
        self._sigterm: Any = None

    def __enter__(self) -> Path:
        self.target = check_output_folder(self.requested, self.protected)
        self.staging = self.target.parent / f".{self.target.name}{_PARTIAL}{os.getpid()}"
        _rearm_interrupt()
        self._sigterm = _catch_sigterm()
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(self.target)
            if self.staging.exists():
                shutil.rmtree(self.staging)
            self.staging.mkdir()
            self._lock = _lock(self.staging)
        except OSError as exc:
            self._close()
            shutil.rmtree(self.staging, ignore_errors=True)
            raise OutputError.from_os(self.requested, exc) from None
        except BaseException:
            self._close()
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        return self.staging

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is not None:
                shutil.rmtree(self.staging, ignore_errors=True)
                cause = _os_error_in(error)
                if cause is not None and not isinstance(error, OutputError):
                    raise OutputError.from_os(self.requested, cause) from None
                return
            try:
                self._publish()
            except OSError as exc:
                shutil.rmtree(self.staging, ignore_errors=True)
                raise OutputError.from_os(self.requested, exc) from None
        finally:
            self._close()

    def _publish(self) -> None:
        """Swap the staging folder into place. Ctrl-C and SIGTERM wait until it is done: a run stopped
        around its end has then either left the previous output as it was or published its whole new
        one, and says which (signals.exit_stopped), never half of the clean-up."""
        with _signals_held():
            _sync_tree(self.staging)
            if not self.target.exists():
                os.rename(self.staging, self.target)
            elif _exchange(self.staging, self.target):
                shutil.rmtree(self.staging, ignore_errors=True)  # now holds the previous output
            else:
                old = self.target.parent / f".{self.target.name}{_OLD}{os.getpid()}"
                os.rename(self.target, old)
                try:
                    os.rename(self.staging, self.target)
                except OSError:
                    os.rename(old, self.target)  # put the previous output back
                    raise
                shutil.rmtree(old, ignore_errors=True)
            signals.published(str(self.requested))

    def _close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
        if self._sigterm is not None:
            signal.signal(signal.SIGTERM, self._sigterm)
            self._sigterm = None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends: inside it a handler that only records them stands in
    for the installed ones, which get the first recorded signal afterwards. (Blocking the signal with
    pthread_sigmask would not do: it blocks one thread, and the kernel hands the signal to another, such
    as a solver's, whose C handler then flags it for the main thread at once.) Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for number, handler in before.items():
        if handler is not None:
            signal.signal(number, lambda signum, _frame: held.append(signum))
    try:
        yield
    finally:
        for number, handler in before.items():
            if handler is not None:
                signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])


def _catch_sigterm() -> Any:
    """Install the SIGTERM handler unless one is installed; returns the handler to restore (or None)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        return None
    signal.signal(signal.SIGTERM, raise_terminated)
    return previous


def _lock(folder: Path) -> int:
    """Hold an exclusive lock on the staging folder while the run lives (released when it dies)."""
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def _locked(folder: Path) -> bool:
    """True while a living run holds the folder's lock."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def _os_error_in(error: BaseException | None) -> OSError | None:
    """The OSError that caused ``error`` (itself, or through its __cause__ / __context__ chain): writers
    such as xlsxwriter wrap the OSError of a full disk in their own exception."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


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
    """Remove staging folders of earlier runs that died (their lock is free; an older run without a lock:
    its process is gone).

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
            if pid_text.isdigit() and int(pid_text) == os.getpid():
                shutil.rmtree(stale, ignore_errors=True)
                continue
            if marker == _PARTIAL and _locked(stale):
                continue
            if marker == _OLD and pid_text.isdigit() and _alive(int(pid_text)):
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
