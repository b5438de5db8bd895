"""Files of a courrier kept in the GED: storing uploads as documents, reading them back.

A courrier's attachments are reached through the courrier, whose rules say who may see it
(its holder may read a confidential scan that the GED's own rules reserve to the heads).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import permissions
from core.errors import PermissionDenied
from core.identity import User
from courrier import actions, replies, service, workflow
from courrier.errors import InvalidCourrier
from courrier.models import Attachment, Courrier
from courrier.replies import ReplyInput
from ged import access as ged_access
from ged import service as ged
from ged.models import Document
from ged.service import CheckedUpload, Download, Upload


def _writer(session: Session, actor: User, courrier: Courrier) -> User | None:
    """The GED refuses a confidential document to whoever could not read it there; the
    courrier's mail office and holder handle its scan anyway, so the system stores it then
    (the courrier's history says who did)."""
    try:
        ged_access.require_write(session, actor, courrier.entity_id, courrier.confidentiality)
    except PermissionDenied:
        return None
    return actor


def store(session: Session, actor: User, courrier: Courrier,
          uploads: Iterable[Upload | CheckedUpload], role: str) -> list[Attachment]:
    """Store each file as a GED document of the courrier's entity and attach it."""
    uploads = list(uploads)
    if not uploads:
        return []
    writer = _writer(session, actor, courrier)
    document_ids = []
    for upload in uploads:
        document = ged.add_document(
            session, writer, upload, courrier.entity,
            title=f"{courrier.chrono} — {courrier.subject}"[:300], doc_type="courrier",
            confidentiality=courrier.confidentiality, extra={"courrier": courrier.chrono},
        )
        document_ids.append(document.id)
    return service.attach(session, actor, courrier, document_ids, role)


def download(session: Session, actor: User, courrier_id: int, document_id: int,
             variant: str = "original") -> Download:
    """A file attached to a courrier the user may see."""
    courrier = service.get(session, actor, courrier_id)
    if document_id not in {a.document_id for a in courrier.attachments}:
        raise InvalidCourrier("Cette pièce n'est pas jointe à ce courrier.")
    document = session.get(Document, document_id)
    reader = actor if document and ged_access.may_read(session, actor, document) else None
    if reader is None and variant != "vignette":
        workflow.record(session, courrier, actor, "piece_consultee", document=document_id)
    return ged.download(session, reader, document_id, None, variant)


# Documents waiting to be registered as courriers: what the scanner's hot folder (and the
# GED's upload form) files under this type.
INTAKE_TYPE = "scan"


def register_with_files(session: Session, actor: User, reg: service.Registration,
                        uploads: Iterable[Upload]) -> Courrier:
    """Register the courrier and store its uploaded scan(s) in the same transaction.

    The files are copied and checked before the chrono number is taken (see
    ``ged.service.checked_uploads``): a bad file is refused without holding anyone up.
    """
    with ged.checked_uploads(session, uploads) as files:
        courrier = service.register(session, actor, reg)
        role = "annexe" if courrier.direction == "depart" else "scan"
        store(session, actor, courrier, files, role)
    return courrier


def waiting(session: Session, actor: User, limit: int = 50) -> list[Document]:
    """Scans in the intake queue of the user's entities, attached to no courrier yet."""
    entities = permissions.entities_for(session, actor, "enregistrer_courrier")
    if not entities:
        return []
    attached = select(Attachment.document_id)
    query = (
        select(Document)
        .where(Document.entity_id.in_(entities), Document.doc_type == INTAKE_TYPE,
               Document.id.notin_(attached), ged_access.readable_clause(session, actor))
        .order_by(Document.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def reply_with_files(session: Session, actor: User, courrier_id: int, data: ReplyInput,
                     uploads: Iterable[Upload]) -> Courrier:
    """Draw up the reply and store its uploaded draft (or signed letter) with it."""
    with ged.checked_uploads(session, uploads) as files:
        departure = replies.reply(session, actor, courrier_id, data)
        store(session, actor, departure, files, "lettre_signee" if data.signed else "projet")
    return departure


def perform_with_files(session: Session, actor: User, courrier_id: int, action: str, note: str,
                       document_ids: tuple[int, ...], uploads: Iterable[Upload]) -> Courrier:
    """Run a named action; files sent with it are the signed letter (to sign or send)."""
    uploads = list(uploads)
    if uploads:
        store(session, actor, service.attachable(session, actor, courrier_id), uploads,
              "lettre_signee")
    return actions.perform(session, actor, courrier_id, action, note, document_ids)
