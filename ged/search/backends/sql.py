"""What the two database backends share: the entry rows, filters, permissions, facets, pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable, FromClause

from core.db import utcnow
from ged.search.models import SearchEntry, SearchReader
from ged.search.query import Query
from ged.search.snippet import highlight
from ged.search.types import (
    FACETS,
    Access,
    Entry,
    Filters,
    Hit,
    Results,
    empty_results,
    fold_tag,
)


def access_clause(access: Access) -> ColumnElement[bool]:
    """The reader's rights as a WHERE clause: (kind, level, entity) triples, reader tokens."""
    if access.everything:
        return true()
    parts = [
        and_(SearchEntry.kind == kind, SearchEntry.confidentiality == level,
             SearchEntry.entity_id.in_(sorted(entities)))
        for kind, levels in access.grants.items()
        for level, entities in levels.items() if entities
    ]
    if access.readers:
        # An IN on the small readers table, answered by its (reader, entry_id) index.
        parts.append(SearchEntry.id.in_(select(SearchReader.entry_id).where(
            SearchReader.reader.in_(sorted(access.readers)))))
    return or_(*parts) if parts else false()


def filter_clauses(filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.entity_ids is not None:
        clauses.append(SearchEntry.entity_id.in_(sorted(filters.entity_ids)))
    if filters.kind:
        clauses.append(SearchEntry.kind == filters.kind)
    if filters.doc_type:
        clauses.append(SearchEntry.doc_type == filters.doc_type)
    if filters.status:
        clauses.append(SearchEntry.status == filters.status)
    if filters.date_from:
        clauses.append(SearchEntry.record_date >= filters.date_from)
    if filters.date_to:
        clauses.append(SearchEntry.record_date <= filters.date_to)
    clauses.extend(SearchEntry.tags.contains(f"|{fold_tag(tag)}|", autoescape=True)
                   for tag in filters.tags)
    return clauses


def row_values(entry: Entry) -> dict[str, Any]:
    tags = "|" + "".join(f"{fold_tag(tag)}|" for tag in entry.tags if tag.strip())
    return {
        "kind": entry.kind, "record_id": entry.record_id, "entity_id": entry.entity_id,
        "confidentiality": entry.confidentiality, "doc_type": entry.doc_type, "tags": tags,
        "status": entry.status, "record_date": entry.record_date,
        "year": entry.record_date.year if entry.record_date else None,
        "title": entry.title[:500], "body": entry.body, "indexed_at": utcnow(),
    }


# Above this many matches, only this many are ranked (see ``_window``).
RANK_WINDOW = 200
NEWEST = (SearchEntry.record_date.desc().nulls_last(), SearchEntry.id.desc())


class SqlBackend:
    """A backend in the application's own database; subclasses hold the full-text part."""

    name = "db"

    def upsert(self, session: Session, entries: list[Entry]) -> None:
        if not entries:
            return
        latest = self._write_rows(session, entries)
        self._store_readers(session, latest)
        self._store_text(session, list(latest.items()))

    def _write_rows(self, session: Session, entries: list[Entry]) -> dict[int, Entry]:
        """Insert or update each record's row; returns row id → entry (the last entry of a
        record given twice wins, as its row's values did)."""
        found = {(row.kind, row.record_id): row for row in session.scalars(
            select(SearchEntry).where(
                tuple_(SearchEntry.kind, SearchEntry.record_id).in_(
                    [(entry.kind, entry.record_id) for entry in entries])))}
        rows = []
        for entry in entries:
            row = found.get((entry.kind, entry.record_id))
            if row is None:
                row = found[(entry.kind, entry.record_id)] = SearchEntry()
                session.add(row)
            for key, value in row_values(entry).items():
                setattr(row, key, value)
            rows.append(row)
        session.flush()
        return {row.id: entry for row, entry in zip(rows, entries, strict=True)}

    @staticmethod
    def _store_readers(session: Session, latest: dict[int, Entry]) -> None:
        session.execute(delete(SearchReader).where(SearchReader.entry_id.in_(list(latest))))
        rows = [{"entry_id": entry_id, "reader": reader}
                for entry_id, entry in latest.items() for reader in set(entry.readers)]
        if rows:
            session.execute(insert(SearchReader), rows)

    def remove(self, session: Session, kind: str, record_ids: list[int]) -> None:
        ids = list(session.scalars(select(SearchEntry.id).where(
            SearchEntry.kind == kind, SearchEntry.record_id.in_(record_ids))))
        if ids:
            self._drop_text(session, ids)
            # SQLite only cascades with foreign keys on: delete the readers explicitly.
            session.execute(delete(SearchReader).where(SearchReader.entry_id.in_(ids)))
            session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))

    def clear(self, session: Session) -> None:
        self._clear_text(session)
        session.execute(delete(SearchReader))
        session.execute(delete(SearchEntry))

    def rebuild(self, session: Session, batches: Iterable[list[Entry]]) -> None:
        # One transaction: readers keep the old index (MVCC, SQLite's WAL) until the commit.
        self.clear(session)
        for entries in batches:
            self.upsert(session, entries)

    def search(self, session: Session, query: Query, filters: Filters, access: Access,
               page: int, per_page: int) -> Results:
        if query.empty:
            return empty_results()
        source, where, score = self.matching(query, filters, access)
        total, facets = self._facets(session, source, where)
        if total == 0:
            return Results(0, [], facets)
        offset = (max(page, 1) - 1) * per_page
        title_hit = self._title_hit(query) if total > RANK_WINDOW else None
        window = None if title_hit is None else self._window(
            session, source, where, title_hit, max(RANK_WINDOW, offset + per_page))
        rows = session.execute(self._page(source, where, score, offset, per_page, window)).all()
        snippets = self._snippets(session, [row.id for row in rows], query)
        hits = [Hit(row.kind, row.record_id, row.title, row.entity_id, row.record_date,
                    float(row.score), snippets.get(row.id, "")) for row in rows]
        return Results(total, hits, facets)

    def matching(self, query: Query, filters: Filters, access: Access
                 ) -> tuple[FromClause, ColumnElement[bool], ColumnElement[float]]:
        """The rows a search reads, the condition of those the reader may see among the
        matches, and their score."""
        source, match, score = self._matched(query)
        return source, and_(match, access_clause(access), *filter_clauses(filters)), score

    @staticmethod
    def _facets(session: Session, source: FromClause, where: ColumnElement[bool]
                ) -> tuple[int, dict[str, list[tuple[str | int, int]]]]:
        # One grouped query gives the total and the three facets (no GROUPING SETS on SQLite).
        groups = session.execute(
            select(SearchEntry.entity_id, SearchEntry.doc_type, SearchEntry.year, func.count())
            .select_from(source).where(where)
            .group_by(SearchEntry.entity_id, SearchEntry.doc_type, SearchEntry.year)
        ).all()
        counters: dict[str, Counter[Any]] = {name: Counter() for name in FACETS}
        for entity_id, doc_type, year, count in groups:
            for name, value in zip(FACETS, (entity_id, doc_type, year), strict=True):
                if value not in (None, ""):
                    counters[name][value] += count
        facets = {name: counter.most_common() for name, counter in counters.items()}
        return sum(row[3] for row in groups), facets

    @staticmethod
    def _window(session: Session, source: FromClause, where: ColumnElement[bool],
                title_hit: ColumnElement[bool], size: int) -> list[int]:
        """The ``size`` matches a reader scans first: those whose title matches, then the rest,
        newest first in each part.

        Two LIMIT queries on the (record_date, id) index rather than one sort of every match
        by title, which read each match's title vector: a tenth of the time on broad queries.
        The title test comes first in the WHERE, as it is the cheaper one (in the row).
        """
        def newest(*conditions: ColumnElement[bool]) -> list[int]:
            return list(session.scalars(select(SearchEntry.id).select_from(source)
                                        .where(*conditions).order_by(*NEWEST).limit(size)))

        titled = newest(title_hit, where)
        if len(titled) == size:
            return titled
        chosen = set(titled)
        # The newest ``size`` matches hold at least the ``size - len(titled)`` missing ones.
        return titled + [i for i in newest(where) if i not in chosen][:size - len(titled)]

    @staticmethod
    def _page(source: FromClause, where: ColumnElement[bool], score: ColumnElement[float],
              offset: int, per_page: int, window: list[int] | None = None) -> Executable:
        """The page of hits by score; only among ``window`` when too many match to rank them
        all (each rank reads the record's whole vector)."""
        ranked = select(SearchEntry.id, SearchEntry.kind, SearchEntry.record_id,
                        SearchEntry.title, SearchEntry.entity_id, SearchEntry.record_date,
                        score.label("score")).order_by(score.desc(), *NEWEST)
        if window is None:
            return ranked.select_from(source).where(where).offset(offset).limit(per_page)
        return ranked.where(SearchEntry.id.in_(window)).offset(offset).limit(per_page)

    # The full-text part, per database.
    def _store_text(self, session: Session, rows: list[tuple[int, Entry]]) -> None:
        raise NotImplementedError

    def _drop_text(self, session: Session, ids: list[int]) -> None:
        raise NotImplementedError

    def _clear_text(self, session: Session) -> None:
        raise NotImplementedError

    def _matched(self, query: Query
                 ) -> tuple[FromClause, ColumnElement[bool], ColumnElement[float]]:
        raise NotImplementedError

    def _title_hit(self, query: Query) -> ColumnElement[bool] | None:
        """Whether the title matches, to choose the ranking window; None ranks every match."""
        return None

    @staticmethod
    def _snippets(session: Session, ids: list[int], query: Query) -> dict[int, str]:
        rows = session.execute(select(SearchEntry.id, SearchEntry.body)
                               .where(SearchEntry.id.in_(ids)))
        return {entry_id: highlight(body, query) for entry_id, body in rows}
