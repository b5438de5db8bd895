"""The courrier's state machine: which action leads from which status to which, and its record.

An arrivée or interne courrier goes ``enregistre → impute → en_traitement → (en_attente_avis)
→ repondu | traite_sans_suite → clos``; a départ goes ``en_preparation → (en_visa →
en_signature → signe) → envoye → clos``. Both can be cancelled (``annule``, the number kept)
while open; a treated arrivée can be reopened. Any other move is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.identity import User
from courrier.errors import ForbiddenTransition
from courrier.models import Courrier, Step
from ged.search import request_index

STATUS_LABELS = {
    "enregistre": "Enregistré",
    "impute": "Imputé",
    "en_traitement": "En traitement",
    "en_attente_avis": "En attente d'avis",
    "repondu": "Répondu",
    "traite_sans_suite": "Traité sans suite",
    "en_preparation": "En préparation",
    "en_visa": "Au visa",
    "en_signature": "À la signature",
    "signe": "Signé",
    "envoye": "Envoyé",
    "clos": "Clos",
    "annule": "Annulé",
}
ACTION_LABELS = {
    "enregistrer": "Enregistrer",
    "imputer": "Imputer",
    "reimputer": "Réimputer",
    "prendre_en_charge": "Prendre en charge",
    "demander_avis": "Demander un avis",
    "avis_rendus": "Reprendre après avis",
    "repondre": "Répondre",
    "classer_sans_suite": "Classer sans suite",
    "clore": "Clore",
    "annuler": "Annuler",
    "rouvrir": "Rouvrir",
    "demander_visa": "Soumettre au visa",
    "viser": "Viser",
    "demander_signature": "Soumettre à la signature",
    "renvoyer": "Renvoyer pour correction",
    "signer": "Signer",
    "envoyer": "Envoyer",
}
# Steps of the history that move no status.
STEP_LABELS = {
    **ACTION_LABELS,
    "copie": "Copie pour information",
    "avis_rendu": "Avis rendu",
    "reponse_preparee": "Réponse préparée",
    "suite_recue": "Suite reçue",
    "piece_jointe": "Pièce jointe",
    "piece_consultee": "Pièce consultée",
    "en_retard": "Échéance dépassée",
}
# Steps that change nothing the search index holds (words, status, readers).
UNINDEXED_STEPS = frozenset({"piece_consultee"})
INITIAL_STATUS = {"arrivee": "enregistre", "interne": "enregistre", "depart": "en_preparation"}
OPEN_INCOMING = frozenset({"enregistre", "impute", "en_traitement", "en_attente_avis"})
TREATING = frozenset({"impute", "en_traitement", "en_attente_avis"})
FINAL = frozenset({"clos", "annule"})


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str


def _move(sources: set[str] | frozenset[str], target: str) -> Move:
    return Move(frozenset(sources), target)


INCOMING: dict[str, Move] = {
    "imputer": _move({"enregistre"}, "impute"),
    "reimputer": _move(TREATING, "impute"),
    "prendre_en_charge": _move({"impute"}, "en_traitement"),
    "demander_avis": _move(TREATING, "en_attente_avis"),
    "avis_rendus": _move({"en_attente_avis"}, "en_traitement"),
    "repondre": _move({"en_traitement", "en_attente_avis"}, "repondu"),
    "classer_sans_suite": _move({"en_traitement", "en_attente_avis"}, "traite_sans_suite"),
    "clore": _move({"repondu", "traite_sans_suite"}, "clos"),
    "annuler": _move(OPEN_INCOMING, "annule"),
    "rouvrir": _move({"repondu", "traite_sans_suite", "clos"}, "en_traitement"),
}
OUTGOING: dict[str, Move] = {
    "demander_visa": _move({"en_preparation"}, "en_visa"),
    "viser": _move({"en_visa"}, "en_signature"),
    "demander_signature": _move({"en_preparation"}, "en_signature"),
    "renvoyer": _move({"en_visa", "en_signature"}, "en_preparation"),
    "signer": _move({"en_signature"}, "signe"),
    "envoyer": _move({"en_preparation", "signe"}, "envoye"),
    "clore": _move({"envoye"}, "clos"),
    "annuler": _move({"en_preparation", "en_visa", "en_signature", "signe"}, "annule"),
}


def machine(direction: str) -> dict[str, Move]:
    return OUTGOING if direction == "depart" else INCOMING


def allowed_actions(direction: str, status: str) -> list[str]:
    """The actions the status allows, in the order of the machine."""
    return [action for action, move in machine(direction).items() if status in move.sources]


def next_status(direction: str, status: str, action: str, chrono: str = "") -> str:
    """The status that ``action`` leads to from ``status``.

    Raises:
        ForbiddenTransition: the action is not allowed from this status, with the reason.
    """
    move = machine(direction).get(action)
    label = ACTION_LABELS.get(action, action)
    subject = f"le courrier {chrono}" if chrono else "ce courrier"
    if move is None:
        raise ForbiddenTransition(f"Action « {label} » impossible pour un courrier de ce sens.")
    if status not in move.sources:
        possible = ", ".join(ACTION_LABELS[a] for a in allowed_actions(direction, status))
        hint = f" Actions possibles : {possible}." if possible else " Aucune action n'est possible."
        raise ForbiddenTransition(
            f"Action « {label} » impossible : {subject} est « {STATUS_LABELS[status]} ».{hint}"
        )
    return move.target


def record(session: Session, courrier: Courrier, actor: User | None, action: str,
           note: str = "", status_from: str | None = None, **data: Any) -> Step:
    """Write one step of the courrier's history and the same fact to the event log."""
    data = json.loads(json.dumps(data, default=str))  # dates as ISO text in the JSON column
    step = Step(
        courrier=courrier,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor=actor.name if actor else "Système",
        action=action,
        status_from=status_from,
        status_to=courrier.status if status_from is not None else None,
        note=note,
        data=data,
    )
    session.add(step)
    if action not in UNINDEXED_STEPS:
        # Its words or its readers may have changed: the index follows after the commit. Set
        # before the flush, so that a registration carries the mark in its INSERT.
        request_index(session, courrier)
    if courrier.id is None:
        session.flush()  # the event names the courrier by its id (one flush: courrier and step)
    payload = {"chrono": courrier.chrono, **data}
    if status_from is not None:
        payload.update(de=status_from, vers=courrier.status)
    if note:
        payload["note"] = note
    audit.record(
        session, actor, f"courrier.{action}", "courrier", courrier.id, courrier.entity_id, payload
    )
    return step


def apply(session: Session, courrier: Courrier, actor: User | None, action: str,
          note: str = "", **data: Any) -> Step:
    """Move the courrier by ``action`` and record the step (refused moves change nothing)."""
    previous = courrier.status
    courrier.status = next_status(courrier.direction, previous, action, courrier.chrono)
    now = utcnow()
    if courrier.status == "clos":
        courrier.closed_at = now
    elif courrier.status == "annule":
        courrier.cancelled_at = now
    elif action == "rouvrir":
        courrier.closed_at = None
    return record(session, courrier, actor, action, note, status_from=previous, **data)
