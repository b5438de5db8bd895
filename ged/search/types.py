"""What goes in and out of every backend: entries, filters, the reader's access, results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from ged.search.french import fold
from ged.search.query import Query

FACETS = ("entity", "doc_type", "year")


@dataclass(frozen=True)
class Entry:
    """A record as the index receives it."""

    kind: str
    record_id: int
    entity_id: int
    confidentiality: str
    title: str
    body: str
    doc_type: str = ""
    tags: tuple[str, ...] = ()
    status: str = ""
    record_date: date | None = None
    # Who may read a record whose rights are not (kind, level, entity): courriers' readers.
    readers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the search to; every field is optional."""

    entity_ids: frozenset[int] | None = None
    kind: str | None = None
    doc_type: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True)
class Access:
    """What the reader may read: per kind and confidentiality level, the entities allowed.

    ``everything`` is the command line's operator. The backends turn this into a clause of
    the query itself, so totals and facets never count what the reader may not see.
    """

    grants: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    everything: bool = False
    # The reader's tokens, matched against the ``readers`` of courriers (ged.search.courriers).
    readers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hit:
    """One record found; ``snippet`` is HTML-safe, the matched words inside ``<mark>``."""

    kind: str
    record_id: int
    title: str
    entity_id: int
    record_date: date | None
    score: float
    snippet: str


@dataclass(frozen=True)
class Results:
    """A page of hits, the total, and the counts per entity, type and year."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str | int, int]]]


class Backend(Protocol):
    """A search engine behind ``ATD_SEARCH``; every one passes tests/ged/search's suite."""

    name: str

    def upsert(self, session: Session, entries: list[Entry]) -> None: ...

    def remove(self, session: Session, kind: str, record_ids: list[int]) -> None: ...

    def clear(self, session: Session) -> None: ...

    def rebuild(self, session: Session, batches: Iterable[list[Entry]]) -> None:
        """Replace the whole index; searches see the old one until the new one is complete."""

    def search(self, session: Session, query: Query, filters: Filters, access: Access,
               page: int, per_page: int) -> Results: ...


def fold_tag(tag: str) -> str:
    return fold(tag.strip())


def empty_results() -> Results:
    return Results(0, [], {name: [] for name in FACETS})
