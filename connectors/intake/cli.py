"""``atd intake``: the scanner hot folder and the mail office's mailbox."""

from __future__ import annotations

import time
from pathlib import Path

import click

from connectors.intake.hotfolder import scan
from connectors.intake.mail import configured_mailbox, read_mailbox
from core.cli.context import runtime
from core.errors import ConfigError


@click.group("intake")
def intake_group() -> None:
    """Arrivées numérisées et courriels : dossier du scanner, boîte aux lettres."""


@intake_group.command("watch")
@click.argument("directory", required=False,
                type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--once", is_flag=True, help="Un seul passage, puis s'arrête.")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1),
              help="Secondes entre deux passages ; un fichier intouché depuis ce délai "
                   "est complet.")
def watch_command(directory: Path | None, once: bool, interval: float) -> None:
    """Surveille le dossier du scanner (DIR, ou ATD_INTAKE_DIR) : DIR/<ENTITE>/[ged/]."""
    rt = runtime()
    root = directory or rt.settings.intake_dir
    if root is None:
        raise ConfigError("Indiquez le dossier à surveiller (DIR) ou définissez ATD_INTAKE_DIR.")
    while True:
        report = scan(rt, root, settle=interval)
        if report.taken or report.refused or once:
            click.echo(report.line())
        if once:
            return
        time.sleep(interval)


@intake_group.command("imap")
def imap_command() -> None:
    """Relève la boîte ATD_IMAP_URL : chaque courriel nouveau attend au bureau d'ordre."""
    rt = runtime()
    config = configured_mailbox(rt)
    if config is None:
        raise ConfigError("Définissez ATD_IMAP_URL (imaps://utilisateur:mot-de-passe@hôte/INBOX"
                          "?entite=CODE).")
    click.echo(f"{config.name} : {read_mailbox(rt, config).line()}")


COMMANDS = [intake_group]
