"""Replies: a courrier départ drawn up from the incoming one, its visa and signature, sending.

The départ gets its own chrono number (``D``) when it is drawn up and is linked to the
courrier it answers. The circuit is optional: visa by the head of service, then signature by
the entity's responsable; sending needs the signed letter and marks the incoming courrier
answered (and closed, when the entity's rules say so).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import permissions
from core.identity import User
from courrier import access, correspondents, service, workflow
from courrier.config import rules_for
from courrier.errors import InvalidCourrier
from courrier.models import Courrier, CourrierLink
from courrier.service import CorrespondentRef


@dataclass
class ReplyInput:
    """The reply's content; by default it goes to the incoming letter's sender."""

    subject: str = ""
    summary: str = ""
    recipient: CorrespondentRef = None
    document_ids: tuple[int, ...] = ()
    # The documents are the signed letter itself (no circuit needed before sending).
    signed: bool = False


def reply(session: Session, actor: User, courrier_id: int, data: ReplyInput) -> Courrier:
    """Draw up the reply to an incoming courrier, as a départ with its own chrono number.

    Raises:
        InvalidCourrier: the courrier is cancelled, is itself a départ, or has no recipient.
        ForbiddenTransition: the courrier is not in treatment.
    """
    incoming = service.get(session, actor, courrier_id)
    if incoming.status == "annule":
        raise InvalidCourrier(
            f"On ne répond pas à un courrier annulé : {incoming.chrono} a été annulé."
        )
    if incoming.direction == "depart":
        raise InvalidCourrier("Un courrier départ ne reçoit pas de réponse de notre part.")
    access.require_treating(session, actor, incoming, "repondre")
    if incoming.status != "impute":
        workflow.next_status(incoming.direction, incoming.status, "repondre", incoming.chrono)
    recipient = correspondents.resolve(session, actor, data.recipient) or incoming.sender
    if recipient is None:
        raise InvalidCourrier("Le destinataire de la réponse est obligatoire.")
    documents = service.documents_for(session, actor, data.document_ids)
    service.take_charge_if_routed(session, actor, incoming)
    subject = data.subject.strip() or f"Réponse : {incoming.subject}"
    departure = service.new_courrier(
        session, actor, incoming.entity, "depart", service.today(),
        subject=subject[: service.SUBJECT_MAX], summary=data.summary.strip(),
        recipient_id=recipient.id, sender_reference=incoming.chrono, channel=incoming.channel,
        priority=incoming.priority, confidentiality=incoming.confidentiality,
        holder_id=actor.id, holder_entity_id=incoming.holder_entity_id or actor.entity_id,
    )
    session.add(CourrierLink(source=departure, target=incoming, kind="reponse",
                             created_by_id=actor.id))
    workflow.record(session, departure, actor, "enregistrer", direction="depart",
                    reponse_a=incoming.chrono)
    workflow.record(session, incoming, actor, "reponse_preparee", reponse=departure.chrono)
    role = "lettre_signee" if data.signed else "projet"
    service.attach(session, actor, departure, documents, role)
    return departure


def answered_by(session: Session, departure: Courrier) -> list[Courrier]:
    """The incoming courriers this départ answers."""
    query = select(Courrier).join(CourrierLink, CourrierLink.target_id == Courrier.id).where(
        CourrierLink.source_id == departure.id, CourrierLink.kind == "reponse"
    )
    return list(session.scalars(query))


def replies_to(session: Session, incoming: Courrier) -> list[Courrier]:
    """The départs drawn up in reply to this courrier."""
    query = select(Courrier).join(CourrierLink, CourrierLink.source_id == Courrier.id).where(
        CourrierLink.target_id == incoming.id, CourrierLink.kind == "reponse"
    )
    return list(session.scalars(query.order_by(Courrier.id)))


def _departure(session: Session, actor: User, courrier_id: int) -> Courrier:
    courrier = service.get(session, actor, courrier_id)
    if courrier.direction != "depart":
        raise InvalidCourrier(f"{courrier.chrono} n'est pas un courrier départ.")
    return courrier


def submit(session: Session, actor: User, courrier_id: int, to: str) -> Courrier:
    """The drafter submits the départ to the visa (``to="visa"``) or to the signature."""
    departure = _departure(session, actor, courrier_id)
    action = "demander_visa" if to == "visa" else "demander_signature"
    access.require_treating(session, actor, departure, action)
    workflow.apply(session, departure, actor, action)
    return departure


def visa(session: Session, actor: User, courrier_id: int, note: str = "") -> Courrier:
    """The head of service initials the départ, which goes on to the signature."""
    departure = _departure(session, actor, courrier_id)
    access.require(session, actor, "viser", departure, "viser", (departure.holder_entity_id,),
                   "Le visa revient au chef du service qui a préparé la réponse.")
    workflow.apply(session, departure, actor, "viser", note.strip())
    return departure


def send_back(session: Session, actor: User, courrier_id: int, reason: str) -> Courrier:
    """The head or the signatory sends the draft back to its drafter, saying what to change."""
    departure = _departure(session, actor, courrier_id)
    permission = "viser" if departure.status == "en_visa" else "signer"
    access.require(session, actor, permission, departure, "renvoyer",
                   (departure.holder_entity_id,))
    if not reason.strip():
        raise InvalidCourrier("Dites ce qu'il faut corriger avant de renvoyer le projet.")
    workflow.apply(session, departure, actor, "renvoyer", reason.strip())
    return departure


def sign(session: Session, actor: User, courrier_id: int, document_ids: tuple[int, ...] = (),
         ) -> Courrier:
    """The entity's responsable signs; the signed letter may be attached at the same time."""
    departure = _departure(session, actor, courrier_id)
    access.require(session, actor, "signer", departure, "signer",
                   message="La signature revient au responsable de l'entité.")
    documents = service.documents_for(session, actor, document_ids)
    workflow.apply(session, departure, actor, "signer")
    service.attach(session, actor, departure, documents, "lettre_signee")
    return departure


def send(session: Session, actor: User, courrier_id: int, document_ids: tuple[int, ...] = ()
         ) -> Courrier:
    """Send the signed départ; the courriers it answers become « Répondu » (or closed).

    Raises:
        InvalidCourrier: no signed letter is attached.
    """
    departure = _departure(session, actor, courrier_id)
    grants = permissions.grants(session, actor)
    if not (access.is_holder(grants, departure)
            or grants.may("enregistrer_courrier", departure.entity_id)):
        access.require_treating(session, actor, departure, "envoyer")
    workflow.next_status(departure.direction, departure.status, "envoyer", departure.chrono)
    service.attach(session, actor, departure, service.documents_for(session, actor, document_ids),
                   "lettre_signee")
    if not any(a.role == "lettre_signee" for a in departure.attachments):
        raise InvalidCourrier("Joignez la lettre signée avant d'envoyer la réponse.")
    workflow.apply(session, departure, actor, "envoyer")
    for incoming in answered_by(session, departure):
        if incoming.status in workflow.TREATING:
            service.take_charge_if_routed(session, actor, incoming)
            workflow.apply(session, incoming, actor, "repondre", reponse=departure.chrono)
            if rules_for(session, incoming.entity_id).close_on_send:
                workflow.apply(session, incoming, actor, "clore", reponse=departure.chrono)
    return departure

