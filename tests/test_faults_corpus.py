"""Every fault and injection case under tests/faults/ (issue 19): the exit code its `expect.txt` names, a
message naming file, row and field, no traceback, in seconds; and `plan` of a refused case writes and
deletes nothing.

Cases git cannot hold (a FIFO, a symbolic link loop, a 200 MB file) are made in a copy when the test runs
(tests/faults/make_corpus.py, LIVE).
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import pytest

from .conftest import run_cli

FAULTS = Path(__file__).parent / "faults"
CASES = sorted(p.name for p in FAULTS.iterdir() if (p / "expect.txt").exists())
_spec = importlib.util.spec_from_file_location("faults_corpus", FAULTS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

SECONDS = 5.0  # every case, bombs and huge files included, is decided this fast


@pytest.fixture(scope="module")
def warm() -> None:
    """validate once, untimed: the first run in a process pays the imports of the capacity check."""
    run_cli("validate", str(FAULTS.parent / "broken" / "_valid"))


def expectation(case: str) -> tuple[int, list[str]]:
    first, *tokens = (FAULTS / case / "expect.txt").read_text(encoding="utf-8").split("\n")
    return int(first.split()[1]), [t for t in tokens if t]


def prepared(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / case
    shutil.copytree(FAULTS / case, folder, symlinks=True)
    if (folder / "live.txt").exists():
        corpus.LIVE[case][0](folder)
    return folder


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    assert set(corpus.LIVE) <= set(CASES)
    assert {name for name, *_ in corpus.CASES} | set(corpus.LIVE) == set(CASES), "run make_corpus.py"


@pytest.mark.parametrize("case", CASES)
def test_validate_decides_fault_case(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: None
) -> None:
    code, expected = expectation(case)
    monkeypatch.chdir(prepared(case, tmp_path))
    started = time.monotonic()
    got, output = run_cli("validate", ".")
    assert time.monotonic() - started < SECONDS, f"{case} took {time.monotonic() - started:.1f} s"
    assert got == code, output
    assert "Traceback" not in output and "internal error" not in output, output
    for token in expected:
        assert token in output, f"{case}: expected '{token}' in\n{output}"
    for line in output.splitlines():
        if ": " in line and " — " in line:
            assert line.split(": ", 1)[0].count(":") >= 2, f"no file:row:field in {line!r}"


REFUSED = [case for case in CASES if expectation(case)[0] == 2]


@pytest.mark.parametrize("case", REFUSED)
def test_plan_of_refused_case_writes_and_deletes_nothing(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, expected = expectation(case)
    folder = prepared(case, tmp_path / "in")
    files = sorted(p.name for p in folder.iterdir())
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / "summary.json").write_text('{"scenario": "last quarter"}\n', encoding="utf-8")
    monkeypatch.chdir(folder)
    code, output = run_cli("plan", ".", "-o", str(previous), "--time-limit", "1")
    assert code == 2, output
    assert "Traceback" not in output
    for token in expected:
        assert token in output, f"{case}: expected '{token}' in\n{output}"
    assert sorted(p.name for p in folder.iterdir()) == files
    assert [p.name for p in previous.iterdir()] == ["summary.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "previous"], "a staging folder was left"
