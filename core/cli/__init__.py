"""The ``atd`` command line: one click group, one module per topic."""

from __future__ import annotations

import sys
from typing import Any

import click

from connectors.intake import cli as intake
from connectors.portal import cli as portal
from connectors.portal_sim import cli as portal_sim
from core.cli import audit, db, demo, onboard, plan, serve, tokens, worker
from core.errors import AtdError
from courrier import cli as courrier
from ged import cli as ged
from ged.search import cli as search
from supervision import cli as supervision


class Group(click.Group):
    """Turns domain errors into one French line on stderr and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AtdError as exc:
            click.echo(f"Erreur : {exc}", err=True)
            sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Boîte à outils de dématérialisation d'un ministère."""


for module in (db, onboard, plan, tokens, audit, serve, worker, demo, ged, search, courrier,
               portal, portal_sim, intake, supervision):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="atd")
