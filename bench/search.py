"""Search benchmark: the two database backends beside Whoosh and Tantivy, in one run.

    python bench/search.py [--docs 100000] [--rounds 5] [--engines sqlite,postgres,whoosh,tantivy]

On a generated corpus of French administrative documents (bench/search_corpus.py), it
measures for each engine the index build time, the index size, the p50 and p95 latency of 50
fixed queries (words, several words, phrases, prefixes, filters, identifiers) and recall@10 on
50 labelled queries. The database backends run the toolkit's own code (ged.search) with a
reader's permission clause, the total and the three facets; Whoosh gets the same facets
(``groupedby``) and total; Tantivy the total, without facets. The peers receive the clauses of
the toolkit's query parser, written in their own query language, and analyse them with their
French analyzers (Whoosh: stop words and Snowball stems, accents folded; Tantivy: lowercase,
ASCII folding, French stemmer). On PostgreSQL it also times each query's exact total alone,
one ``count(*)`` built from the backend's own clauses: what any search that gives an exact
total must spend on that database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search_corpus import ENTITIES, Doc, generate, iterate, timed_queries  # noqa: E402
from ged.search import french  # noqa: E402
from ged.search.query import Clause, Query, parse  # noqa: E402

Filters = dict[str, Any]
BATCH = 1000
PG_ADMIN = os.environ.get("ATD_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class DatabaseEngine:
    """ged.search's backend on a migrated database, through its own code path."""

    def __init__(self, url: str, backend: Any) -> None:
        from core.db import make_engine, make_sessionmaker, upgrade
        from core.identity import Entity

        upgrade(url)
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)
        self.backend = backend
        with self.sessions.begin() as session:
            session.add_all(Entity(code=code, name=code, type="tutelle") for code in ENTITIES)
        with self.sessions() as session:
            self.ids = dict(session.execute(Entity.__table__.select().with_only_columns(
                Entity.code, Entity.id)).all())

    def build(self, docs: list[Doc]) -> None:
        from ged.search.types import Entry

        for batch in iterate(docs, BATCH):
            with self.sessions.begin() as session:
                self.backend.upsert(session, [Entry(
                    kind="document", record_id=d.number, entity_id=self.ids[d.entity],
                    confidentiality="normal", title=d.title, body=d.text, doc_type=d.doc_type,
                    record_date=d.day) for d in batch])
        self.maintain()

    def maintain(self) -> None:
        """What a deployment runs after a bulk load (planner statistics, index merge)."""

    def _asked(self, filters: Filters) -> tuple[Any, Any]:
        """The search's filters, and its reader: ministry-level, every entity, normal
        documents."""
        from ged.search.types import Access
        from ged.search.types import Filters as SearchFilters

        year = filters.get("year")
        chosen = SearchFilters(
            entity_ids=frozenset({self.ids[filters["entity"]]}) if "entity" in filters else None,
            doc_type=filters.get("doc_type"),
            date_from=date(year, 1, 1) if year else None,
            date_to=date(year, 12, 31) if year else None)
        return chosen, Access({"document": {"normal": frozenset(self.ids.values())}})

    def search(self, text: str, filters: Filters) -> tuple[int, list[int]]:
        chosen, reader = self._asked(filters)
        with self.sessions() as session:
            found = self.backend.search(session, parse(text), chosen, reader, 1, 10)
        return found.total, [hit.record_id for hit in found.hits]


class SqliteEngine(DatabaseEngine):
    name = "SQLite FTS5 (db)"

    def __init__(self, folder: Path) -> None:
        from ged.search.backends.sqlite_fts import SqliteFtsBackend

        self.path = folder / "search.db"
        super().__init__(f"sqlite:///{self.path}", SqliteFtsBackend())

    def maintain(self) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def size(self) -> int:
        with self.engine.connect() as conn:
            try:
                return int(conn.exec_driver_sql(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'").scalar() or 0)
            except Exception:  # noqa: BLE001  (dbstat not compiled in: the whole file)
                return self.path.stat().st_size


class PostgresEngine(DatabaseEngine):
    name = "PostgreSQL tsvector (db)"

    def __init__(self, _folder: Path) -> None:
        from sqlalchemy import create_engine, text

        from ged.search.backends.postgres_fts import PostgresFtsBackend

        self.database = f"atd_bench_search_{os.getpid()}"
        self.counting: Any = None  # the connection of count_alone, opened on first use
        self.admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        super().__init__(PG_ADMIN.rsplit("/", 1)[0] + "/" + self.database, PostgresFtsBackend())

    def count_statement(self, text: str, filters: Filters) -> str:
        """The exact total of a search as one SQL statement, its values inlined: the part of
        a search that must visit every match, whatever the code around it."""
        from sqlalchemy import func, select

        chosen, reader = self._asked(filters)
        source, where, _score = self.backend.matching(parse(text), chosen, reader)
        statement = select(func.count()).select_from(source).where(where)
        return str(statement.compile(self.engine, compile_kwargs={"literal_binds": True}))

    def count_alone(self, statement: str) -> int:
        """Run a ``count_statement`` through the driver, as PostgreSQL's own time plus a round
        trip, under the settings the backend's searches take (no sequential scan, no JIT)."""
        if self.counting is None:
            self.counting = self.engine.connect()
            self.counting.exec_driver_sql("SET enable_seqscan = off; SET jit = off")
        return int(self.counting.exec_driver_sql(statement).scalar() or 0)

    def maintain(self) -> None:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE search_entry")

    def size(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql(
                "SELECT pg_total_relation_size('search_entry')").scalar())

    def close(self) -> None:
        from sqlalchemy import text

        if self.counting is not None:
            self.counting.close()
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))


def _peer_clause(clause: Clause, prefix_form: Callable[[str], str]) -> str:
    if clause.prefix and len(clause.words) == 1:
        return prefix_form(clause.words[0])
    return '"' + " ".join(clause.words) + '"' + ("*" if clause.prefix else "")


def _phrase_prefix(word: str) -> str:
    return '"' + word + '"*'


def _wildcard(word: str) -> str:
    return word.lower() + "*"


class WhooshEngine:
    name = "Whoosh 2.7 (fr)"

    def __init__(self, folder: Path) -> None:
        from whoosh import analysis, fields, index
        from whoosh.support.charset import accent_map

        self.path = folder / "whoosh"
        self.path.mkdir()
        french = (analysis.RegexTokenizer() | analysis.LowercaseFilter()
                  | analysis.CharsetFilter(accent_map)
                  | analysis.StopFilter(lang="fr") | analysis.StemFilter(lang="fr"))
        schema = fields.Schema(
            number=fields.NUMERIC(stored=True, unique=True), entity=fields.ID,
            doc_type=fields.ID, year=fields.NUMERIC,
            title=fields.TEXT(analyzer=french, field_boost=4.0),
            body=fields.TEXT(analyzer=french, stored=True))
        self.index = index.create_in(str(self.path), schema)

    def build(self, docs: list[Doc]) -> None:
        writer = self.index.writer(limitmb=512)
        for d in docs:
            writer.add_document(number=d.number, entity=d.entity, doc_type=d.doc_type,
                                year=d.day.year, title=d.title, body=d.text)
        writer.commit()
        self.searcher = self.index.searcher()

    def _query(self, parsed: Query) -> str:
        required = [_peer_clause(c, _wildcard) for c in parsed.required]
        excluded = ["NOT " + _peer_clause(c, _wildcard) for c in parsed.excluded]
        return " ".join(required + excluded)

    def search(self, text: str, filters: Filters) -> tuple[int, list[int]]:
        from whoosh import qparser, query, sorting

        parsed = parse(text)
        if parsed.empty:
            return 0, []
        parser = qparser.MultifieldParser(["title", "body"], self.index.schema)
        must = [parser.parse(self._query(parsed))]
        for key in ("entity", "doc_type", "year"):
            if key in filters:
                must.append(query.Term(key, filters[key]))
        allowed = query.Or([query.Term("entity", code) for code in ENTITIES])
        results = self.searcher.search(
            query.And(must), limit=10, filter=allowed,
            groupedby=[sorting.FieldFacet(f) for f in ("entity", "doc_type", "year")])
        return len(results), [hit["number"] for hit in results]

    def size(self) -> int:
        return folder_size(self.path)


class TantivyEngine:
    name = "Tantivy 0.27 (fr)"

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.path = folder / "tantivy"
        self.path.mkdir()
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("number", stored=True, indexed=True, fast=True)
        builder.add_text_field("entity", tokenizer_name="raw")
        builder.add_text_field("doc_type", tokenizer_name="raw")
        builder.add_integer_field("year", indexed=True, fast=True)
        builder.add_text_field("title", tokenizer_name="fr")
        builder.add_text_field("body", stored=True, tokenizer_name="fr")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(self.path))
        self.index.register_tokenizer("fr", (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("french"))
            .build()))

    def build(self, docs: list[Doc]) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for d in docs:
            writer.add_document(self.tantivy.Document(
                number=d.number, entity=d.entity, doc_type=d.doc_type, year=d.day.year,
                title=d.title, body=d.text))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, text: str, filters: Filters) -> tuple[int, list[int]]:
        t = self.tantivy
        parsed = parse(text)
        if parsed.empty:
            return 0, []
        must = [(t.Occur.Must, self._clause(c)) for c in parsed.required]
        must += [(t.Occur.MustNot, self._clause(c)) for c in parsed.excluded]
        for key in ("entity", "doc_type", "year"):
            if key in filters:
                must.append((t.Occur.Must, t.Query.term_query(self.schema, key, filters[key])))
        must.append((t.Occur.Must, t.Query.term_set_query(self.schema, "entity", list(ENTITIES))))
        found = self.searcher.search(t.Query.boolean_query(must), 10, count=True)
        numbers = [self.searcher.doc(address)["number"][0] for _score, address in found.hits]
        return found.count or 0, numbers

    def _clause(self, clause: Clause) -> Any:
        t = self.tantivy
        if clause.prefix and len(clause.words) == 1:
            # Its parser takes a prefix only at the end of a phrase of two words or more.
            pattern = french.stem(clause.words[0]) + ".*"
            return t.Query.boolean_query([
                (t.Occur.Should, t.Query.regex_query(self.schema, name, pattern))
                for name in ("title", "body")])
        return self.index.parse_query(_peer_clause(clause, _phrase_prefix), ["title", "body"],
                                      field_boosts={"title": 4.0})

    def size(self) -> int:
        return folder_size(self.path)


ENGINES = {"sqlite": SqliteEngine, "postgres": PostgresEngine, "whoosh": WhooshEngine,
           "tantivy": TantivyEngine}


def measure(engine: Any, docs: list[Doc], labelled: list[Any],
            queries: list[tuple[str, Filters]], rounds: int) -> dict[str, Any]:
    started = time.perf_counter()
    engine.build(docs)
    build = time.perf_counter() - started
    for text, filters in queries:  # warm the caches once
        engine.search(text, filters)
    timings = []
    for _ in range(rounds):
        for text, filters in queries:
            t0 = time.perf_counter()
            engine.search(text, filters)
            timings.append((time.perf_counter() - t0) * 1000)
    counts = _count_timings(engine, queries, rounds) if hasattr(engine, "count_alone") else []
    found = sum(1 for item in labelled if item.number in engine.search(item.query, {})[1])
    p50, p95 = _p50_p95(timings)
    count_p50, count_p95 = _p50_p95(counts) if counts else (None, None)
    return {"build": build, "size": engine.size(), "p50": p50, "p95": p95,
            "recall": found / len(labelled),
            "totals": [engine.search(text, filters)[0] for text, filters in queries],
            "count_p50": count_p50, "count_p95": count_p95}


def _p50_p95(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _count_timings(engine: Any, queries: list[tuple[str, Filters]], rounds: int
                   ) -> list[float]:
    """The exact total of each query alone, timed like the searches: the floor under a search
    that gives its total exactly, on that database."""
    statements = [engine.count_statement(text, filters) for text, filters in queries]
    for statement, (text, filters) in zip(statements, queries, strict=True):
        assert engine.count_alone(statement) == engine.search(text, filters)[0], text
    timings = []
    for _ in range(rounds):
        for statement in statements:
            t0 = time.perf_counter()
            engine.count_alone(statement)
            timings.append((time.perf_counter() - t0) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engines", default="sqlite,postgres,whoosh,tantivy")
    args = parser.parse_args()
    started = time.perf_counter()
    docs, labelled = generate(args.docs)
    queries = timed_queries(docs)
    words = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs):,} documents, {words:,} words, generated in "
          f"{time.perf_counter() - started:.0f} s; {len(queries)} timed queries, "
          f"{len(labelled)} labelled", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="atd-bench-search-") as tmp:
        for key in args.engines.split(","):
            engine = ENGINES[key](Path(tmp))
            try:
                result = measure(engine, docs, labelled, queries, args.rounds)
            finally:
                getattr(engine, "close", lambda: None)()
            rows.append((engine.name, result))
            print(f"| {engine.name:<26} | {result['build']:7.0f} s | "
                  f"{result['size'] / 2**20:7.0f} MB | {result['p50']:6.1f} ms | "
                  f"{result['p95']:6.1f} ms | {result['recall']:.2f} |", flush=True)
            if result["count_p50"] is not None:
                print(f"|   its exact totals alone (one count)  |  |  | {result['count_p50']:6.1f} "
                      f"ms | {result['count_p95']:6.1f} ms |  |", flush=True)
    reference = rows[0][1]["totals"]
    for name, result in rows[1:]:
        differ = [q for (q, _), a, b in zip(queries, reference, result["totals"], strict=True)
                  if a != b]
        print(f"totals differing from {rows[0][0]} on {name}: {len(differ)} {differ[:8]}")


if __name__ == "__main__":
    main()
