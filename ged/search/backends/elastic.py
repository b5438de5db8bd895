"""Elasticsearch: bulk indexing through an alias, reindexing into a new index, then a switch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers
from sqlalchemy.orm import Session

from core.errors import ConfigError
from ged.search.backends import elastic_body as body
from ged.search.query import Query
from ged.search.snippet import highlight
from ged.search.types import FACETS, Access, Entry, Filters, Hit, Results, empty_results


@lru_cache(maxsize=4)
def elastic_backend(url: str | None) -> ElasticBackend:
    """One client per URL for the process (it pools its connections)."""
    if not url:
        raise ConfigError("ATD_ELASTICSEARCH_URL est requis avec ATD_SEARCH=elasticsearch")
    return ElasticBackend(Elasticsearch(url, request_timeout=30, retry_on_timeout=True,
                                        max_retries=3))


class ElasticBackend:
    """The cluster behind ``ATD_SEARCH=elasticsearch``; the session is not used."""

    name = "elasticsearch"

    def __init__(self, client: Elasticsearch) -> None:
        self.client = client
        self._ready = False

    def _ensure_alias(self) -> None:
        """The template, and a first index behind the alias (once per process)."""
        if self._ready:
            return
        self.client.indices.put_index_template(name=body.ALIAS, index_patterns=[body.PATTERN],
                                                template=body.TEMPLATE["template"])
        if not self.client.indices.exists_alias(name=body.ALIAS):
            self._new_index(alias=True)
        self._ready = True

    def _new_index(self, alias: bool = False) -> str:
        name = f"{body.ALIAS}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        aliases: dict[str, Any] | None = {body.ALIAS: {}} if alias else None
        self.client.indices.create(index=name, aliases=aliases)
        return name

    def _bulk(self, index: str, entries: Iterable[Entry]) -> None:
        actions = ({"_index": index, "_id": body.document_id(e.kind, e.record_id),
                    "_source": body.source(e)} for e in entries)
        # wait_for: a record marked indexed is one that searches already find.
        helpers.bulk(self.client, actions, chunk_size=500, refresh="wait_for")

    def upsert(self, session: Session, entries: list[Entry]) -> None:
        self._ensure_alias()
        self._bulk(body.ALIAS, entries)

    def remove(self, session: Session, kind: str, record_ids: list[int]) -> None:
        self._ensure_alias()
        actions = ({"_op_type": "delete", "_index": body.ALIAS,
                    "_id": body.document_id(kind, record_id)} for record_id in record_ids)
        helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")

    def clear(self, session: Session) -> None:
        self._ensure_alias()
        self.client.delete_by_query(index=body.ALIAS, query={"match_all": {}}, refresh=True)

    def rebuild(self, session: Session, batches: Iterable[list[Entry]]) -> None:
        """Fill a new index, then move the alias in one step and drop the old ones."""
        self._ensure_alias()
        fresh = self._new_index()
        for entries in batches:
            self._bulk(fresh, entries)
        self.client.indices.refresh(index=fresh)
        old = list(self.client.indices.get_alias(name=body.ALIAS))
        actions: list[dict[str, Any]] = [{"add": {"index": fresh, "alias": body.ALIAS}}]
        actions += [{"remove": {"index": name, "alias": body.ALIAS}} for name in old]
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            try:
                self.client.indices.delete(index=name)
            except NotFoundError:
                pass

    def search(self, session: Session, query: Query, filters: Filters, access: Access,
               page: int, per_page: int) -> Results:
        if query.empty:
            return empty_results()
        self._ensure_alias()
        answer = self.client.search(index=body.ALIAS, body=body.search_body(
            query, filters, access, page, per_page))
        hits = [_hit(item, query) for item in answer["hits"]["hits"]]
        aggregations = answer.get("aggregations", {})
        facets = {name: [(bucket["key"], bucket["doc_count"])
                         for bucket in aggregations.get(name, {}).get("buckets", [])
                         if bucket["key"] not in ("", None)]
                  for name in FACETS}
        return Results(answer["hits"]["total"]["value"], hits, facets)


def _hit(item: dict[str, Any], query: Query) -> Hit:
    found = item["_source"]
    day = date.fromisoformat(found["record_date"]) if found.get("record_date") else None
    return Hit(found["kind"], found["record_id"], found["title"], found["entity_id"], day,
               float(item.get("_score") or 0.0), highlight(found.get("body", ""), query))
