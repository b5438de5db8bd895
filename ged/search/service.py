"""Search as the pages, the API and the command line use it: index, reindex, query."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import Entity, User
from core.runtime import runtime_of
from courrier.models import Courrier
from ged import access
from ged.models import Document
from ged.search import mark_indexed, pending
from ged.search.courriers import all_courrier_ids, attaching, courrier_entries, user_readers
from ged.search.query import parse
from ged.search.records import document_entries
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


ENTRIES: dict[str, Callable[[Session, list[int]], list[Entry]]] = {
    "document": document_entries, "courrier": courrier_entries}


def index_records(session: Session, backend: Backend, kind: str, record_ids: list[int]) -> None:
    """Write the records to the index, or take them out of it when they are gone."""
    if not record_ids:
        return
    entries = ENTRIES[kind](session, record_ids)
    backend.upsert(session, entries)
    gone = sorted(set(record_ids) - {entry.record_id for entry in entries})
    if gone:
        backend.remove(session, kind, gone)


def index_documents(session: Session, backend: Backend, document_ids: list[int],
                    courrier_ids: Iterable[int] = ()) -> None:
    """Write the documents to the index with the courriers carrying them (their text changed),
    and ``courrier_ids`` in the same pass."""
    index_records(session, backend, "document", document_ids)
    carrying = attaching(session, document_ids) if document_ids else []
    index_courriers(session, backend, sorted({*carrying, *courrier_ids}))


def index_courriers(session: Session, backend: Backend, courrier_ids: list[int]) -> None:
    index_records(session, backend, "courrier", courrier_ids)


def index_pending(session: Session, backend: Backend, limit: int = BATCH) -> int:
    """Index one batch of the waiting documents and one of the waiting courriers (with the
    courriers carrying those documents); returns how many were taken."""
    documents, courriers = pending(session, Document, limit), pending(session, Courrier, limit)
    index_documents(session, backend, list(documents), courriers)
    for model, taken in ((Document, documents), (Courrier, courriers)):
        for record_id, requested_at in taken.items():
            mark_indexed(session, model, record_id, requested_at)
    return len(documents) + len(courriers)


def all_document_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Document.id).order_by(Document.id)))


def record_count(session: Session) -> int:
    """How many records ``reindex`` reads: every document and courrier."""
    return len(all_document_ids(session)) + len(all_courrier_ids(session))


def reindex(session: Session, backend: Backend, progress: Callable[[int], None] = lambda _: None
            ) -> int:
    """Rebuild the index from every document and courrier, in batches; returns how many."""
    ids = {"document": all_document_ids(session), "courrier": all_courrier_ids(session)}

    def batches() -> Iterator[list[Entry]]:
        for kind, kind_ids in ids.items():
            for start in range(0, len(kind_ids), BATCH):
                batch = kind_ids[start:start + BATCH]
                yield ENTRIES[kind](session, batch)
                progress(len(batch))

    backend.rebuild(session, batches())
    return sum(len(kind_ids) for kind_ids in ids.values())


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
