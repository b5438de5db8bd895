"""Routing (imputation): attribution to one holder, copies for information, opinions asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core import permissions
from core.db import utcnow
from core.identity import Entity, User, entity_by_code, user_by_login
from courrier import access, service, workflow
from courrier.calendar import load_calendar
from courrier.errors import InvalidCourrier, RoutingOutsideEntity
from courrier.models import INSTRUCTIONS, Courrier, Imputation

# Working days given for an opinion when the router sets no deadline.
DEFAULT_OPINION_DAYS = 5


@dataclass
class RoutingInput:
    """Route to a service (``entity_code``), or to one of its agents (``agent_login``)."""

    kind: str
    entity_code: str
    agent_login: str | None = None
    instruction: str = ""
    due_on: date | None = None
    reason: str = ""


def _target(session: Session, actor: User, courrier: Courrier, data: RoutingInput,
            ) -> tuple[Entity, User | None]:
    entity = entity_by_code(session, data.entity_code.strip()) if data.entity_code else None
    if entity is None or not entity.active:
        raise InvalidCourrier(f"Service inconnu : « {data.entity_code} ».")
    allowed = permissions.entities_for(session, actor, "imputer")
    if data.kind == "avis":
        # The holder asks opinions inside the entities they work in.
        allowed |= permissions.entities_for(session, actor, "traiter")
    if entity.id not in allowed:
        raise RoutingOutsideEntity(
            f"Vous ne pouvez imputer qu'à l'intérieur de vos entités : {entity.code} n'en fait "
            "pas partie.", courrier.id, courrier.entity_id, "imputer",
        )
    if not data.agent_login:
        return entity, None
    agent = user_by_login(session, data.agent_login.strip())
    needed = "traiter" if data.kind == "attribution" else "voir"
    if agent is None or not permissions.may(session, agent, needed, entity.id):
        raise InvalidCourrier(
            f"« {data.agent_login} » n'est pas un agent actif de {entity.code}."
        )
    return entity, agent


def _check_router(session: Session, actor: User, courrier: Courrier, kind: str) -> None:
    if kind == "avis" and access.is_holder(permissions.grants(session, actor), courrier):
        return
    access.require(session, actor, "imputer", courrier, "imputer", (courrier.holder_entity_id,))


def _opinion_deadline(session: Session, due_on: date | None) -> date:
    today = service.today()
    if due_on is None:
        return load_calendar(session).add_working_days(today, DEFAULT_OPINION_DAYS)
    if due_on < today:
        raise InvalidCourrier("L'échéance de l'avis ne peut pas être dans le passé.")
    return due_on


def route(session: Session, actor: User, courrier_id: int, data: RoutingInput) -> Imputation:
    """Route the courrier; an attribution replaces the current one (with a reason if named).

    Raises:
        InvalidCourrier: unknown instruction, service or agent; a redirection without reason.
        RoutingOutsideEntity: the service is outside the entities where the user routes.
        ForbiddenTransition: the courrier's status does not allow this routing.
    """
    courrier = service.get(session, actor, courrier_id)
    if data.kind not in INSTRUCTIONS:
        known = ", ".join(INSTRUCTIONS)
        raise InvalidCourrier(f"Instruction inconnue : « {data.kind} » ({known}).")
    if courrier.direction == "depart":
        raise InvalidCourrier("Un courrier départ ne s'impute pas : il suit le circuit de visa.")
    _check_router(session, actor, courrier, data.kind)
    entity, agent = _target(session, actor, courrier, data)
    imputation = Imputation(
        kind=data.kind, entity_id=entity.id, user_id=agent.id if agent else None,
        instruction=data.instruction.strip(), routed_by_id=actor.id, routed_at=utcnow(),
    )
    details: dict[str, Any] = {
        "type": data.kind, "entite": entity.code, "agent": agent.login if agent else None,
    }
    if data.kind == "attribution":
        _attribute(session, actor, courrier, imputation, data.reason.strip(), details)
    elif data.kind == "avis":
        workflow.next_status(courrier.direction, courrier.status, "demander_avis", courrier.chrono)
        imputation.due_on = _opinion_deadline(session, data.due_on)
        courrier.imputations.append(imputation)
        workflow.apply(session, courrier, actor, "demander_avis", imputation.instruction,
                       echeance=imputation.due_on, **details)
    else:
        if courrier.status in workflow.FINAL:
            raise InvalidCourrier(f"Le courrier {courrier.chrono} est « "
                                  f"{workflow.STATUS_LABELS[courrier.status]} » : plus de copie.")
        courrier.imputations.append(imputation)
        workflow.record(session, courrier, actor, "copie", imputation.instruction, **details)
    return imputation


def _attribute(session: Session, actor: User, courrier: Courrier, imputation: Imputation,
               reason: str, details: dict[str, Any]) -> None:
    action = "imputer" if courrier.status == "enregistre" else "reimputer"
    workflow.next_status(courrier.direction, courrier.status, action, courrier.chrono)
    current = next((i for i in courrier.imputations if i.kind == "attribution" and i.active), None)
    if current is not None:
        if current.user_id is not None and not reason:
            raise InvalidCourrier("Le motif de la réattribution est obligatoire.")
        current.active, current.ended_at, current.end_reason = False, utcnow(), reason
        # The partial unique index allows one active attribution: end this one first.
        session.flush()
    courrier.imputations.append(imputation)
    courrier.holder_id, courrier.holder_entity_id = imputation.user_id, imputation.entity_id
    note = reason or imputation.instruction
    workflow.apply(session, courrier, actor, action, note, instruction=imputation.instruction,
                   **details)


def asked_of(grants: permissions.Grants, imputation: Imputation, pending_only: bool = True
             ) -> bool:
    """The opinion was asked of the user: by name, or of their service without a name."""
    if imputation.kind != "avis" or (pending_only and not imputation.active):
        return False
    if imputation.user_id is None:
        return grants.may("traiter", imputation.entity_id)
    return imputation.user_id == grants.user.id


def give_opinion(session: Session, actor: User, imputation_id: int, answer: str) -> Imputation:
    """Record the opinion asked of the user; the courrier resumes once every opinion is in."""
    imputation = session.get(Imputation, imputation_id)
    if imputation is None or imputation.kind != "avis":
        raise InvalidCourrier(f"Demande d'avis introuvable : n°{imputation_id}.")
    courrier = service.get(session, actor, imputation.courrier_id)
    if not asked_of(permissions.grants(session, actor), imputation, pending_only=False):
        raise access.denied(courrier, "rendre_avis", "Cet avis n'a pas été demandé à vous.")
    if not imputation.active or imputation.answer is not None:
        raise InvalidCourrier("Cet avis a déjà été rendu.")
    if courrier.status in workflow.FINAL:
        raise InvalidCourrier(f"Le courrier {courrier.chrono} est « "
                              f"{workflow.STATUS_LABELS[courrier.status]} » : avis sans objet.")
    if not answer.strip():
        raise InvalidCourrier("Le texte de l'avis est obligatoire.")
    now = utcnow()
    imputation.answer, imputation.answered_at = answer.strip(), now
    imputation.answered_by_id, imputation.active, imputation.ended_at = actor.id, False, now
    workflow.record(session, courrier, actor, "avis_rendu", answer.strip(), demande=imputation.id)
    pending = any(i.kind == "avis" and i.active for i in courrier.imputations)
    if not pending and courrier.status == "en_attente_avis":
        workflow.apply(session, courrier, None, "avis_rendus")
    return imputation
