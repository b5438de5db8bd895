"""The hand-off from the GED to search: which documents wait for indexing, and their text.

When a current version's text is ready, the extraction job calls ``index_document``; the
document is then marked ``a_indexer``. The search layer (the database's full-text index or
Elasticsearch, per ``ATD_SEARCH``) takes the waiting documents from ``pending``, reads
``indexable_text`` and calls ``mark_indexed``. The pipeline never waits for the index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from ged.models import Document, DocumentVersion


def index_document(session: Session, document_id: int) -> None:
    """Ask for the document to be (re)indexed, in the caller's transaction."""
    document = session.get(Document, document_id)
    if document is None:
        return
    document.index_status = "a_indexer"
    document.index_requested_at = utcnow()


def pending(session: Session, limit: int = 100) -> list[int]:
    """Ids of the documents waiting for the index, oldest request first."""
    return list(session.scalars(
        select(Document.id).where(Document.index_status == "a_indexer")
        .order_by(Document.index_requested_at, Document.id).limit(limit)
    ))


def indexable_text(session: Session, document_id: int) -> str:
    """The text of the document's current version, pages separated by a form feed."""
    version = session.scalars(
        select(DocumentVersion).join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.id == document_id, DocumentVersion.number == Document.current_number)
    ).first()
    return version.text if version is not None else ""


def mark_indexed(session: Session, document_id: int, requested_at: datetime | None) -> bool:
    """Record that the text asked for at ``requested_at`` is indexed.

    Returns False (and leaves the document waiting) when a newer request came in meanwhile.
    """
    document = session.get(Document, document_id)
    if document is None or document.index_requested_at != requested_at:
        return False
    document.index_status = "indexe"
    document.indexed_at = utcnow()
    return True
