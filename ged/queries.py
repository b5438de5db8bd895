"""Reading the GED for lists and progress: filters, pagination, and what the pages poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from core import permissions
from core.identity import User
from ged import access
from ged.models import Document, DocumentVersion

PAGE_SIZE = 25


@dataclass(frozen=True)
class Filters:
    """What a list can be narrowed by; every field is optional."""

    entity_id: int | None = None
    doc_type: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None


@dataclass(frozen=True)
class ResultPage:
    documents: list[Document]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def list_documents(session: Session, user: User | None, filters: Filters, page: int = 1,
                   size: int = PAGE_SIZE) -> ResultPage:
    """The documents the user may read, newest first, narrowed by the filters."""
    current = and_(DocumentVersion.document_id == Document.id,
                   DocumentVersion.number == Document.current_number)
    query = (select(Document).join(DocumentVersion, current)
             .where(access.readable_clause(session, user)))
    if filters.entity_id is not None:
        query = query.where(Document.entity_id.in_(permissions.subtree(session, filters.entity_id)))
    if filters.doc_type:
        query = query.where(Document.doc_type == filters.doc_type)
    if filters.status:
        query = query.where(DocumentVersion.status == filters.status)
    if filters.since:
        query = query.where(Document.created_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(Document.created_at < _day_start(filters.until + timedelta(days=1)))
    if filters.text:
        query = query.where(func.lower(Document.title).contains(filters.text.lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(
        query.options(selectinload(Document.versions), selectinload(Document.entity))
        .order_by(Document.created_at.desc(), Document.id.desc())
        .offset((page - 1) * size).limit(size)
    ).all()
    return ResultPage(list(rows), total, page, size)


def document_types(session: Session, user: User | None) -> list[str]:
    """The document types in use among the readable documents (for the filter's choices)."""
    rows = session.scalars(
        select(Document.doc_type)
        .where(access.readable_clause(session, user), Document.doc_type != "")
        .distinct().order_by(Document.doc_type)
    )
    return list(rows)
