"""SQLite: an FTS5 table of the entries' French terms (ged.search.french), ranked by BM25."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, column, delete, func, insert, literal_column, table
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

from ged.search import french
from ged.search.backends.sql import SqlBackend
from ged.search.models import SearchEntry
from ged.search.query import Clause, Query
from ged.search.types import Entry

FTS = table("search_fts", column("rowid"), column("title"), column("body"))
# A word of the title weighs as much as several of the body.
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0


def _phrase(clause: Clause) -> str:
    # Terms are letters and digits only (french.words), so quoting them is all the escaping.
    return '"' + " ".join(clause.terms) + '"' + (" *" if clause.prefix else "")


def match_expression(query: Query) -> str:
    """The FTS5 MATCH string of a parsed query."""
    expression = " AND ".join(_phrase(clause) for clause in query.required)
    for clause in query.excluded:
        expression = f"({expression}) NOT {_phrase(clause)}"
    return expression


class SqliteFtsBackend(SqlBackend):
    """The embedded setup's search: no server, the index inside the SQLite file."""

    def _store_text(self, session: Session, rows: list[tuple[int, Entry]]) -> None:
        self._drop_text(session, [entry_id for entry_id, _ in rows])
        if rows:
            session.execute(insert(FTS), [
                {"rowid": entry_id, "title": french.analyse(entry.title),
                 "body": french.analyse(entry.body)} for entry_id, entry in rows
            ])

    def _drop_text(self, session: Session, ids: list[int]) -> None:
        if ids:
            session.execute(delete(FTS).where(FTS.c.rowid.in_(ids)))

    def _clear_text(self, session: Session) -> None:
        session.execute(delete(FTS))

    def _matched(self, query: Query
                 ) -> tuple[FromClause, ColumnElement[bool], ColumnElement[float]]:
        fts: ColumnElement[Any] = literal_column("search_fts")
        source = FTS.join(SearchEntry.__table__, SearchEntry.id == FTS.c.rowid)
        # bm25() is lower for better matches.
        score = -func.bm25(fts, TITLE_WEIGHT, BODY_WEIGHT)
        return source, fts.op("MATCH")(match_expression(query)), score
