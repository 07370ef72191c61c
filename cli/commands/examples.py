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
    click.echo(
        f"copied {name} to {target}; edit {target / 'scenario.yaml'} and run `salesplan validate {target}`"
    )
