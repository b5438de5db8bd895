"""``atd token``: the bearer tokens of the JSON API."""

from __future__ import annotations

from datetime import datetime

import click

from core.auth import create_token, revoke_token, tokens_of
from core.cli.context import runtime


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


@click.group("token")
def token_group() -> None:
    """Jetons d'API : création, liste, révocation."""


@token_group.command("create")
@click.argument("login")
@click.option("--nom", default="api", show_default=True, help="Nom du jeton, pour le reconnaître.")
def create_command(login: str, nom: str) -> None:
    """Crée un jeton d'API pour LOGIN et l'affiche une seule fois."""
    with runtime().session() as session:
        _token, clear = create_token(session, login, nom)
    # Printed only once committed: a token that is shown always works.
    click.echo(clear)
    click.echo("Conservez ce jeton maintenant : il ne sera plus jamais affiché.", err=True)


@token_group.command("list")
@click.argument("login")
def list_command(login: str) -> None:
    """Liste les jetons de LOGIN (numéro, nom, création, révocation)."""
    with runtime().session() as session:
        rows = [
            (str(token.id), token.name, _when(token.created_at), _when(token.revoked_at))
            for token in tokens_of(session, login)
        ]
    if not rows:
        click.echo(f"Aucun jeton pour {login}.")
        return
    table = [("id", "nom", "créé le", "révoqué le"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@token_group.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
def revoke_command(token_id: int) -> None:
    """Révoque le jeton numéro ID : il n'ouvre plus l'API."""
    with runtime().session() as session:
        token = revoke_token(session, token_id)
        login = token.user.login
    click.echo(f"Jeton {token_id} de {login} révoqué.")


COMMANDS = [token_group]
