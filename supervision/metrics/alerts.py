"""Alerts: thresholds set per entity (inherited by the entities below) and their evaluation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import ValidationError
from core.identity import Entity, User
from supervision.models import Threshold


@dataclass(frozen=True)
class Limit:
    default: float
    label: str
    percent: bool = False


LIMITS: dict[str, Limit] = {
    "part_en_retard_max": Limit(20, "part des courriers en cours qui sont en retard (%)", True),
    "part_a_temps_min": Limit(80, "part des courriers traités dans les délais (%)", True),
    "lecture_en_attente_max": Limit(50, "versions de documents en attente de lecture"),
    "publication_echec_max": Limit(0, "publications de démarches en échec"),
    "avis_age_max_jours": Limit(15, "âge du plus ancien avis attendu (jours)"),
}


def fr(value: float) -> str:
    """A number as French people write it: 12,5 and 20 (no trailing ,0)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _parents(session: Session) -> dict[int, int | None]:
    return {entity_id: parent for entity_id, parent in session.execute(
        select(Entity.id, Entity.parent_id))}


def limits_for(session: Session, entity_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """The thresholds in force in each entity: its own, else its nearest parent's, else the
    defaults."""
    parents = _parents(session)
    own: dict[int, dict[str, float]] = {}
    for row in session.scalars(select(Threshold)):
        own.setdefault(row.entity_id, {})[row.key] = row.value
    result: dict[int, dict[str, float]] = {}
    for entity_id in entity_ids:
        values = {key: limit.default for key, limit in LIMITS.items()}
        chain: list[int] = []
        current: int | None = entity_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        for ancestor in reversed(chain):  # the nearest entity's value wins
            values.update(own.get(ancestor, {}))
        result[entity_id] = values
    return result


def set_limit(session: Session, entity: Entity, key: str, value: float,
              actor: User | None = None, actor_name: str = "cli") -> Threshold:
    """Set a threshold for an entity and those below it.

    Raises:
        ValidationError: an unknown key, or a value out of its range.
    """
    limit = LIMITS.get(key)
    if limit is None:
        raise ValidationError(f"Seuil inconnu : « {key} » (seuils : {', '.join(LIMITS)}).")
    if value < 0 or (limit.percent and value > 100):
        bound = "entre 0 et 100" if limit.percent else "positif ou nul"
        raise ValidationError(f"Le seuil « {key} » doit être {bound} (reçu {fr(value)}).")
    row = session.get(Threshold, (entity.id, key))
    before = row.value if row else None
    if row is None:
        row = Threshold(entity_id=entity.id, key=key, value=value)
        session.add(row)
    row.value = value
    audit.record(session, actor, "supervision.seuil_modifie", "seuil", key, entity.id,
                 {"avant": before, "apres": value}, actor_name=actor_name)
    return row


Figures = Mapping[str, Any]


def _limit(key: str) -> Callable[[Figures, Mapping[str, float]], float]:
    return lambda _unit, limits: limits[key]


@dataclass(frozen=True)
class Rule:
    """One alert: the figure watched, its threshold, which side is wrong, what to say."""

    code: str
    value: Callable[[Figures], float | None]
    threshold: Callable[[Figures, Mapping[str, float]], float]
    above: bool  # the alert is raised above the threshold (else below it)
    message: str  # {v}: the value, {s}: the threshold, both written the French way


RULES = (
    Rule("retard", lambda u: u["courrier"]["part_en_retard"], _limit("part_en_retard_max"),
         True, "{v} % des courriers en cours sont en retard (seuil : {s} %)."),
    Rule("delais", lambda u: u["courrier"]["part_a_temps"], _limit("part_a_temps_min"), False,
         "{v} % seulement des courriers traités l'ont été dans les délais (seuil : {s} %)."),
    Rule("lecture", lambda u: u["ged"]["en_attente_lecture"], _limit("lecture_en_attente_max"),
         True, "{v} versions de documents attendent leur lecture (seuil : {s})."),
    Rule("publication", lambda u: u["demarches"]["publication"].get("echec", 0),
         _limit("publication_echec_max"), True,
         "{v} démarche(s) en échec de publication sur le portail (seuil : {s})."),
    Rule("avis", lambda u: u["courrier"]["avis_en_attente"]["plus_ancien_jours"],
         _limit("avis_age_max_jours"), True,
         "Un avis est attendu depuis {v} jours (seuil : {s} jours)."),
    Rule("demarches", lambda u: u["demarches"]["part_en_ligne"],
         lambda u, _limits: u["demarches"]["cible"], False,
         "{v} % des démarches sont en ligne, pour une cible de {s} %."),
)


def evaluate(unit: Figures, limits: Mapping[str, float]) -> list[dict[str, Any]]:
    """The alerts an entity's figures raise against its thresholds, in French."""
    found: list[dict[str, Any]] = []
    for rule in RULES:
        value, threshold = rule.value(unit), rule.threshold(unit, limits)
        if value is None or (value <= threshold if rule.above else value >= threshold):
            continue
        found.append({"code": rule.code, "valeur": value, "seuil": threshold,
                      "message": rule.message.format(v=fr(value), s=fr(threshold))})
    return found
