"""``atd onboard``: load a ministry's inventory (YAML or Excel) into the database."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from core.cli.context import runtime
from core.errors import ValidationError
from core.onboarding import InventoryError, apply_inventory, load_inventory


def _fail(error: InventoryError) -> NoReturn:
    count = len(error.messages)
    click.echo(
        f"Erreur : l'inventaire n'a pas été chargé ({count} erreur{'s' if count > 1 else ''}) :",
        err=True,
    )
    for message in error.messages:
        click.echo(f"  {message}", err=True)
    sys.exit(1)


@contextmanager
def _passwords_file(path: Path, passwords: list[tuple[str, str]]) -> Iterator[None]:
    """Write the passwords (owner-readable only) before the commit; remove them if it fails."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ValidationError(
            f"impossible de créer {path} ({exc.strerror}) : rien n'a été écrit."
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(f"{login}\t{password}\n" for login, password in passwords)
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@click.command("onboard")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Affiche ce qui changerait, sans rien écrire.")
@click.option("--prune", is_flag=True, help="Désactive ce qui est en base mais absent du fichier.")
@click.option(
    "--passwords",
    "passwords_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Écrit les mots de passe à usage unique dans ce fichier (lisible par vous seul).",
)
def onboard_command(file: Path, dry_run: bool, prune: bool, passwords_path: Path | None) -> None:
    """Charge l'inventaire d'un ministère (YAML ou Excel).

    Crée ou met à jour les entités, les utilisateurs, les démarches et le plan en quatre
    semaines. Relancé sur le même fichier, ne change rien. Au moindre défaut du fichier,
    chaque erreur est listée avec sa ligne et rien n'est écrit.
    """
    if passwords_path is not None and passwords_path.exists() and not dry_run:
        raise ValidationError(f"{passwords_path} existe déjà : choisissez un autre fichier.")
    try:
        inventory = load_inventory(file)
        with runtime().session() as session:
            report = apply_inventory(session, inventory, prune=prune)
            if dry_run:
                session.rollback()
            elif passwords_path is not None and report.passwords:
                with _passwords_file(passwords_path, report.passwords):
                    session.commit()
    except InventoryError as error:
        _fail(error)
    for line in report.lines():
        click.echo(line)
    if dry_run:
        click.echo("Simulation : rien n'a été écrit.")
    elif report.passwords and passwords_path is not None:
        click.echo(
            f"Mots de passe à usage unique écrits dans {passwords_path} "
            f"({len(report.passwords)} comptes), à changer à la première connexion."
        )
    elif report.passwords:
        click.echo(
            "Mots de passe à usage unique, affichés une seule fois "
            "(à changer à la première connexion) :"
        )
        for login, password in report.passwords:
            click.echo(f"{login}\t{password}")


COMMANDS = [onboard_command]
