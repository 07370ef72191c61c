"""Shared fixtures: paths of the bundled examples, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "scenario.yaml").exists())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_cli(*args: str) -> tuple[int, str]:
    """Run `salesplan ARGS` in-process; returns (exit code, stdout + stderr)."""
    from salesplan.cli.main import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output
