"""The command line teaches: every command listed with a one-liner, every --help with an example."""

from __future__ import annotations

import json

import pytest

from salesplan.cli.main import COMMANDS

from .conftest import EXAMPLES, run_cli


def test_root_help_lists_every_command_with_a_description() -> None:
    code, output = run_cli("--help")
    assert code == 0
    for name, (_, description) in COMMANDS.items():
        assert name in output
        assert description.split()[0] in output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_help_has_an_example(name: str) -> None:
    code, output = run_cli(name, "--help")
    assert code == 0, output
    assert "Example" in output and f"salesplan {name}" in output


def test_schema_is_json_schema_of_the_yaml() -> None:
    code, output = run_cli("schema")
    schema = json.loads(output)
    assert code == 0 and {"tables", "horizon", "policy", "extends"} <= set(schema["properties"])
    code, output = run_cli("schema", "--table", "accounts")
    assert "current_sales" in json.loads(output)["properties"]


def test_examples_are_listed_and_copied(tmp_path) -> None:
    code, output = run_cli("examples")
    assert code == 0 and "dealer-network" in output
    code, output = run_cli("examples", "bank-key-accounts", str(tmp_path / "mine"))
    assert code == 0 and (tmp_path / "mine" / "scenario.yaml").exists()
    assert run_cli("validate", str(tmp_path / "mine"))[0] == 0


def test_show_prints_the_resolved_what_if() -> None:
    code, output = run_cli("show", str(EXAMPLES / "dealer-network-two-reps-fewer"))
    data = json.loads(output[output.index("{") :])
    assert code == 0 and data["tables"]["reps"] == 10 and data["removed_reps"] == ["R04", "R06"]


def test_validate_reports_tier_hours_shortfall_with_a_fix(tmp_path) -> None:
    import shutil

    folder = tmp_path / "tight"
    shutil.copytree(EXAMPLES.parent.parent / "tests" / "broken" / "_valid", folder)
    text = (
        (folder / "scenario.yaml")
        .read_text(encoding="utf-8")
        .replace("A: {min: 2, max: 4}", "A: {min: 20, max: 20}")
    )
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    reps = (
        (folder / "reps.csv").read_text(encoding="utf-8").replace(",40,0.5", ",5,0.5")
    )  # 10.8 selling h/month each
    (folder / "reps.csv").write_text(reps, encoding="utf-8")
    code, output = run_cli("validate", str(folder))
    assert code == 2
    assert "region North" in output and "hours per month" in output and "add" in output


def test_a_search_the_clock_stopped_is_not_called_infeasible(capsys: pytest.CaptureFixture[str]) -> None:
    from salesplan.cli.common import Infeasible
    from salesplan.optimizer.result import Fix, Infeasibility

    def item(clock: bool) -> Infeasibility:
        return Infeasibility.of(
            "balance", {"region": "G002"}, 0.0, "percentage points of tolerance (none found, none proven impossible)",
            (Fix("set", "option:--time-limit"),), measure="workload", tolerance=0.2, floor=0.0,
            achieved=float("inf"), proven=False, exact=False, clock=clock,
        )  # fmt: skip

    Infeasible("territories", [item(True)]).show()
    timed = capsys.readouterr().err
    assert timed.startswith("territories: the time limit stopped the search before it found a plan")
    assert "Raise --time-limit and run again" in timed and "no plan satisfies" not in timed
    Infeasible("territories", [item(False)]).show()
    budget = capsys.readouterr().err
    assert budget.startswith("territories: no plan satisfies every constraint.")
