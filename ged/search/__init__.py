"""The hand-off from the GED and the courrier to search: what waits for indexing, and its text.

A change that the index must follow (a document's text ready, a courrier registered or moved)
calls ``request_index`` in the caller's transaction: the record is marked ``a_indexer`` and
the one job ``INDEX_JOB`` is queued after the commit. The search layer (the database's
full-text index or Elasticsearch, per ``ATD_SEARCH``) takes the waiting records from
``pending`` in batches, reads them and calls ``mark_indexed`` (``ged.search.jobs``). The
pipeline never waits for the index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core.db import utcnow
from core.jobs import enqueue
from courrier.models import Courrier
from ged.models import Document, DocumentVersion, Page

INDEX_JOB = "ged.search.jobs.index_pending"

Indexed = Document | Courrier


def request_index(session: Session, record: Indexed) -> None:
    """Ask for the record to be (re)indexed, in the caller's transaction."""
    record.index_status = "a_indexer"
    # Written even when the loaded value says so already: the row may be indexed since then.
    flag_modified(record, "index_status")
    record.index_requested_at = utcnow()
    # Runs once the caller's transaction has committed; it takes every waiting record.
    enqueue(session, INDEX_JOB)


def index_document(session: Session, document_id: int) -> None:
    """Ask for the document to be (re)indexed, in the caller's transaction."""
    document = session.get(Document, document_id)
    if document is not None:
        request_index(session, document)


def pending(session: Session, model: type[Indexed], limit: int = 100) -> dict[int, datetime | None]:
    """The records of ``model`` waiting for the index, oldest request first: when each was asked.

    On PostgreSQL the rows stay locked until the caller commits and other jobs skip them, so
    two jobs never index the same record at once (SQLite has one writer anyway).
    """
    return dict(session.execute(
        select(model.id, model.index_requested_at).where(model.index_status == "a_indexer")
        .order_by(model.index_requested_at, model.id).limit(limit)
        # NO KEY UPDATE: steps and imputations referencing a locked courrier are not held up.
        .with_for_update(skip_locked=True, key_share=True)
    ).all())


def indexable_texts(session: Session, document_ids: Iterable[int]) -> dict[int, str]:
    """The text of each document's current version, pages separated by a form feed."""
    ids = set(document_ids)
    if not ids:
        return {}
    pages = session.execute(
        select(Document.id, Page.text)
        .join(DocumentVersion, (DocumentVersion.document_id == Document.id)
              & (DocumentVersion.number == Document.current_number))
        .join(Page, Page.version_id == DocumentVersion.id)
        .where(Document.id.in_(ids)).order_by(Document.id, Page.number)
    )
    texts: dict[int, list[str]] = defaultdict(list)
    for document_id, text in pages:
        texts[document_id].append(text)
    return {document_id: "\f".join(parts) for document_id, parts in texts.items()}


def indexable_text(session: Session, document_id: int) -> str:
    return indexable_texts(session, [document_id]).get(document_id, "")


def mark_indexed(session: Session, model: type[Indexed], record_id: int,
                 requested_at: datetime | None) -> bool:
    """Record that the record as asked for at ``requested_at`` is indexed.

    Returns False (and leaves the record waiting) when a newer request came in meanwhile.
    One UPDATE that compares and sets; ``updated_at`` is kept, indexing changes nothing a
    reader sees as a change of the record.
    """
    result = session.execute(
        update(model)
        .where(model.id == record_id, model.index_requested_at == requested_at)
        .values(index_status="indexe", indexed_at=utcnow(), updated_at=model.updated_at)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1
