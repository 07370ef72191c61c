"""Reliability of the output side (issue 19): the output folder never replaces the scenario, follows a
symbolic link, sweeps the staging folders of dead runs, cleans up on SIGTERM like on Ctrl-C, and turns the
OS errors of a full disk, a read-only disk or a missing permission into a message with the path and the
cause (exit 2). Ctrl-C while a command's module is imported exits 130, not 1.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from salesplan.cli import signals
from salesplan.cli.output import OutputFolder

from .conftest import EXAMPLES, run_cli
from .test_reliability import _signal_while_writing

VALID = Path(__file__).parent / "broken" / "_valid"


def tiny(folder: Path) -> Path:
    """The broken corpus's valid base without balance limits: plans in well under a second."""
    shutil.copytree(VALID, folder)
    text = (folder / "scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("workload_tolerance: 0.2", "workload_tolerance: null\n    potential_tolerance: null")
    (folder / "scenario.yaml").write_text(text + "  reassignment: {max_moved_share: 1.0}\n", encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("where", ["the scenario folder", "its parent", "a link to it", "a table's folder"])
def test_output_never_replaces_the_scenario(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tiny(tmp_path / "work" / "scenario")
    if where == "a table's folder":  # the accounts live elsewhere
        (tmp_path / "data").mkdir()
        shutil.move(scenario / "accounts.csv", tmp_path / "data" / "accounts.csv")
        text = (scenario / "scenario.yaml").read_text(encoding="utf-8")
        (scenario / "scenario.yaml").write_text(text.replace("accounts.csv", "../../data/accounts.csv"))
    (tmp_path / "link").symlink_to(scenario)
    output = {
        "the scenario folder": scenario,
        "its parent": scenario.parent,
        "a link to it": tmp_path / "link",
        "a table's folder": tmp_path / "data",
    }[where]
    before, around = snapshot(tmp_path), listing(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run_cli("plan", str(scenario), "-o", str(output))
    assert code == 2, out
    assert "holds the scenario's file" in out and str(output) in out and "Traceback" not in out, out
    assert snapshot(tmp_path) == before and listing(tmp_path) == around
    assert (tmp_path / "link").is_symlink()


def test_output_through_a_symlink_follows_it(tmp_path: Path) -> None:
    scenario = tiny(tmp_path / "scenario")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "old.txt").write_text("previous plan\n")
    (tmp_path / "out").symlink_to("plans")
    for _run in range(2):
        code, out = run_cli("plan", str(scenario), "-o", str(tmp_path / "out"), "--no-timings")
        assert code == 0, out
        assert (tmp_path / "out").is_symlink() and (tmp_path / "plans" / "summary.json").is_file()
        assert listing(tmp_path) == ["out", "plans", "scenario"], "exactly one output folder"
    assert not (tmp_path / "plans" / "old.txt").exists()


def test_stale_staging_folders_are_swept_and_a_living_run_is_left_alone(tmp_path: Path) -> None:
    scenario = tiny(tmp_path / "scenario")
    out = tmp_path / "out"
    for pid in (999_999_999, 1):  # a dead run, and a living process that is no run (no lock)
        stale = tmp_path / f".out.partial-{pid}"
        stale.mkdir()
        (stale / "summary.json").write_text("{}")
    living = tmp_path / ".out.partial-424242"
    living.mkdir()
    descriptor = os.open(living, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        code, output = run_cli("plan", str(scenario), "-o", str(out), "--no-timings")
        assert code == 0, output
        assert listing(tmp_path) == [".out.partial-424242", "out", "scenario"]
    finally:
        os.close(descriptor)
    code, output = run_cli("plan", str(scenario), "-o", str(out), "--no-timings")
    assert code == 0, output
    assert listing(tmp_path) == ["out", "scenario"], "exactly one output folder"


def test_a_signal_while_publishing_waits_and_the_run_says_the_output_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while the staging folder is swapped into place is held until the swap and its clean-up are
    done; the run then stops saying that the folder holds its complete new output (not "no output was
    written")."""
    from salesplan.cli import output

    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}\n")
    real = output._sync_tree

    def interrupted(root: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives at the start of the publishing
        time.sleep(0.2)  # a handler that ran now would raise here, mid-publish
        real(root)

    monkeypatch.setattr(output, "_sync_tree", interrupted)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signals.install()
    try:
        with pytest.raises(KeyboardInterrupt), OutputFolder(out) as staging:
            (staging / "summary.json").write_text('{"new": 1}\n')
        assert listing(tmp_path) == ["out"], "the new output in place, the previous one cleaned up"
        assert snapshot(out) == {"summary.json": b'{"new": 1}\n'}
        with pytest.raises(SystemExit) as stopped:
            signals.exit_stopped()
        assert stopped.value.code == signals.EXIT_INTERRUPTED
        assert f"Interrupted after the output was written: {out} holds the complete new plan." in (
            capsys.readouterr().err
        )
    finally:
        signals.install()  # forget the signal and the folder
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])


def test_sigterm_inside_the_output_folder_cleans_up_like_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}\n")
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(signals.Terminated), OutputFolder(out) as staging:
        (staging / "summary.json").write_text('{"new": 1}\n')
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises at once
    assert signal.getsignal(signal.SIGTERM) is handler, "the previous handler is restored"
    assert listing(tmp_path) == ["out"] and snapshot(out) == {"summary.json": b"{}\n"}


@pytest.mark.slow
def test_sigterm_while_writing_exits_143_and_leaves_one_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}\n", encoding="utf-8")
    for _attempt in range(3):
        status, _staging, stderr = _signal_while_writing(EXAMPLES / "bank-key-accounts", out, signal.SIGTERM)
        if status is not None:
            break
        shutil.rmtree(out)  # the run published first: put the previous output back and try again
        out.mkdir()
        (out / "summary.json").write_text("{}\n", encoding="utf-8")
    else:
        pytest.fail("the run finished before it could be terminated while writing, three times")
    assert status == 143, stderr
    assert "Terminated: no output was written." in stderr and "Traceback" not in stderr, stderr
    assert snapshot(out) == {"summary.json": b"{}\n"}
    assert listing(tmp_path) == ["out"], "exactly one output folder, no staging left"


@pytest.mark.parametrize(
    "code",
    [errno.ENOSPC, errno.EROFS, errno.EACCES],
    ids=["disk full", "read-only", "permission"],
)
def test_os_errors_on_the_output_side_name_the_path_and_cause(
    code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesplan.cli.writers.plan as writers

    scenario = tiny(tmp_path / "scenario")
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}\n")

    def failing(result: Any, folder: Path, **options: Any) -> None:
        (folder / "accounts.csv").write_text("partial")
        if code == errno.ENOSPC:  # as xlsxwriter does: its own error, the OSError as its cause
            try:
                raise OSError(code, os.strerror(code), str(folder / "plan.xlsx"))
            except OSError as exc:
                raise RuntimeError("FileCreateError") from exc
        raise OSError(code, os.strerror(code), str(folder / "plan.xlsx"))

    monkeypatch.setattr(writers, "write_plan", failing)
    result, output = run_cli("plan", str(scenario), "-o", str(out))
    assert result == 2, output
    assert str(out) in output and os.strerror(code) in output and "Traceback" not in output, output
    assert "internal error" not in output and "Nothing was written or deleted" in output
    assert snapshot(out) == {"summary.json": b"{}\n"} and listing(tmp_path) == ["out", "scenario"]


def test_a_staging_folder_that_cannot_be_made_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tiny(tmp_path / "scenario")
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        if ".partial-" in self.name:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    code, output = run_cli("plan", str(scenario), "-o", str(tmp_path / "out"))
    assert code == 2, output
    assert "Read-only file system" in output and "writable disk" in output, output
    assert listing(tmp_path) == ["scenario"]


def test_os_error_of_a_user_path_in_a_command_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import salesplan.cli.commands.validate as validate

    def denied(path: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/data/accounts.csv")

    monkeypatch.setattr(validate, "inspect_scenario", denied)
    code, output = run_cli("validate", str(VALID))
    assert code == 2, output
    assert "/data/accounts.csv: Permission denied" in output and "bug" not in output


@pytest.mark.parametrize("how", ["KeyboardInterrupt", "an ImportError after Ctrl-C", "SIGTERM"])
def test_interrupt_while_a_command_is_imported_exits_like_ctrl_c(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import salesplan.cli.main as main

    def interrupted(name: str) -> Any:
        if how == "KeyboardInterrupt":
            raise KeyboardInterrupt
        if how == "SIGTERM":
            raise signals.Terminated
        monkeypatch.setattr(signals, "_received", [signal.SIGINT])
        raise ImportError("cannot import name 'x' from partially initialized module")

    monkeypatch.setattr(main.importlib, "import_module", interrupted)
    code, output = run_cli("validate", str(VALID))
    assert code == (143 if how == "SIGTERM" else 130), output
    assert ("Terminated" if how == "SIGTERM" else "Interrupted") in output and "bug" not in output
