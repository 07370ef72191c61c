"""Outputs are published atomically and spreadsheet formulas in text cells are neutralised."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from salesplan.cli.output import OutputFolder, neutralise, write_csv


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "ok"], "value": [-1.5, 2, 3, 4, 5]}
    )
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv")
    assert list(back["name"]) == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "ok"]
    assert list(back["value"]) == [-1.5, 2, 3, 4, 5]  # numbers stay numbers
    assert neutralise(-3) == -3


def test_output_folder_replaces_previous_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with OutputFolder(target) as staging:
        (staging / "a.txt").write_text("first")
    assert (target / "a.txt").read_text() == "first"
    with pytest.raises(RuntimeError), OutputFolder(target) as staging:
        (staging / "a.txt").write_text("half")
        raise RuntimeError("solver crashed")
    assert (target / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind
    with OutputFolder(target) as staging:
        (staging / "b.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
