"""``atd db``: the schema, through the migrations."""

from __future__ import annotations

import click

from core.cli.context import runtime
from core.db import upgrade


@click.group("db")
def db_group() -> None:
    """Base de données : migrations du schéma."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Révision cible.")
def upgrade_command(revision: str) -> None:
    """Applique les migrations jusqu'à la révision demandée."""
    rt = runtime()
    upgrade(rt.settings.database_url, revision, engine=rt.engine)
    click.echo(f"Schéma à jour ({revision}).")


COMMANDS = [db_group]
