"""Every broken scenario under tests/broken/ is rejected with exit 2 and a message naming file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

BROKEN = Path(__file__).parent / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expect.txt").exists())


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_corpus_base_is_valid() -> None:
    code, output = run_cli("validate", str(BROKEN / "_valid"))
    assert code == 0, output


@pytest.mark.parametrize("case", CASES)
def test_validate_rejects_broken_scenario(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN / case)
    code, output = run_cli("validate", ".")
    assert code == 2, output
    assert "Traceback" not in output
    for expected in (BROKEN / case / "expect.txt").read_text(encoding="utf-8").split():
        assert expected in output, f"{case}: expected '{expected}' in\n{output}"
    for line in output.splitlines():
        if ": " in line and " — " in line:
            location = line.split(": ", 1)[0]
            assert location.count(":") >= 2, f"no file:row:field in {line!r}"
