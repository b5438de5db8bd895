"""The Elasticsearch backend without a server: what reaches the client's transport, and back.

A node class given to the real client records each request and answers like a cluster, so
the template, the bulk lines, the alias switch and the query bodies are checked as sent.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

from ged.search.backends.elastic import ElasticBackend
from ged.search.query import parse
from ged.search.types import Access, Entry, Filters

SEARCH_ANSWER = {
    "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{
        "_score": 2.5, "_source": {
            "kind": "document", "record_id": 7, "title": "Arrêté", "entity_id": 2,
            "record_date": "2026-03-10", "body": "L'arrêté fixe les échéances.<b>"}}]},
    "aggregations": {"entity": {"buckets": [{"key": 2, "doc_count": 1}]},
                     "doc_type": {"buckets": [{"key": "arrete", "doc_count": 1}]},
                     "year": {"buckets": [{"key": 2026, "doc_count": 1}]}},
}


class RecordingNode(BaseNode):
    """Answers like a cluster with one index behind the alias; keeps every request."""

    requests: list[tuple[str, str, Any]] = []
    aliased = ["atd-search-1"]

    def perform_request(self, method: str, target: str, body: bytes | None = None,
                        headers: HttpHeaders | None = None, request_timeout: Any = None
                        ) -> NodeApiResponse:
        text = body.decode() if body else ""
        if target.split("?")[0].endswith("/_bulk"):
            parsed: Any = [json.loads(line) for line in text.splitlines() if line]
        else:
            parsed = json.loads(text) if text else None
        self.requests.append((method, target.split("?")[0], parsed))
        status, answer = self._answer(method, target, parsed)
        meta = ApiResponseMeta(status=status, http_version="1.1", duration=0.0, node=self.config,
                               headers=HttpHeaders({"content-type": "application/json",
                                                    "x-elastic-product": "Elasticsearch"}))
        return NodeApiResponse(meta, json.dumps(answer).encode())

    def _answer(self, method: str, target: str, parsed: Any) -> tuple[int, Any]:
        path = target.split("?")[0]
        if path.endswith("/_bulk"):
            items = [{next(iter(line)): {"status": 200}} for line in parsed
                     if set(line) & {"index", "delete"}]
            return 200, {"errors": False, "items": items}
        if path.endswith("/_search"):
            return 200, SEARCH_ANSWER
        if method == "HEAD" and path.startswith("/_alias/"):
            return 200, {}
        if method == "GET" and path.startswith("/_alias/"):
            return 200, {name: {"aliases": {"atd-search": {}}} for name in self.aliased}
        return 200, {"acknowledged": True}


@pytest.fixture
def engine() -> ElasticBackend:
    RecordingNode.requests = []
    client = Elasticsearch("http://es.invalid:9200", node_class=RecordingNode)
    return ElasticBackend(client)


def sent(path_end: str) -> list[Any]:
    return [body for _m, path, body in RecordingNode.requests if path.endswith(path_end)]


ENTRY = Entry(kind="document", record_id=7, entity_id=2, confidentiality="confidentiel",
              title="Arrêté", body="L'arrêté…", doc_type="arrete", tags=("Énergie",),
              record_date=date(2026, 3, 10))


def test_template_has_the_french_analyzer_and_strict_mappings(engine):
    engine.upsert(None, [ENTRY])
    template = sent("/_index_template/atd-search")[0]
    assert template["index_patterns"] == ["atd-search-*"]
    analyzer = template["template"]["settings"]["analysis"]["analyzer"]["french_folded"]
    assert analyzer["filter"] == ["french_elision", "lowercase", "asciifolding", "french_stemmer"]
    mappings = template["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    assert mappings["properties"]["entity_id"] == {"type": "integer"}
    assert mappings["properties"]["confidentiality"] == {"type": "keyword"}


def test_bulk_lines_carry_the_permission_fields(engine):
    engine.upsert(None, [ENTRY])
    action, source = sent("/_bulk")[0]
    assert action == {"index": {"_index": "atd-search", "_id": "document-7"}}
    assert (source["entity_id"], source["confidentiality"], source["tags"], source["year"]) == (
        2, "confidentiel", ["energie"], 2026)


def test_query_body_holds_permissions_filters_phrases_and_exclusions(engine):
    access = Access({"document": {"normal": frozenset({2, 3}), "confidentiel": frozenset({2}),
                                  "secret": frozenset()}})
    results = engine.search(None, parse('"réseau CEET" raccord* -facture'),
                            Filters(doc_type="arrete", date_from=date(2026, 1, 1)), access, 2, 10)
    request = sent("/atd-search/_search")[0]
    query = request["query"]["bool"]
    assert query["must"] == [
        {"multi_match": {"query": "réseau CEET", "type": "phrase", "fields": ["title^4", "body"]}},
        {"multi_match": {"query": "raccord", "type": "phrase_prefix",
                         "fields": ["title^4", "body"], "max_expansions": 1000}},
    ]
    assert query["must_not"][0]["multi_match"]["query"] == "facture"
    grants = query["filter"][0]["bool"]["should"]
    assert grants[0]["bool"]["filter"] == [{"term": {"kind": "document"}},
                                           {"term": {"confidentiality": "normal"}},
                                           {"terms": {"entity_id": [2, 3]}}]
    assert len(grants) == 2, "a level with no entity grants nothing"
    assert {"term": {"doc_type": "arrete"}} in query["filter"]
    assert {"range": {"record_date": {"gte": "2026-01-01"}}} in query["filter"]
    assert (request["from"], request["size"], request["track_total_hits"]) == (10, 10, True)
    assert set(request["aggs"]) == {"entity", "doc_type", "year"}
    assert results.total == 1 and results.facets["entity"] == [(2, 1)]
    assert results.hits[0].record_date == date(2026, 3, 10)
    assert "&lt;b&gt;" in results.hits[0].snippet


def test_reader_without_rights_gets_a_filter_that_matches_nothing(engine):
    engine.search(None, parse("arrêté"), Filters(), Access({}), 1, 10)
    query = sent("/_search")[0]["query"]["bool"]
    assert query["filter"][0] == {"bool": {"should": [], "minimum_should_match": 1}}


def test_rebuild_fills_a_new_index_then_switches_the_alias_at_once(engine):
    engine.rebuild(None, iter([[ENTRY]]))
    methods = [(m, p) for m, p, _b in RecordingNode.requests]
    created = [p for m, p in methods if m == "PUT" and p.startswith("/atd-search-")][-1]
    fresh = created.strip("/")
    bulk = sent("/_bulk")[0]
    assert bulk[0]["index"]["_index"] == fresh
    actions = sent("/_aliases")[0]["actions"]
    assert actions == [{"add": {"index": fresh, "alias": "atd-search"}},
                       {"remove": {"index": "atd-search-1", "alias": "atd-search"}}]
    assert ("DELETE", "/atd-search-1") in methods
    assert methods.index(("POST", "/_aliases")) > methods.index(("PUT", "/_bulk"))
