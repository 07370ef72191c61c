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
