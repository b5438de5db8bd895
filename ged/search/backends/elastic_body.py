"""What the Elasticsearch backend sends: the index template and the query bodies (no I/O)."""

from __future__ import annotations

from typing import Any

from ged.search.query import Clause, Query
from ged.search.types import Access, Entry, Filters, fold_tag

ALIAS = "atd-search"
PATTERN = f"{ALIAS}-*"
FIELDS = ["title^4", "body"]
# A prefix is expanded to this many words at most; enough for a ministry's vocabulary.
MAX_EXPANSIONS = 1000

ANALYSIS = {
    "filter": {
        "french_elision": {
            "type": "elision", "articles_case": True,
            "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu",
                         "lorsqu", "puisqu"],
        },
        "french_stemmer": {"type": "stemmer", "language": "french"},
    },
    "analyzer": {
        # Folded before stemming, like PostgreSQL's french_unaccent and ged.search.french.
        "french_folded": {
            "tokenizer": "standard",
            "filter": ["french_elision", "lowercase", "asciifolding", "french_stemmer"],
        },
    },
}
KEYWORD, INTEGER = {"type": "keyword"}, {"type": "integer"}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "kind": KEYWORD, "record_id": INTEGER, "entity_id": INTEGER,
        "confidentiality": KEYWORD, "doc_type": KEYWORD, "tags": KEYWORD, "status": KEYWORD,
        "readers": KEYWORD,
        "record_date": {"type": "date", "format": "strict_date"}, "year": INTEGER,
        "title": {"type": "text", "analyzer": "french_folded"},
        "body": {"type": "text", "analyzer": "french_folded"},
    },
}
TEMPLATE: dict[str, Any] = {
    "index_patterns": [PATTERN],
    "template": {"settings": {"analysis": ANALYSIS, "number_of_replicas": 0},
                 "mappings": MAPPINGS},
}
FACET_FIELDS = {"entity": "entity_id", "doc_type": "doc_type", "year": "year"}


def document_id(kind: str, record_id: int) -> str:
    return f"{kind}-{record_id}"


def source(entry: Entry) -> dict[str, Any]:
    """The indexed record, with the fields the permission clause reads."""
    return {
        "kind": entry.kind, "record_id": entry.record_id, "entity_id": entry.entity_id,
        "confidentiality": entry.confidentiality, "doc_type": entry.doc_type,
        "tags": [fold_tag(tag) for tag in entry.tags if tag.strip()], "status": entry.status,
        "record_date": entry.record_date.isoformat() if entry.record_date else None,
        "year": entry.record_date.year if entry.record_date else None,
        "title": entry.title, "body": entry.body, "readers": sorted(set(entry.readers)),
    }


def _clause(clause: Clause) -> dict[str, Any]:
    kind = "phrase_prefix" if clause.prefix else "phrase"
    body: dict[str, Any] = {"query": " ".join(clause.words), "type": kind, "fields": FIELDS}
    if clause.prefix:
        body["max_expansions"] = MAX_EXPANSIONS
    return {"multi_match": body}


def access_filter(access: Access) -> dict[str, Any]:
    """The reader's rights as a filter: (kind, level, entities) triples, reader tokens."""
    if access.everything:
        return {"match_all": {}}
    grants: list[dict[str, Any]] = [
        {"bool": {"filter": [{"term": {"kind": kind}}, {"term": {"confidentiality": level}},
                             {"terms": {"entity_id": sorted(entities)}}]}}
        for kind, levels in access.grants.items()
        for level, entities in levels.items() if entities
    ]
    if access.readers:
        grants.append({"terms": {"readers": sorted(access.readers)}})
    return {"bool": {"should": grants, "minimum_should_match": 1}}


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    if filters.entity_ids is not None:
        clauses.append({"terms": {"entity_id": sorted(filters.entity_ids)}})
    for field, value in (("kind", filters.kind), ("doc_type", filters.doc_type),
                         ("status", filters.status)):
        if value:
            clauses.append({"term": {field: value}})
    dates = {key: day.isoformat() for key, day in (("gte", filters.date_from),
                                                   ("lte", filters.date_to)) if day}
    if dates:
        clauses.append({"range": {"record_date": dates}})
    clauses.extend({"term": {"tags": fold_tag(tag)}} for tag in filters.tags)
    return clauses


def search_body(query: Query, filters: Filters, access: Access, page: int,
                per_page: int) -> dict[str, Any]:
    """The _search request: permissions and filters in the query, so aggregations obey them."""
    return {
        "query": {"bool": {
            "must": [_clause(clause) for clause in query.required],
            "must_not": [_clause(clause) for clause in query.excluded],
            "filter": [access_filter(access), *filter_clauses(filters)],
        }},
        "aggs": {name: {"terms": {"field": field, "size": 100}}
                 for name, field in FACET_FIELDS.items()},
        "sort": [{"_score": "desc"}, {"record_date": {"order": "desc", "missing": "_last"}},
                 {"record_id": "desc"}],
        "from": (max(page, 1) - 1) * per_page,
        "size": per_page,
        "track_total_hits": True,
        "_source": ["kind", "record_id", "title", "entity_id", "record_date", "body"],
    }
