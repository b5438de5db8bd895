"""Registering courriers, reading them, and the lifecycle actions: close, cancel, reopen.

Every function takes the request's (or job's) Session and the acting user, checks what the
user may do, changes the state, writes the step and its event, and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import permissions
from core.db import utcnow
from core.identity import PRIORITIES, Entity, User, entity_by_code
from courrier import access, chrono, correspondents, workflow
from courrier.calendar import due_date, load_calendar
from courrier.correspondents import CorrespondentInput
from courrier.errors import CourrierNotFound, InvalidCourrier
from courrier.models import (
    ATTACHMENT_ROLES,
    CHANNEL_LABELS,
    CONFIDENTIALITY,
    DIRECTIONS,
    Attachment,
    Courrier,
    CourrierLink,
)

CorrespondentRef = int | CorrespondentInput | None
SUBJECT_MAX = 500


@dataclass
class Registration:
    """What the mail office types (or the API sends) to register a courrier."""

    entity_code: str
    subject: str
    direction: str = "arrivee"
    summary: str = ""
    sender: CorrespondentRef = None
    recipient: CorrespondentRef = None
    received_on: date | None = None
    letter_date: date | None = None
    sender_reference: str = ""
    channel: str = "physique"
    priority: str = "normale"
    confidentiality: str = "normal"
    document_ids: tuple[int, ...] = ()
    # The chrono number of an earlier courrier this one follows up (« suite donnée à »).
    follow_up_of: str = ""


# How a link reads from each of its two ends.
LINK_LABELS = {
    ("reponse", "source"): "En réponse à", ("reponse", "target"): "Réponse",
    ("suite", "source"): "Suite de", ("suite", "target"): "Suivi par",
}


def today() -> date:
    # Lomé is on UTC all year round: the UTC date is the date at the desk.
    return utcnow().date()


def _choice(problems: list[str], value: str, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        possible = ", ".join(allowed)
        problems.append(f"{what} : « {value} » (valeurs possibles : {possible})")


def _check(reg: Registration, on: date) -> None:
    """Refuse the registration with every problem listed, before anything is written."""
    problems: list[str] = []
    if not reg.subject.strip():
        problems.append("l'objet est obligatoire")
    elif len(reg.subject.strip()) > SUBJECT_MAX:
        problems.append(f"l'objet dépasse {SUBJECT_MAX} caractères")
    _choice(problems, reg.direction, DIRECTIONS, "sens inconnu")
    _choice(problems, reg.channel, CHANNEL_LABELS, "canal inconnu")
    _choice(problems, reg.priority, PRIORITIES, "priorité inconnue")
    _choice(problems, reg.confidentiality, CONFIDENTIALITY, "confidentialité inconnue")
    if reg.direction == "arrivee" and reg.sender is None:
        problems.append("l'expéditeur est obligatoire pour un courrier arrivée")
    if reg.direction == "depart" and reg.recipient is None:
        problems.append("le destinataire est obligatoire pour un courrier départ")
    if reg.received_on and reg.received_on > on:
        problems.append("la date de réception ne peut pas être dans le futur")
    if reg.letter_date and reg.letter_date > on:
        problems.append("la date de la lettre ne peut pas être dans le futur")
    if reg.letter_date and reg.received_on and reg.letter_date > reg.received_on:
        problems.append("la lettre ne peut pas être datée d'après sa réception")
    if problems:
        raise InvalidCourrier("Enregistrement refusé : " + " ; ".join(problems) + ".")


def _entity(session: Session, code: str) -> Entity:
    entity = entity_by_code(session, code.strip()) if code else None
    if entity is None or not entity.active:
        raise InvalidCourrier(f"Entité inconnue : « {code} ».")
    return entity


def new_courrier(session: Session, actor: User, entity: Entity, direction: str, on: date,
                  **fields: object) -> Courrier:
    """A courrier with the next chrono number of its entity, direction and year."""
    courrier = Courrier(
        entity=entity, direction=direction, year=on.year,
        registered_by_id=actor.id, status=workflow.INITIAL_STATUS[direction], **fields,
    )
    # The number locks the event log until the commit, for every registration of the
    # instance: take it once the object is built, and keep what follows short.
    courrier.seq = chrono.take_number(session, entity.id, direction, on.year)
    courrier.chrono = chrono.format_chrono(entity.code, direction, on.year, courrier.seq)
    courrier.registered_at = utcnow()
    session.add(courrier)  # flushed with its first step (``workflow.record``)
    return courrier


def register(session: Session, actor: User, reg: Registration) -> Courrier:
    """Register a courrier with its chrono number, due date, scan and first step.

    Raises:
        InvalidCourrier: a field is missing or wrong, the entity or a document is unknown.
        CourrierAccessDenied: the user may not register courriers for the entity.
        CorrespondentNotFound: a correspondent id names nobody.
    """
    on = today()
    _check(reg, on)
    entity = _entity(session, reg.entity_code)
    if not permissions.may(session, actor, "enregistrer_courrier", entity.id):
        raise access.CourrierAccessDenied(
            f"Vous ne pouvez pas enregistrer de courrier pour {entity.code}.",
            entity_id=entity.id, action="enregistrer",
        )
    sender = correspondents.resolve(session, actor, reg.sender)
    recipient = correspondents.resolve(session, actor, reg.recipient)
    documents = documents_for(session, actor, reg.document_ids)
    earlier = by_chrono(session, actor, reg.follow_up_of) if reg.follow_up_of.strip() else None
    received = reg.received_on or (on if reg.direction != "depart" else None)
    due = None
    if reg.direction != "depart":
        due = due_date(session, load_calendar(session), entity, reg.priority, received or on)
    courrier = new_courrier(
        session, actor, entity, reg.direction, on,
        received_on=received, letter_date=reg.letter_date,
        sender_reference=reg.sender_reference.strip(), subject=reg.subject.strip(),
        # The objects, not their ids: the answer shows them, and the session's identity map
        # holds objects weakly, so by then an id alone would cost a SELECT again.
        summary=reg.summary.strip(), sender=sender, recipient=recipient, channel=reg.channel,
        priority=reg.priority, confidentiality=reg.confidentiality, due_on=due,
    )
    workflow.record(session, courrier, actor, "enregistrer", direction=reg.direction)
    attach(session, actor, courrier, documents, "scan" if reg.direction != "depart" else "annexe")
    if earlier is not None:
        session.add(CourrierLink(source=courrier, target=earlier, kind="suite",
                                 created_by_id=actor.id))
        workflow.record(session, earlier, actor, "suite_recue", suite=courrier.chrono)
    return courrier


def documents_for(session: Session, actor: User, ids: Iterable[int]) -> list[int]:
    """The GED documents to attach; each must exist in an entity the user sees."""
    from ged.models import Document

    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found: list[int] = []
    seen = permissions.entities_for(session, actor, "voir")
    for document_id in wanted:
        document = session.get(Document, document_id)
        if document is None or document.entity_id not in seen:
            raise InvalidCourrier(f"Document inconnu dans la GED : n°{document_id}.")
        found.append(document.id)
    return found


def attach(session: Session, actor: User, courrier: Courrier, document_ids: Iterable[int],
           role: str) -> list[Attachment]:
    """Attach GED documents to the courrier (each once), as its scan, signed letter or annex."""
    if role not in ATTACHMENT_ROLES:
        raise InvalidCourrier(f"Rôle de pièce jointe inconnu : {role}.")
    document_ids = list(document_ids)
    if not document_ids:
        return []  # without loading the courrier's pieces: registrations are hot
    present = {a.document_id for a in courrier.attachments}
    added = []
    for document_id in document_ids:
        if document_id in present:
            continue
        attachment = Attachment(document_id=document_id, role=role, added_by_id=actor.id)
        courrier.attachments.append(attachment)
        present.add(document_id)
        added.append(attachment)
        workflow.record(session, courrier, actor, "piece_jointe", document=document_id, role=role)
    return added


def attachable(session: Session, actor: User, courrier_id: int) -> Courrier:
    """The courrier, when the user may add pieces to it: its holder, head or mail office."""
    courrier = get(session, actor, courrier_id)
    if courrier.status in workflow.FINAL:
        raise InvalidCourrier(f"Le courrier {courrier.chrono} est « "
                              f"{workflow.STATUS_LABELS[courrier.status]} » : pièces figées.")
    if not permissions.may(session, actor, "enregistrer_courrier", courrier.entity_id):
        access.require_treating(session, actor, courrier, "piece_jointe")
    return courrier


def add_documents(session: Session, actor: User, courrier_id: int, document_ids: Iterable[int],
                  role: str = "annexe") -> list[Attachment]:
    """Attach GED documents to an existing courrier."""
    courrier = attachable(session, actor, courrier_id)
    return attach(session, actor, courrier, documents_for(session, actor, document_ids), role)


def get(session: Session, actor: User, courrier_id: int) -> Courrier:
    """The courrier, when the user may see it.

    Raises:
        CourrierNotFound: no such courrier.
        CourrierAccessDenied: the user may not see it (its entity or its confidentiality).
    """
    courrier = session.get(Courrier, courrier_id)
    if courrier is None:
        raise CourrierNotFound(f"Courrier introuvable : n°{courrier_id}.")
    access.require_visible(session, actor, courrier)
    return courrier


def by_chrono(session: Session, actor: User, number: str) -> Courrier:
    """The courrier that bears this chrono number, when the user may see it."""
    query = select(Courrier).where(Courrier.chrono == number.strip().upper())
    courrier = session.scalars(query).first()
    if courrier is None:
        raise CourrierNotFound(f"Aucun courrier ne porte le numéro {number}.")
    access.require_visible(session, actor, courrier)
    return courrier


def _require_reason(reason: str, what: str) -> str:
    if not reason.strip():
        raise InvalidCourrier(f"Le motif est obligatoire pour {what}.")
    return reason.strip()


def cancel(session: Session, actor: User, courrier_id: int, reason: str) -> Courrier:
    """Cancel a courrier: it keeps its number and stays in the register, with the reason."""
    courrier = get(session, actor, courrier_id)
    reason = _require_reason(reason, "annuler un courrier")
    access.require(session, actor, "enregistrer_courrier", courrier, "annuler",
                   message="Seul le bureau d'ordre de l'entité peut annuler un courrier.")
    workflow.apply(session, courrier, actor, "annuler", reason)
    courrier.cancel_reason = reason
    return courrier


def close(session: Session, actor: User, courrier_id: int, note: str = "") -> Courrier:
    """Close a courrier that was answered or treated without follow-up (a départ once sent)."""
    courrier = get(session, actor, courrier_id)
    access.require_treating(session, actor, courrier, "clore")
    workflow.apply(session, courrier, actor, "clore", note.strip())
    return courrier


def file_without_reply(session: Session, actor: User, courrier_id: int, note: str) -> Courrier:
    """The holder treats the courrier without a reply (« traité sans suite »), saying why."""
    courrier = get(session, actor, courrier_id)
    access.require_treating(session, actor, courrier, "classer_sans_suite")
    note = _require_reason(note, "classer un courrier sans suite")
    take_charge_if_routed(session, actor, courrier)
    workflow.apply(session, courrier, actor, "classer_sans_suite", note)
    return courrier


def reopen(session: Session, actor: User, courrier_id: int, reason: str) -> Courrier:
    """Put a treated or closed courrier back in treatment, with the reason."""
    courrier = get(session, actor, courrier_id)
    reason = _require_reason(reason, "rouvrir un courrier")
    access.require(session, actor, "imputer", courrier, "rouvrir",
                   (courrier.holder_entity_id,))
    workflow.apply(session, courrier, actor, "rouvrir", reason)
    return courrier


def take_charge_if_routed(session: Session, actor: User, courrier: Courrier) -> None:
    """The holder's first act on a routed courrier is to take it in charge."""
    if courrier.status == "impute":
        workflow.apply(session, courrier, actor, "prendre_en_charge")


def take_charge(session: Session, actor: User, courrier_id: int) -> Courrier:
    courrier = get(session, actor, courrier_id)
    access.require_treating(session, actor, courrier, "prendre_en_charge")
    workflow.apply(session, courrier, actor, "prendre_en_charge")
    return courrier



def links_of(session: Session, courrier: Courrier) -> list[tuple[str, Courrier]]:
    """The courriers linked to this one, each with how the link reads from here."""
    found: list[tuple[str, Courrier]] = []
    for end, mine, other in (("source", CourrierLink.source_id, CourrierLink.target_id),
                             ("target", CourrierLink.target_id, CourrierLink.source_id)):
        rows = session.execute(
            select(CourrierLink.kind, Courrier)
            .join(Courrier, Courrier.id == other)
            .where(mine == courrier.id)
            .order_by(CourrierLink.id)
        )
        found += [(LINK_LABELS[(kind, end)], linked) for kind, linked in rows]
    return found
