"""PostgreSQL: a tsvector in the french_unaccent configuration and its GIN index.

Snippets come from ged.search.snippet rather than ts_headline: PostgreSQL's parser reads
``CEET-A-2026-000123`` in the original text as other tokens than the flattened words that
were indexed, so ts_headline left parts of identifiers unmarked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, literal_column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

from ged.search import french
from ged.search.backends.sql import SqlBackend
from ged.search.models import SearchEntry
from ged.search.query import Clause, Query
from ged.search.types import Entry

CONFIG: ColumnElement[Any] = literal_column("'french_unaccent'::regconfig")
VECTOR: ColumnElement[Any] = literal_column("search_entry.search_fts")
# Title words are weight A, body words weight D (ts_rank's defaults: 1.0 and 0.1).
_VECTOR_SQL = text(
    "UPDATE search_entry SET search_fts ="
    " setweight(to_tsvector('french_unaccent', :title), 'A')"
    " || setweight(to_tsvector('french_unaccent', :body), 'D')"
    " WHERE id = :id"
)


def _phrase(clause: Clause) -> str:
    # Words are letters and digits only (french.words), so quoting them is all the escaping;
    # PostgreSQL folds, unaccents and stems them as it did the indexed text.
    words = [f"'{word}'" for word in clause.words]
    if clause.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


def tsquery_text(query: Query) -> str:
    """The to_tsquery text of a parsed query."""
    expression = " & ".join(_phrase(clause) for clause in query.required)
    return expression + "".join(f" & !{_phrase(clause)}" for clause in query.excluded)


class PostgresFtsBackend(SqlBackend):
    """The ministry-scale database backend: the GIN index answers in milliseconds."""

    def _store_text(self, session: Session, rows: list[tuple[int, Entry]]) -> None:
        if rows:
            session.execute(_VECTOR_SQL, [
                {"id": entry_id, "title": french.flatten(entry.title),
                 "body": french.flatten(entry.body)} for entry_id, entry in rows
            ])

    def _drop_text(self, session: Session, ids: list[int]) -> None:
        """The vector lives in the entry's row and goes with it."""

    def _clear_text(self, session: Session) -> None:
        """The vectors live in the entries' rows and go with them."""

    def _matched(self, query: Query
                 ) -> tuple[FromClause, ColumnElement[bool], ColumnElement[float]]:
        tsquery = func.to_tsquery(CONFIG, bindparam("tsquery", tsquery_text(query)))
        score = func.ts_rank(VECTOR, tsquery)
        return SearchEntry.__table__, VECTOR.op("@@")(tsquery), score
