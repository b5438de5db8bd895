"""What the API says of a courrier, its routings and history, and the JSON schemas of it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from core.identity import PRIORITIES
from core.openapi import Schema

# Schemas nested in a response are written out in full: only response schemas are published
# under components, so a $ref to a nested one would point nowhere.
from courrier import workflow
from courrier.correspondents import describe
from courrier.models import (
    CHANNELS,
    CONFIDENTIALITY,
    DIRECTIONS,
    INSTRUCTIONS,
    Correspondent,
    Courrier,
    Imputation,
    Step,
)

_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": ["string", "null"], "format": "date"}
_TIME = {"type": ["string", "null"], "format": "date-time"}


def _record(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


CORRESPONDANT = Schema("Correspondant", _record({
    "id": _INT, "type": {"enum": ["personne", "organisation"]}, "nom": _TEXT,
    "organisation": _TEXT, "libelle": _TEXT, "email": _TEXT,
}))
IMPUTATION = Schema("Imputation", _record({
    "id": _INT, "type": {"enum": list(INSTRUCTIONS)},
    "entite": {**_TEXT, "description": "Code du service destinataire."},
    "agent": {"type": ["string", "null"], "description": "Identifiant de l'agent nommé."},
    "instruction": _TEXT, "par": _TEXT, "le": _TIME, "echeance": _DATE,
    "active": {"type": "boolean"}, "motif_fin": _TEXT, "avis": {"type": ["string", "null"]},
    "avis_le": _TIME,
}))
ETAPE = Schema("EtapeCourrier", _record({
    "le": _TIME, "par": _TEXT, "action": _TEXT, "de": {"type": ["string", "null"]},
    "vers": {"type": ["string", "null"]}, "note": _TEXT, "details": {"type": "object"},
}))
_SUMMARY = {
    "id": _INT,
    "chrono": {**_TEXT, "description": "Numéro chrono `{ENTITE}-{A|D|I}-{AAAA}-{NNNNNN}`."},
    "sens": {"enum": list(DIRECTIONS)},
    "entite": _TEXT,
    "statut": {"enum": list(workflow.STATUS_LABELS)},
    "statut_libelle": _TEXT,
    "objet": _TEXT,
    "expediteur": _nullable(CORRESPONDANT.body),
    "destinataire": _nullable(CORRESPONDANT.body),
    "enregistre_le": _TIME,
    "date_reception": _DATE,
    "date_lettre": _DATE,
    "reference": _TEXT,
    "canal": {"enum": list(CHANNELS)},
    "priorite": {"enum": list(PRIORITIES)},
    "confidentialite": {"enum": list(CONFIDENTIALITY)},
    "echeance": _DATE,
    "en_retard": {"type": "boolean"},
    "detenteur": {"type": ["string", "null"], "description": "Identifiant de l'agent détenteur."},
    "service": {"type": ["string", "null"], "description": "Code du service détenteur."},
}
COURRIER = Schema("Courrier", _record(_SUMMARY))
COURRIER_DETAIL = Schema("CourrierDetail", _record({
    **_SUMMARY,
    "resume": _TEXT,
    "motif_annulation": _TEXT,
    "imputations": {"type": "array", "items": IMPUTATION.body},
    "historique": {"type": "array", "items": ETAPE.body},
    "pieces": {"type": "array", "items": _record({"document": _INT, "role": _TEXT})},
    "liens": {"type": "array", "items": _record({"type": _TEXT, "sens": _TEXT, "chrono": _TEXT,
                                                 "id": _INT})},
    "actions_possibles": {"type": "array", "items": _TEXT},
    "indexation": {"enum": ["a_indexer", "indexe", None],
                   "description": "Recherche : en attente d'indexation, ou indexé."},
}))
LISTE = Schema("ListeCourriers", _record({
    "total": _INT,
    "total_exact": {"type": "boolean", "description": (
        "Faux quand la liste compte plus de `total` courriers (au-delà de 10 000, le total "
        "n'est pas compté)")},
    "page": _INT, "par_page": _INT,
    "courriers": {"type": "array", "items": COURRIER.body},
}))
CORBEILLES = Schema("Corbeilles", {
    "type": "object", "additionalProperties": _INT,
    "description": "Nombre de courriers dans chaque corbeille, par code de corbeille.",
})


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _party(correspondent: Correspondent | None) -> dict[str, Any] | None:
    return describe(correspondent) if correspondent else None


def courrier_json(c: Courrier) -> dict[str, Any]:
    return {
        "id": c.id, "chrono": c.chrono, "sens": c.direction, "entite": c.entity.code,
        "statut": c.status, "statut_libelle": workflow.STATUS_LABELS[c.status],
        "objet": c.subject, "expediteur": _party(c.sender), "destinataire": _party(c.recipient),
        "enregistre_le": _iso(c.registered_at), "date_reception": _iso(c.received_on),
        "date_lettre": _iso(c.letter_date), "reference": c.sender_reference,
        "canal": c.channel, "priorite": c.priority, "confidentialite": c.confidentiality,
        "echeance": _iso(c.due_on), "en_retard": bool(c.overdue),
        "detenteur": c.holder.login if c.holder else None,
        "service": c.holder_entity.code if c.holder_entity else None,
    }


def imputation_json(i: Imputation) -> dict[str, Any]:
    return {
        "id": i.id, "type": i.kind, "entite": i.entity.code,
        "agent": i.user.login if i.user else None, "instruction": i.instruction,
        "par": i.routed_by.login, "le": _iso(i.routed_at), "echeance": _iso(i.due_on),
        "active": i.active, "motif_fin": i.end_reason, "avis": i.answer,
        "avis_le": _iso(i.answered_at),
    }


def step_json(s: Step) -> dict[str, Any]:
    return {"le": _iso(s.at), "par": s.actor, "action": s.action, "de": s.status_from,
            "vers": s.status_to, "note": s.note, "details": s.data}


def detail_json(c: Courrier, links: list[dict[str, Any]], offered: list[str]) -> dict[str, Any]:
    return {
        **courrier_json(c), "resume": c.summary, "motif_annulation": c.cancel_reason,
        "imputations": [imputation_json(i) for i in c.imputations],
        "historique": [step_json(s) for s in c.steps],
        "pieces": [{"document": a.document_id, "role": a.role} for a in c.attachments],
        "liens": links, "actions_possibles": offered, "indexation": c.index_status,
    }
