"""Search as the pages, the API and the command line use it: index, reindex, query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import Entity, User
from core.runtime import runtime_of
from ged import access
from ged.models import Document
from ged.search import mark_indexed, pending
from ged.search.courriers import all_courrier_ids, attaching, courrier_entry, user_readers
from ged.search.query import parse
from ged.search.records import document_entry
from ged.search.types import Access, Backend, Entry, Filters, Results

PER_PAGE = 10
BATCH = 200


def backend_for(session: Session, name: str | None = None) -> Backend:
    """The backend of ``ATD_SEARCH`` (or ``name``): the database's own, or Elasticsearch."""
    settings = runtime_of(session).settings
    if (name or settings.search) == "elasticsearch":
        from ged.search.backends.elastic import elastic_backend

        return elastic_backend(settings.elasticsearch_url)
    if session.get_bind().dialect.name == "postgresql":
        from ged.search.backends.postgres_fts import PostgresFtsBackend

        return PostgresFtsBackend()
    from ged.search.backends.sqlite_fts import SqliteFtsBackend

    return SqliteFtsBackend()


def access_of(session: Session, user: User | None) -> Access:
    """What ``user`` may read, for the query's permission clause (None reads everything)."""
    if user is None:
        return Access(everything=True)
    levels = access.readable_entities(session, user)
    return Access({"document": {level: frozenset(ids) for level, ids in levels.items()}},
                  readers=user_readers(session, user))


ENTRIES: dict[str, Callable[[Session, int], Entry | None]] = {
    "document": document_entry, "courrier": courrier_entry}


def index_records(session: Session, backend: Backend, kind: str, record_ids: list[int]) -> None:
    """Write the records to the index, or take them out of it when they are gone."""
    entries, gone = [], []
    for record_id in record_ids:
        entry = ENTRIES[kind](session, record_id)
        if entry is None:
            gone.append(record_id)
        else:
            entries.append(entry)
    backend.upsert(session, entries)
    if gone:
        backend.remove(session, kind, gone)


def index_documents(session: Session, backend: Backend, document_ids: list[int]) -> None:
    """Write the documents to the index, and the courriers carrying them (their text changed)."""
    index_records(session, backend, "document", document_ids)
    if document_ids:
        index_records(session, backend, "courrier", attaching(session, document_ids))


def index_courriers(session: Session, backend: Backend, courrier_ids: list[int]) -> None:
    index_records(session, backend, "courrier", courrier_ids)


def index_pending(session: Session, backend: Backend, limit: int = BATCH) -> int:
    """Index one batch of the waiting documents; returns how many were taken."""
    ids = pending(session, limit)
    requested = {i: at for i, at in session.execute(
        select(Document.id, Document.index_requested_at).where(Document.id.in_(ids)))}
    index_documents(session, backend, ids)
    for document_id in ids:
        mark_indexed(session, document_id, requested.get(document_id))
    return len(ids)


def all_document_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Document.id).order_by(Document.id)))


def record_count(session: Session) -> int:
    """How many records ``reindex`` reads: every document and courrier."""
    return len(all_document_ids(session)) + len(all_courrier_ids(session))


def reindex(session: Session, backend: Backend, progress: Callable[[int], None] = lambda _: None
            ) -> int:
    """Rebuild the index from every document and courrier, in batches; returns how many."""
    ids = [("document", i) for i in all_document_ids(session)]
    ids += [("courrier", i) for i in all_courrier_ids(session)]

    def batches() -> Iterator[list[Entry]]:
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            yield [e for e in (ENTRIES[kind](session, i) for kind, i in batch) if e is not None]
            progress(len(batch))

    backend.rebuild(session, batches())
    return len(ids)


@dataclass(frozen=True)
class Found:
    """A page of results with what the page needs to show it."""

    text: str
    page: int
    per_page: int
    results: Results
    entity_codes: dict[int, str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.results.total // self.per_page))


def search(session: Session, user: User | None, text: str, filters: Filters | None = None,
           page: int = 1, per_page: int = PER_PAGE) -> Found:
    """Search what ``user`` may read; permissions are a clause of the engine's own query."""
    backend = backend_for(session)
    results = backend.search(session, parse(text), filters or Filters(), access_of(session, user),
                             max(page, 1), per_page)
    ids = {hit.entity_id for hit in results.hits} | {
        value for value, _ in results.facets.get("entity", []) if isinstance(value, int)}
    codes = dict(session.execute(select(Entity.id, Entity.code).where(Entity.id.in_(ids))).all())
    return Found(text, max(page, 1), per_page, results, codes)
