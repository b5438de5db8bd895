"""``atd courrier``: registers, the reminders pass, announced holidays, rules, chrono checks."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from core.cli.context import runtime
from core.identity import Entity, entity_by_code
from core.runtime import activated
from courrier import chrono, config, registers
from courrier.errors import InvalidCourrier
from courrier.models import DIRECTIONS


def _entity(session: Session, code: str) -> Entity:
    entity = entity_by_code(session, code)
    if entity is None:
        raise InvalidCourrier(f"Entité inconnue : « {code} ».")
    return entity


@click.group("courrier")
def courrier_group() -> None:
    """Courrier : registres, relances, jours fériés annoncés, réglages."""


@courrier_group.command("registre")
@click.option("--entite", "entity_code", required=True, help="Code de l'entité.")
@click.option("--annee", "year", type=int, help="Année (par défaut l'année en cours).")
@click.option("--du", "start", type=click.DateTime(["%Y-%m-%d"]), help="Début (AAAA-MM-JJ).")
@click.option("--au", "end", type=click.DateTime(["%Y-%m-%d"]), help="Fin (AAAA-MM-JJ).")
@click.option("--sens", "direction", type=click.Choice(DIRECTIONS), default="arrivee",
              show_default=True, help="Sens du courrier.")
@click.option("--format", "fmt", type=click.Choice(registers.FORMATS), default="pdf",
              show_default=True, help="Format du fichier.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Fichier à écrire.")
def register_command(entity_code: str, year: int | None, start: datetime | None,
                     end: datetime | None, direction: str, fmt: str, output: Path) -> None:
    """Écrit le registre chrono d'une entité pour une année ou une période."""
    first, last = registers.year_bounds(year or date.today().year)
    first = start.date() if start else first
    last = end.date() if end else last
    with runtime().session() as session:
        # The command line is run by an engineer, not a member of staff: confidential
        # subjects stay masked.
        register = registers.build(session, None, entity_code, direction, first, last)
        data = registers.render(register, fmt)
    output.write_bytes(data)
    click.echo(f"{register.title} : {len(register.rows)} courrier(s) écrits dans {output}.")


@courrier_group.command("relances")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]),
              help="Jour de référence (aujourd'hui par défaut).")
def reminders_command(on: datetime | None) -> None:
    """Marque les courriers en retard et crée les rappels (et courriels) du jour."""
    from courrier.jobs import relances

    rt = runtime()
    with activated(rt):
        lines = relances(on.date().isoformat() if on else None)
    for line in lines:
        click.echo(line)


@courrier_group.command("feries")
@click.option("--annee", "year", type=int, help="Année à afficher (par défaut l'année en cours).")
@click.option("--ajouter", "additions", multiple=True, metavar="AAAA-MM-JJ=NOM",
              help="Annonce un jour férié fixé chaque année (Aïd el-Fitr, Tabaski…).")
@click.option("--retirer", "removals", multiple=True, metavar="AAAA-MM-JJ",
              help="Retire un jour férié annoncé.")
def holidays_command(year: int | None, additions: tuple[str, ...], removals: tuple[str, ...]
                     ) -> None:
    """Affiche les jours fériés de l'année ; annonce ou retire les fêtes à date variable."""
    from courrier.calendar import load_calendar

    with runtime().session() as session:
        for item in additions:
            text, _, name = item.partition("=")
            config.announce_holiday(session, None, _parse_day(text), name)
        for text in removals:
            if not config.withdraw_holiday(session, None, _parse_day(text)):
                raise InvalidCourrier(f"Aucun jour férié annoncé le {text}.")
        calendar = load_calendar(session)
    year = year or date.today().year
    for day, name in calendar.holidays(year).items():
        click.echo(f"{day:%d/%m/%Y}  {name}")
    if not any(d.year == year for d in calendar.announced):
        click.echo(f"Attention : aucune fête à date variable annoncée pour {year} "
                   "(atd courrier feries --ajouter AAAA-MM-JJ=NOM).", err=True)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidCourrier(f"Date invalide : « {text} » (attendu AAAA-MM-JJ).") from None


@courrier_group.command("reglages")
@click.option("--entite", "entity_code", required=True, help="Code de l'entité.")
@click.option("--rappel-avant", "remind_before_days", type=click.IntRange(0),
              help="Jours ouvrés avant l'échéance où le détenteur est rappelé.")
@click.option("--alerte-chef", "head_after_days", type=click.IntRange(0),
              help="Jours ouvrés de retard après lesquels le chef est prévenu.")
@click.option("--cloture-a-envoi/--sans-cloture-a-envoi", "close_on_send", default=None,
              help="L'envoi de la réponse clôt le courrier arrivée.")
def rules_command(entity_code: str, **changes: object) -> None:
    """Affiche ou modifie les réglages de délais et de réponse d'une entité."""
    changes = {k: v for k, v in changes.items() if v is not None}
    with runtime().session() as session:
        entity = _entity(session, entity_code)
        if changes:
            config.set_rules(session, None, entity, **changes)
            session.flush()
        rules = config.rules_for(session, entity.id)
    click.echo(f"{entity.code} : rappel {rules.remind_before_days} jour(s) ouvré(s) avant "
               f"l'échéance, chef prévenu après {rules.head_after_days} jour(s) de retard, "
               f"clôture à l'envoi : {'oui' if rules.close_on_send else 'non'}.")


@courrier_group.command("verifier")
@click.option("--entite", "entity_code", required=True, help="Code de l'entité.")
@click.option("--annee", "year", type=int, help="Année (par défaut l'année en cours).")
def check_command(entity_code: str, year: int | None) -> None:
    """Vérifie que la numérotation chrono est continue (ni trou ni doublon)."""
    year = year or date.today().year
    broken = False
    with runtime().session() as session:
        entity = _entity(session, entity_code)
        for direction in DIRECTIONS:
            missing, duplicated = chrono.gaps(session, entity.id, direction, year)
            last = chrono.last_number(session, entity.id, direction, year)
            state = "continue" if not (missing or duplicated) else "ROMPUE"
            click.echo(f"{entity.code} {direction} {year} : {last} numéro(s), {state}"
                       + (f" ; manquants {missing[:10]}" if missing else "")
                       + (f" ; en double {duplicated[:10]}" if duplicated else ""))
            broken |= bool(missing or duplicated)
    if broken:
        sys.exit(1)


COMMANDS = [courrier_group]
