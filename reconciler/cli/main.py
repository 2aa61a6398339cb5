"""Entry point of the `ncesync` console script."""

import click


@click.group()
@click.version_option(package_name="ncesync")
def cli() -> None:
    """NCE seats as code: reconcile Dicker Data licence counts into your PSA."""


def main() -> None:
    cli()
