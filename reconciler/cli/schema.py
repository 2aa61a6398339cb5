"""`ncesync schema [NAME]`: print a JSON Schema, for editors and CI."""

from __future__ import annotations

import json

import click

from reconciler.specs.schema import load_schema, schema_names


@click.command()
@click.argument("name", required=False)
def schema(name: str | None) -> None:
    """Print the JSON Schema NAME (settings, products, client, ...); without NAME, list them."""
    if name is None:
        for known in schema_names():
            click.echo(known)
        return
    try:
        click.echo(json.dumps(load_schema(name.removesuffix(".schema.json")), indent=2))
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
