"""The live feed of the room: the latest state changes of the supervised entities, in French."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import Event
from core.identity import Entity

# What the feed shows. A document read successfully is routine background work: during a bulk
# import it would flood the wall and push the mail out, so only its failure is shown.
LABELS = {
    "courrier.enregistrer": "Courrier enregistré",
    "courrier.imputer": "Courrier imputé",
    "courrier.reimputer": "Courrier réimputé",
    "courrier.prendre_en_charge": "Courrier pris en charge",
    "courrier.copie": "Copie transmise",
    "courrier.demander_avis": "Avis demandé",
    "courrier.avis_rendu": "Avis rendu",
    "courrier.reponse_preparee": "Réponse préparée",
    "courrier.repondre": "Courrier répondu",
    "courrier.classer_sans_suite": "Courrier classé sans suite",
    "courrier.clore": "Courrier clos",
    "courrier.annuler": "Courrier annulé",
    "courrier.rouvrir": "Courrier rouvert",
    "courrier.viser": "Réponse visée",
    "courrier.signer": "Réponse signée",
    "courrier.envoyer": "Réponse envoyée",
    "ged.document.ajoute": "Document ajouté à la GED",
    "ged.extraction.echouee": "Lecture d'un document en échec",
    "plan.tache_terminee": "Tâche du plan terminée",
    "supervision.seuil_modifie": "Seuil d'alerte modifié",
}


def _object(event: Any) -> str:
    # A number, never a subject or a title: the feed is on a wall, confidential mail included.
    chrono = (event.data or {}).get("chrono")
    return str(chrono) if chrono else f"n° {event.object_id}" if event.object_id else ""


def latest(session: Session, ids: Collection[int], limit: int = 12) -> list[dict[str, Any]]:
    """The ``limit`` latest meaningful events of the entities ``ids``, newest first."""
    if not ids:
        return []
    rows = session.execute(
        select(Event.seq, Event.created_at, Event.actor, Event.action, Event.object_id,
               Event.data, Entity.code)
        .join(Entity, Entity.id == Event.entity_id)
        .where(Event.entity_id.in_(sorted(ids)), Event.action.in_(tuple(LABELS)))
        .order_by(Event.seq.desc()).limit(limit)
    ).all()
    return [
        {"numero": row.seq, "quand": row.created_at.isoformat(timespec="seconds"),
         "heure": f"{row.created_at:%H:%M:%S}", "entite": row.code, "qui": row.actor,
         "quoi": LABELS[row.action], "objet": _object(row)}
        for row in rows
    ]
