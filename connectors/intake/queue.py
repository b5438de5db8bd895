"""The mail office's intake queue: scans and e-mails waiting, registered as courriers or discarded.

Only the mail office of the item's entity handles it. An item is claimed by a conditional
update before anything else, so two clerks pressing the key at the same moment never make two
courriers of one letter: the second is told it was handled.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from connectors.errors import IntakeItemHandled, IntakeItemNotFound, InvalidIntakeAction
from connectors.intake.models import IntakeItem
from core import audit, permissions
from core.db import utcnow
from core.identity import User
from courrier import service as courriers
from courrier.correspondents import CorrespondentInput
from courrier.models import Attachment, Courrier
from ged import service as ged

ACTION = "enregistrer_courrier"
QUEUE_LIMIT = 200
SUMMARY_MAX = 2000
# Discarded scans leave the courrier form's list of waiting scans (``courrier.scans``).
DISCARDED_SCAN_TYPE = "scan_ecarte"


def waiting(session: Session, actor: User, limit: int = QUEUE_LIMIT) -> list[IntakeItem]:
    """Items waiting in the entities where the user registers courriers, oldest first."""
    entities = permissions.entities_for(session, actor, ACTION)
    if not entities:
        return []
    found = list(session.scalars(
        select(IntakeItem)
        .where(IntakeItem.status == "en_attente", IntakeItem.entity_id.in_(entities))
        .options(selectinload(IntakeItem.entity))
        .order_by(IntakeItem.received_at, IntakeItem.id)
        .limit(limit)
    ))
    # A scan picked straight from the courrier form is registered already: not waiting.
    documents = {d for item in found for d in item.document_ids}
    attached = set(session.scalars(
        select(Attachment.document_id).where(Attachment.document_id.in_(documents))
    )) if documents else set()
    return [i for i in found if not (i.document_ids and set(i.document_ids) <= attached)]


def get(session: Session, actor: User, item_id: int) -> IntakeItem:
    """The item, when the user is of its entity's mail office (else not found)."""
    item = session.get(IntakeItem, item_id)
    if item is None or not permissions.may(session, actor, ACTION, item.entity_id):
        raise IntakeItemNotFound(f"Arrivée introuvable : n°{item_id}.")
    return item


def next_waiting(session: Session, actor: User) -> IntakeItem | None:
    found = waiting(session, actor, limit=1)
    return found[0] if found else None


def prefill(item: IntakeItem) -> dict[str, str]:
    """The registration form's fields as the item already tells them."""
    values = {"entite": item.entity.code, "sens": "arrivee",
              "date_reception": item.received_at.date().isoformat()}
    if item.source == "courriel":
        sent = str(item.details.get("envoye_le") or "")[:10]
        values.update(canal="email", objet=item.title, resume=item.body[:SUMMARY_MAX],
                      expediteur=item.sender_name or item.sender_email,
                      expediteur_type="personne", date_lettre=sent)
    else:
        values.update(canal="physique", expediteur_type="organisation")
    return values


def _claim(session: Session, actor: User, item: IntakeItem, status: str) -> None:
    claimed = session.execute(
        update(IntakeItem)
        .where(IntakeItem.id == item.id, IntakeItem.status == "en_attente")
        .values(status=status, handled_at=utcnow(), handled_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise IntakeItemHandled("Cette arrivée a déjà été traitée (enregistrée ou écartée).")
    session.refresh(item)


def _with_email(sender: courriers.CorrespondentRef, item: IntakeItem
                ) -> courriers.CorrespondentRef:
    """A correspondent typed from an e-mail keeps the address it wrote from."""
    if isinstance(sender, CorrespondentInput) and not sender.email and item.sender_email:
        return replace(sender, email=item.sender_email)
    return sender


def register(session: Session, actor: User, item_id: int,
             reg: courriers.Registration) -> Courrier:
    """Register the item as a courrier with its files attached; the item is done.

    Raises:
        IntakeItemNotFound, IntakeItemHandled: not the user's, or handled already.
        InvalidCourrier, CourrierAccessDenied: the registration itself is refused.
    """
    item = get(session, actor, item_id)
    _claim(session, actor, item, "enregistre")
    courrier = courriers.register(session, actor, replace(
        reg, document_ids=tuple(item.document_ids), sender=_with_email(reg.sender, item)))
    item.courrier_id = courrier.id
    audit.record(session, actor, "intake.enregistre", "intake_item", item.id, item.entity_id,
                 {"courrier": courrier.chrono, "source": item.source})
    return courrier


def discard(session: Session, actor: User, item_id: int, reason: str) -> IntakeItem:
    """Discard the item (spam, duplicate, not for this ministry), saying why."""
    if not reason.strip():
        raise InvalidIntakeAction("Le motif est obligatoire pour écarter une arrivée.")
    item = get(session, actor, item_id)
    _claim(session, actor, item, "ecarte")
    item.details = {**item.details, "motif": reason.strip()}
    if item.source == "scanner":
        for document_id in item.document_ids:
            ged.update_metadata(session, actor, document_id, doc_type=DISCARDED_SCAN_TYPE)
    audit.record(session, actor, "intake.ecarte", "intake_item", item.id, item.entity_id,
                 {"motif": reason.strip(), "source": item.source})
    return item

