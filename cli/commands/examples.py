"""`salesplan examples`: the bundled example scenarios."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..common import guarded

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def example_dirs() -> list[Path]:
    from salesplan import scenarios

    root = Path(scenarios.__file__).parent / "examples"
    return sorted(p for p in root.iterdir() if (p / "scenario.yaml").exists())


@click.command("examples")
@click.argument("name", required=False)
@click.argument("destination", required=False, type=click.Path())
@guarded
def command(name: str | None, destination: str | None) -> None:
    """List the bundled example scenarios, or copy NAME to DESTINATION to start your own.

    \b
    Example:
      salesplan examples
      salesplan examples dealer-network my-dealers
    """
    import yaml

    folders = {p.name: p for p in example_dirs()}
    if name is None:
        for folder in folders.values():
            document = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
            click.echo(f"{folder.name:34} {document.get('description', '').strip().splitlines()[0]}")
            click.echo(f"{'':34} {folder}")
        return
    if name not in folders:
        raise click.BadParameter(f"no example '{name}'; choose from {', '.join(folders)}", param_hint="NAME")
    target = Path(destination or name)
    if target.exists():
        raise click.BadParameter(f"{target} already exists", param_hint="DESTINATION")
    shutil.copytree(folders[name], target)
    bases = _copy_bases(folders[name], target)
    beside = f" with its base in {', '.join(str(target / b) for b in bases)}" if bases else ""
    click.echo(
        f"copied {name} to {target}{beside}; edit {target / 'scenario.yaml'} and run "
        f"`salesplan validate {target}`"
    )


def _copy_bases(source: Path, target: Path) -> list[str]:
    """A what-if extends a base outside its folder (``extends: ../dealer-network/scenario.yaml``): copy
    every base of the chain into the copy (``target/dealer-network``) and point its `extends` there, so
    that the copy validates where it lands. Returns the bases' folder names."""
    import re

    import yaml

    copied: list[str] = []
    folder = source
    while True:
        document = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8")) or {}
        extends = document.get("extends")
        if not isinstance(extends, str):
            break
        base = (folder / extends).resolve()
        if base.parent == folder.resolve() or base.parent.name in copied:
            break  # inside the folder (copied with it), or a chain that comes back
        if not base.is_file():
            break
        shutil.copytree(base.parent, target / base.parent.name)
        copied.append(base.parent.name)
        folder = base.parent
    if copied:
        yaml_path = target / "scenario.yaml"
        text = yaml_path.read_text(encoding="utf-8")
        first = copied[0]
        text = re.sub(r"^extends:.*$", f"extends: {first}/scenario.yaml", text, count=1, flags=re.MULTILINE)
        yaml_path.write_text(text, encoding="utf-8")
    return copied
