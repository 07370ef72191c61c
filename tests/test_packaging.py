"""The distribution maps optimizer/, scenarios/ and cli/ under salesplan, and lists every subpackage."""

from __future__ import annotations

import tomllib

from .conftest import ROOT


def test_every_package_folder_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping = config["package-dir"]
    listed = set(config["packages"])
    for package, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            if "examples" in relative.parts:
                continue
            name = ".".join([package, *relative.parts])
            assert name in listed, f"{name} is missing from [tool.setuptools] packages"


def test_no_generic_top_level_names_are_installed() -> None:
    import importlib.util

    import salesplan.cli
    import salesplan.optimizer
    import salesplan.scenarios

    assert salesplan.optimizer.__name__ == "salesplan.optimizer"
    for generic in ("cli", "optimizer", "scenarios"):
        spec = importlib.util.find_spec(generic)
        assert spec is None or "site-packages" not in str(spec.origin)


def test_readme_scenario_reference_is_current() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "scenario_reference.py"), "--check"], check=False
    )
    assert result.returncode == 0, "run `python scripts/scenario_reference.py` to update README.md"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "bash scripts/bootstrap.sh --test && bash scripts/check.sh && .venv/bin/python -m pytest -n 2"
    assert command in readme and command in ci
