"""``atd portal``: publish the catalogue, pull the dossiers, show the connector's state."""

from __future__ import annotations

import sys
import time

import click
from sqlalchemy import select

from connectors.errors import DemarcheNotFound
from connectors.portal import outbox, publication
from connectors.portal.client import client_for
from connectors.portal.pull import pull
from connectors.portal.push import PushReport, push_due
from connectors.portal.status import connector_status
from core.cli.context import runtime
from core.db import utcnow
from core.identity import Demarche
from core.runtime import Runtime


@click.group("portal")
def portal_group() -> None:
    """Portail national : publication des démarches, dossiers déposés."""


def _queue(rt: Runtime, codes: tuple[str, ...], everything: bool, retry: bool) -> list[str]:
    lines: list[str] = []
    with rt.session() as session:
        session.info[outbox.SENDS_ITSELF] = True
        if retry:
            count = outbox.retry_dead_letters(session)
            lines.append(f"{count} message(s) remis en file pour un nouvel essai.")
        if everything:
            summary = publication.publish_all(session)
            lines.append(f"{len(summary.queued)} démarche(s) à publier, "
                         f"{summary.unchanged} déjà à jour sur le portail.")
            for code, missing in summary.incomplete.items():
                lines.append(f"  {code} non publiée : il manque {', '.join(missing)}.")
        for code in codes:
            demarche = session.scalars(select(Demarche).where(Demarche.code == code)).first()
            if demarche is None:
                raise DemarcheNotFound(f"Démarche inconnue : {code}.")
            queued = publication.publish(session, demarche)
            lines.append(f"{code} : {'à publier' if queued else 'déjà à jour sur le portail'}.")
    return lines


def drain(rt: Runtime, wait: bool) -> PushReport:
    """Send what is due; with ``wait``, keep going (sleeping until due) until nothing is left."""
    client = client_for(rt.settings)
    total = PushReport()
    while True:
        report = push_due(rt, client)
        total.sent += report.sent
        total.retried += report.retried
        total.dead += report.dead
        with rt.session() as session:
            due = outbox.next_due_at(session)
        if not wait or due is None:
            return total
        time.sleep(min(max((due - utcnow()).total_seconds(), 0.05), 60.0))


@portal_group.command("publish")
@click.argument("codes", nargs=-1)
@click.option("--all", "everything", is_flag=True,
              help="Publie toutes les démarches actives complètes (seules les modifiées partent).")
@click.option("--retry", is_flag=True, help="Remet en file les messages en échec définitif.")
@click.option("--wait", is_flag=True,
              help="Attend, en réessayant, que tout soit envoyé ou en échec définitif.")
def publish_command(codes: tuple[str, ...], everything: bool, retry: bool, wait: bool) -> None:
    """Publie des démarches sur le portail (CODE…, ou --all) et envoie la file d'attente."""
    rt = runtime()
    for line in _queue(rt, codes, everything, retry):
        click.echo(line)
    report = drain(rt, wait)
    click.echo(report.line())
    with rt.session() as session:
        state = outbox.counts(session)
    if state.pending:
        click.echo(f"{state.pending} message(s) en attente d'un nouvel essai.")
    if state.dead:
        click.echo(f"{state.dead} message(s) en échec définitif (atd portal publish --retry).",
                   err=True)
        sys.exit(1)


@portal_group.command("pull")
def pull_command() -> None:
    """Relève les dossiers déposés ou modifiés sur le portail depuis le dernier curseur."""
    rt = runtime()
    report = pull(rt, client_for(rt.settings))
    click.echo(report.line())
    click.echo(f"Curseur : {report.cursor}.")


@portal_group.command("status")
def status_command() -> None:
    """État du connecteur : derniers envois et relèves, file d'attente, échecs, quarantaine."""
    with runtime().session() as session:
        for label, value in connector_status(session).lines():
            click.echo(f"{label} : {value}")


COMMANDS = [portal_group]
