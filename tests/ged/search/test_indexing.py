"""Indexing: after extraction through a job, after a metadata change, retried, rebuilt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.errors import TransientError
from ged.models import Document
from ged.search import INDEX_JOB, service
from ged.search import jobs as search_jobs
from ged.search.backends.postgres_fts import PostgresFtsBackend, update_vectors
from ged.search.models import SearchEntry
from ged.search.types import Entry
from tests.ged.search.conftest import add_document


def test_extracted_document_is_found_once_the_jobs_ran(db_session, add, jobs, ministry):
    """GIVEN an uploaded PDF WHEN extraction and indexing ran in the background
    THEN its words are found, accents and elisions folded, and it is marked indexed."""
    document = add("nee-numerique.pdf", title="Demande d'extension")
    assert service.search(db_session, ministry["agent"], "adidogome").results.total == 0
    jobs.run_all()
    db_session.expire_all()
    assert db_session.get(Document, document.id).index_status == "indexe"
    hits = service.search(db_session, ministry["agent"], "electrique l'honneur").results.hits
    assert [hit.record_id for hit in hits] == [document.id]
    assert service.search(db_session, ministry["agent"], "N° 744/AT2ER/DG").results.total == 1


def test_indexing_waits_for_the_commit_and_runs_as_a_job(db_session, ministry, jobs):
    document = add_document(db_session, ministry["CEET"].id, "Arrêté", "raccordement")
    assert jobs.submitted == []
    db_session.commit()
    assert [path for path, *_ in jobs.submitted] == [INDEX_JOB]
    assert service.search(db_session, None, "raccordement").results.total == 0
    jobs.run_all()
    hits = service.search(db_session, None, "raccordement").results.hits
    assert [hit.record_id for hit in hits] == [document.id]


def test_failed_indexing_leaves_documents_waiting_and_asks_for_a_retry(
        db_session, ministry, monkeypatch):
    document = add_document(db_session, ministry["CEET"].id, "Arrêté", "texte")
    db_session.commit()

    def broken(*_args, **_kwargs):
        raise ConnectionError("moteur injoignable")

    monkeypatch.setattr(search_jobs, "index_batch", broken)
    with pytest.raises(TransientError):
        search_jobs.index_pending()
    db_session.expire_all()
    assert db_session.get(Document, document.id).index_status == "a_indexer"


def test_reindex_rebuilds_the_same_index(db_session, corpus, backend):
    before = service.search(db_session, None, "raccordement").results
    backend.clear(db_session)
    assert service.search(db_session, None, "raccordement").results.total == 0
    assert service.reindex(db_session, backend) == len(corpus)
    after = service.search(db_session, None, "raccordement").results
    assert [h.record_id for h in after.hits] == [h.record_id for h in before.hits]


def test_indexing_twice_keeps_one_entry_per_document(db_session, corpus, backend):
    service.index_documents(db_session, backend, list(corpus.values()))
    count = db_session.scalar(select(func.count()).select_from(SearchEntry))
    assert count == len(corpus)
    assert service.search(db_session, None, "CEET-A-2026-000123").results.total == 1


def test_deleted_document_leaves_the_index(db_session, corpus, backend):
    document_id = corpus["Rapport annuel"]
    db_session.delete(db_session.get(Document, document_id))
    db_session.flush()
    service.index_documents(db_session, backend, [document_id])
    assert service.search(db_session, None, "régulation").results.total == 0


@pytest.mark.parametrize("engine_name", ["db"], indirect=True)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_entry_is_written_once_and_its_vectors_can_be_recomputed(db_session, corpus):
    """GIVEN an indexed corpus on PostgreSQL WHEN an entry is indexed again THEN its row is
    updated in place (one row, new title); and the vectors migration 0009 recomputes for
    existing rows are the ones indexing writes."""
    entry = db_session.scalars(select(SearchEntry).limit(1)).one()
    PostgresFtsBackend().upsert(db_session, [Entry(
        kind=entry.kind, record_id=entry.record_id, entity_id=entry.entity_id,
        confidentiality=entry.confidentiality, title="Échéancier révisé", body=entry.body)])
    assert db_session.scalar(select(func.count()).select_from(SearchEntry)) == len(corpus)
    vectors = "SELECT id, search_fts, search_fts_title, search_fts_terms FROM search_entry"
    written = db_session.execute(text(vectors + " ORDER BY id")).all()
    rows = db_session.execute(select(SearchEntry.id, SearchEntry.title, SearchEntry.body)).all()
    db_session.execute(text("UPDATE search_entry SET search_fts = NULL, "
                            "search_fts_title = NULL, search_fts_terms = NULL"))
    update_vectors(db_session.connection(), [tuple(row) for row in rows])
    assert db_session.execute(text(vectors + " ORDER BY id")).all() == written
    assert service.search(db_session, None, "echeanciers").results.total == 1
