"""The GED documents as the index holds them (courriers: ged.search.courriers)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ged.models import Document
from ged.search import indexable_texts
from ged.search.types import Entry


def document_entries(session: Session, document_ids: list[int]) -> list[Entry]:
    """The documents as the index should hold them (those that still exist), read in two
    queries for the whole batch."""
    documents = session.scalars(select(Document).where(Document.id.in_(document_ids)))
    texts = indexable_texts(session, document_ids)
    return [_entry(document, texts.get(document.id, "")) for document in documents]


def _entry(document: Document, text: str) -> Entry:
    # What people remember besides the text: the author, the filing, the references.
    extra = [str(value) for value in (document.extra or {}).values() if value]
    meta = [document.author, document.classification, *extra]
    body = "\n".join([*(part for part in meta if part), text])
    day = document.document_date or document.created_at.date()
    return Entry(
        kind="document", record_id=document.id, entity_id=document.entity_id,
        confidentiality=document.confidentiality, title=document.title, body=body,
        doc_type=document.doc_type, tags=tuple(document.tags or ()), record_date=day,
    )
