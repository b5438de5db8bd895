"""PostgreSQL: tsvectors of each entry and a GIN index.

Three vectors per entry (migrations 0006 and 0009), each for one question:

* ``search_fts_terms``, what matches: the entry's terms (ged.search.french, as SQLite's
  index holds them) and their pairs (``french.pairs``: each term joined to the next and to
  the one after), without positions, under the GIN index. A word, a prefix or a phrase of up
  to three terms is answered by the index alone; with word positions PostgreSQL would read
  every candidate's whole vector to check them, hundreds of milliseconds for a phrase as
  common as "directeur général" (a phrase of three is only taken for another when its three
  pairs stand apart in one text, and none of them together);
* ``search_fts``, title (weight A) and body (D) in the french_unaccent configuration, with
  positions, out of the row: the rank, and the word order of longer phrases (identifiers)
  and of phrases ending in a prefix, checked only on the entries that have all their pairs;
* ``search_fts_title``, small and kept in the row: whether the title matches, the first key
  of the ranking window (``SqlBackend._window``, its own GIN index when title matches are
  few) when too many records match to rank them all.

Snippets come from ged.search.snippet rather than ts_headline: PostgreSQL's parser reads
``CEET-A-2026-000123`` in the original text as other tokens than the flattened words that
were indexed, so ts_headline left parts of identifiers unmarked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    Column,
    ColumnElement,
    Connection,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable, FromClause

from ged.search import french
from ged.search.backends.sql import SqlBackend, row_values
from ged.search.models import SearchEntry
from ged.search.query import Clause, Query
from ged.search.types import Access, Entry, Filters, Results

CONFIG: ColumnElement[Any] = literal_column("'french_unaccent'::regconfig")
VECTOR: ColumnElement[Any] = literal_column("search_entry.search_fts")
TERMS: ColumnElement[Any] = literal_column("search_entry.search_fts_terms")
TITLE: ColumnElement[Any] = literal_column("search_entry.search_fts_title")
# Title words are weight A, body words weight D (ts_rank's defaults: 1.0 and 0.1).
_FLAT_TITLE = func.to_tsvector(CONFIG, bindparam("flat_title"))
VECTORS: dict[str, ColumnElement[Any]] = {
    "search_fts": func.setweight(_FLAT_TITLE, literal_column("'A'")).op("||")(
        func.setweight(func.to_tsvector(CONFIG, bindparam("flat_body")), literal_column("'D'"))),
    "search_fts_title": _FLAT_TITLE,
    "search_fts_terms": func.array_to_tsvector(cast(bindparam("terms"), ARRAY(Text))),
}
# The entry table as this backend writes it: the model's columns and the three vectors.
_TABLE = Table("search_entry", MetaData(), *(
    Column(column.name, column.type, primary_key=column.primary_key)
    for column in SearchEntry.__table__.columns), *(
    Column(name, TSVECTOR) for name in VECTORS))


def vector_params(title: str, body: str) -> dict[str, Any]:
    """The bound values ``VECTORS`` reads for one entry."""
    terms: set[str] = set()
    for part in (title, body):
        found = french.terms(part)
        terms.update(found, french.pairs(found))
    return {"flat_title": french.flatten(title), "flat_body": french.flatten(body),
            "terms": sorted(terms)}


def update_vectors(connection: Connection, rows: list[tuple[int, str, str]]) -> None:
    """Recompute the vectors of existing entries, given (id, title, body) (migration 0009)."""
    if rows:
        connection.execute(
            update(_TABLE).where(_TABLE.c.id == bindparam("row_id")).values(VECTORS),
            [{"row_id": entry_id, **vector_params(title, body)}
             for entry_id, title, body in rows])


def _upsert_statement() -> Executable:
    """One INSERT … ON CONFLICT for a batch, vectors included, ids returned in order."""
    statement = insert(_TABLE).values(VECTORS)
    kept = {"id", "kind", "record_id"}
    return statement.on_conflict_do_update(
        index_elements=["kind", "record_id"],
        set_={column.name: statement.excluded[column.name]
              for column in _TABLE.columns if column.name not in kept},
    ).returning(_TABLE.c.id, sort_by_parameter_order=True)


UPSERT = _upsert_statement()


def _lookup(clause: Clause) -> str:
    """The clause over ``search_fts_terms``: its terms, or its pairs when it is a phrase."""
    terms = clause.terms
    whole = terms[:-1] if clause.prefix else terms
    # The pairs of a long phrase (an identifier) narrow it down; its order is checked after.
    parts = [f"'{pair}'" for pair in french.pairs(whole)] or [f"'{term}'" for term in whole]
    if clause.prefix:
        parts.append(f"'{terms[-1]}':*")
    return "(" + " & ".join(dict.fromkeys(parts)) + ")"


def _ordered(clause: Clause) -> bool:
    """Word order still to check: the pairs of up to three whole terms say all."""
    return len(clause.words) > 3 or (len(clause.words) > 1 and clause.prefix)


def _words(clause: Clause, joint: str) -> str:
    # Words are letters and digits only (french.words), so quoting them is all the escaping;
    # PostgreSQL folds, unaccents and stems them as it did the indexed text.
    words = [f"'{word}'" for word in clause.words]
    if clause.prefix:
        words[-1] += ":*"
    return "(" + joint.join(words) + ")"


def lookup_text(query: Query) -> str:
    """The tsquery text over ``search_fts_terms`` (literal terms, no configuration)."""
    expression = " & ".join(_lookup(clause) for clause in query.required)
    return expression + "".join(f" & !{_lookup(clause)}"
                                for clause in query.excluded if not _ordered(clause))


def order_text(query: Query) -> str:
    """The to_tsquery text of the word order the lookup cannot check, or ''."""
    required = [_words(c, " <-> ") for c in query.required if _ordered(c)]
    excluded = [f"!{_words(c, ' <-> ')}" for c in query.excluded if _ordered(c)]
    return " & ".join(required + excluded)


def rank_text(query: Query) -> str:
    """The to_tsquery text that ranks over ``search_fts`` and tells a title match."""
    return " & ".join(_words(clause, " & ") for clause in query.required)


class PostgresFtsBackend(SqlBackend):
    """The ministry-scale database backend: the GIN indexes answer in milliseconds."""

    def search(self, session: Session, query: Query, filters: Filters, access: Access,
               page: int, per_page: int) -> Results:
        # A word found in most records makes the planner prefer reading the whole table, and
        # testing each row's vector means fetching it from TOAST: the bitmap of the GIN index
        # over narrow rows is many times faster. JIT would only add its compile time.
        session.execute(text("SELECT set_config('enable_seqscan', 'off', true),"
                             " set_config('jit', 'off', true)"))  # SET LOCAL, one round trip
        return super().search(session, query, filters, access, page, per_page)

    def _write_rows(self, session: Session, entries: list[Entry]) -> dict[int, Entry]:
        # Each row written once with its vectors: a row inserted, then updated with them, left
        # a dead copy behind and made counts and facets read a table three times its size.
        latest = list({(entry.kind, entry.record_id): entry for entry in entries}.values())
        ids = session.execute(UPSERT, [
            {**row_values(entry), **vector_params(entry.title, entry.body)}
            for entry in latest]).scalars().all()
        return dict(zip(ids, latest, strict=True))

    def _store_text(self, session: Session, rows: list[tuple[int, Entry]]) -> None:
        """The vectors are written with the rows (``_write_rows``)."""

    def _drop_text(self, session: Session, ids: list[int]) -> None:
        """The vectors live in the entry's row and go with it."""

    def _clear_text(self, session: Session) -> None:
        """The vectors live in the entries' rows and go with them."""

    def _matched(self, query: Query
                 ) -> tuple[FromClause, ColumnElement[bool], ColumnElement[float]]:
        lookup = cast(bindparam("lookup", lookup_text(query)), TSQUERY)
        match: ColumnElement[bool] = TERMS.op("@@")(lookup)
        order = order_text(query)
        if order:
            match = and_(match, VECTOR.op("@@")(
                func.to_tsquery(CONFIG, bindparam("order", order))))
        return SearchEntry.__table__, match, func.ts_rank(VECTOR, self._rank_query(query))

    def _title_hit(self, query: Query) -> ColumnElement[bool] | None:
        return TITLE.op("@@")(self._rank_query(query))

    @staticmethod
    def _rank_query(query: Query) -> ColumnElement[Any]:
        return func.to_tsquery(CONFIG, bindparam("rank", rank_text(query)))
