"""`salesplan schema`: JSON Schema for editors."""

from __future__ import annotations

import json

import click

from ...scenarios.model import ScenarioFile
from ...scenarios.tables import TABLE_MODELS
from ..common import guarded


@click.command("schema")
@click.option("--table", type=click.Choice(sorted(TABLE_MODELS)), help="Schema of one table's rows instead.")
@guarded
def command(table: str | None) -> None:
    """Print the JSON Schema of scenario.yaml, so that editors can check and complete it.

    \b
    Example (VS Code with the YAML extension):
      salesplan schema > salesplan.schema.json
      # then, first line of scenario.yaml:
      # yaml-language-server: $schema=./salesplan.schema.json
      salesplan schema --table accounts      # the columns of accounts.csv
    """
    model = TABLE_MODELS[table] if table else ScenarioFile
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", f"salesplan {table or 'scenario'}")
    click.echo(json.dumps(schema, ensure_ascii=False, indent=2))
