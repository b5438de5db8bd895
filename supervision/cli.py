"""``atd supervision``: the room's figures in a terminal, the alert thresholds, the fold."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from core.cli.context import runtime
from core.errors import NotFound
from core.identity import entity_by_code, ministry
from supervision import service, summary
from supervision.metrics.alerts import LIMITS, fr, limits_for, set_limit


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{fr(value)} %"


def _maybe(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{fr(value)} {unit}"


def unit_lines(unit: dict[str, Any]) -> list[str]:
    """One entity's figures as the terminal shows them."""
    mail, ged, dem = unit["courrier"], unit["ged"], unit["demarches"]
    channels = ", ".join(f"{k} {v}" for k, v in mail["par_canal"].items() if v)
    ages, opinions = mail["anciennete"], mail["avis_en_attente"]
    treat, route = mail["delai_traitement_jours"], mail["delai_imputation_heures"]
    lines = [
        f"{unit['code']} — {unit['nom']}",
        f"  Courrier : {mail['enregistres']} enregistrés" + (f" ({channels})" if channels else "")
        + f", {mail['imputes']} imputés, {mail['traites']} traités, {mail['clos']} clos, "
        f"{mail['departs']} départs.",
        f"  Délais : {_pct(mail['part_a_temps'])} traités à temps ; traitement médian "
        f"{_maybe(treat['mediane'], 'j')} (p90 {_maybe(treat['p90'], 'j')}) ; première "
        f"imputation médiane {_maybe(route['mediane'], 'h')}.",
        f"  En cours : {mail['en_cours']} (0-7 j : {ages['0-7']}, 8-15 j : {ages['8-15']}, "
        f"16-30 j : {ages['16-30']}, plus de 30 j : {ages['plus_30']}) ; en retard : "
        f"{mail['en_retard']} ({_pct(mail['part_en_retard'])}).",
        f"  Avis attendus : {opinions['nombre']} (âge moyen "
        f"{_maybe(opinions['age_moyen_jours'], 'j')}, le plus ancien "
        f"{_maybe(opinions['plus_ancien_jours'], 'j')}).",
        f"  GED : {ged['documents']} documents, {ged['pages']} pages lues dont "
        f"{ged['pages_ocr']} par OCR (confiance moyenne "
        f"{_maybe(ged['confiance_ocr_moyenne'], '/ 100')}), "
        f"{ged['en_attente_lecture']} en attente de lecture, {ged['en_echec']} en échec.",
        f"  Démarches : {dem['en_ligne']} en ligne sur {dem['total']} "
        f"({_pct(dem['part_en_ligne'])}, cible {dem['cible']} %).",
    ]
    lines += [f"  Alerte : {alert['message']}" for alert in unit["alertes"]]
    return lines


def report_lines(figures: dict[str, Any]) -> list[str]:
    period = figures["periode"]
    start, end = (date.fromisoformat(period[k]) for k in ("du", "au"))
    lines = [f"Période du {start:%d/%m/%Y} au {end:%d/%m/%Y} ({period['jours']} jours)."]
    if figures["evenements_en_attente"]:
        lines.append(f"{figures['evenements_en_attente']} événements restent à compter "
                     "(atd supervision rattraper).")
    units = figures["entites"]
    if len(units) > 1 or units[0]["code"] != figures["ensemble"]["code"]:
        units = [figures["ensemble"], *units]
    for unit in units:
        lines += ["", *unit_lines(unit)]
    plan = figures["plan"]
    if plan is not None:
        lines += ["", f"Plan en quatre semaines : {plan['avancement']} % "
                  f"({plan['taches_terminees']}/{plan['taches']} tâches), "
                  f"{len(plan['en_retard'])} en retard."]
    return lines


@click.group("supervision")
def supervision_group() -> None:
    """Salle de supervision : indicateurs par entité, seuils d'alerte."""


@supervision_group.command("kpis")
@click.option("--entite", help="Code d'une entité (sinon tout le ministère).")
@click.option("--du", help="Premier jour de la période (AAAA-MM-JJ).")
@click.option("--au", help="Dernier jour de la période, inclus (AAAA-MM-JJ).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (celle de l'API).")
def kpis_command(entite: str | None, du: str | None, au: str | None, as_json: bool) -> None:
    """Affiche les indicateurs de supervision du ministère ou d'une entité."""
    figures = service.kpis(runtime(), None, entite, du, au)
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(report_lines(figures)))


@supervision_group.command("seuils")
@click.option("--entite", help="Code de l'entité (sinon le ministère, valable pour toutes).")
@click.option("--set", "changes", multiple=True, metavar="CLE=VALEUR",
              help="Fixe un seuil pour l'entité et celles qui en dépendent (répétable).")
def thresholds_command(entite: str | None, changes: tuple[str, ...]) -> None:
    """Affiche ou fixe les seuils d'alerte d'une entité."""
    with runtime().session() as session:
        entity = entity_by_code(session, entite) if entite else ministry(session)
        if entity is None:
            raise NotFound(f"Entité inconnue : {entite}" if entite else "Aucun ministère chargé.")
        for change in changes:
            key, _, raw = change.partition("=")
            try:
                value = float(raw.replace(",", "."))
            except ValueError:
                raise click.BadParameter(f"valeur non numérique : {change}") from None
            set_limit(session, entity, key.strip(), value)
        session.flush()
        in_force = limits_for(session, [entity.id])[entity.id]
        click.echo(f"Seuils d'alerte de {entity.code} :")
        for key, limit in LIMITS.items():
            click.echo(f"  {key} = {fr(in_force[key])}  ({limit.label}, "
                       f"défaut {fr(limit.default)})")


@supervision_group.command("rattraper")
def catch_up_command() -> None:
    """Compte tous les événements du journal pas encore repris par la supervision."""
    folded = summary.catch_up(runtime(), limit=None)
    click.echo(f"{folded} événements repris dans les indicateurs.")


COMMANDS = [supervision_group]
