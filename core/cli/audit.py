"""``atd audit``: the event log."""

from __future__ import annotations

import sys

import click

from core import audit
from core.cli.context import runtime


@click.group("audit")
def audit_group() -> None:
    """Journal des événements : vérification de la chaîne."""


@audit_group.command("verify")
def verify_command() -> None:
    """Vérifie que le journal n'a été ni modifié ni amputé."""
    with runtime().session() as session:
        result = audit.verify(session)
    if result.ok:
        click.echo(f"Journal intègre : {result.checked} événements vérifiés.")
        return
    click.echo(
        f"Journal altéré : événement n°{result.broken_seq} ({result.reason}), "
        f"{result.checked} événements intègres avant lui.",
        err=True,
    )
    sys.exit(1)


COMMANDS = [audit_group]
