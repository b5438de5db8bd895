"""The records the index holds, as entries: GED documents (courriers to come the same way)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ged.models import Document
from ged.search import indexable_text
from ged.search.types import Entry


def document_entry(session: Session, document_id: int) -> Entry | None:
    """The document as the index should hold it; None when it no longer exists."""
    document = session.get(Document, document_id)
    if document is None:
        return None
    # What people remember besides the text: the author, the filing, the references.
    extra = [str(value) for value in (document.extra or {}).values() if value]
    meta = [document.author, document.classification, *extra]
    body = "\n".join([*(part for part in meta if part), indexable_text(session, document_id)])
    day = document.document_date or document.created_at.date()
    return Entry(
        kind="document", record_id=document.id, entity_id=document.entity_id,
        confidentiality=document.confidentiality, title=document.title, body=body,
        doc_type=document.doc_type, tags=tuple(document.tags or ()), record_date=day,
    )


def document_entries(session: Session, document_ids: list[int]) -> list[Entry]:
    """The documents as the index should hold them (those that still exist)."""
    return [entry for entry in (document_entry(session, i) for i in document_ids) if entry]
