"""The hand-off from the GED to search: which documents wait for indexing, and their text.

When a current version's text is ready, the extraction job calls ``index_document``; the
document is then marked ``a_indexer``. The search layer (the database's full-text index or
Elasticsearch, per ``ATD_SEARCH``) takes the waiting documents from ``pending``, reads
``indexable_text`` and calls ``mark_indexed``, in the job ``index_document`` queues after
the caller's commit (``ged.search.jobs``). The pipeline never waits for the index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.jobs import enqueue
from ged.models import Document, DocumentVersion

INDEX_JOB = "ged.search.jobs.index_pending"
# What courrier code enqueues (by name: courrier/ need not import the search) when it changes.
INDEX_COURRIER_JOB = "ged.search.jobs.index_courrier"


def index_document(session: Session, document_id: int) -> None:
    """Ask for the document to be (re)indexed, in the caller's transaction."""
    document = session.get(Document, document_id)
    if document is None:
        return
    document.index_status = "a_indexer"
    document.index_requested_at = utcnow()
    # Runs once the caller's transaction has committed; it takes every waiting document.
    enqueue(session, INDEX_JOB)


def pending(session: Session, limit: int = 100) -> list[int]:
    """Ids of the documents waiting for the index, oldest request first.

    On PostgreSQL the rows stay locked until the caller commits and other jobs skip them, so
    two jobs never index the same document at once (SQLite has one writer anyway).
    """
    return list(session.scalars(
        select(Document.id).where(Document.index_status == "a_indexer")
        .order_by(Document.index_requested_at, Document.id).limit(limit)
        .with_for_update(skip_locked=True)
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
