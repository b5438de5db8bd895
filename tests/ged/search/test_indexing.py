"""Indexing: after extraction through a job, after a metadata change, retried, rebuilt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from core.errors import TransientError
from core.runtime import activated
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


class Stream:
    """Letters registered while the indexing job runs: ``before_pass[n]`` of them just before
    its pass n, ``during_wait[n]`` during its n-th wait; the records each pass took."""

    def __init__(self, session, entity_id: int, before_pass: list[int], during_wait: list[int]):
        self.session, self.entity_id = session, entity_id
        self.before_pass, self.during_wait = before_pass, during_wait
        self.taken: list[int] = []
        self.waits = 0

    def arrive(self, count: int) -> None:
        for number in range(count):
            add_document(self.session, self.entity_id, f"Lettre {number}", "raccordement")
        self.session.commit()

    def index_batch(self, session, backend) -> int:
        passes = len(self.taken)
        self.arrive(self.before_pass[passes] if passes < len(self.before_pass) else 0)
        self.taken.append(service.index_pending(session, backend))
        return self.taken[-1]

    def gather(self) -> None:
        self.arrive(self.during_wait[self.waits] if self.waits < len(self.during_wait) else 0)
        self.waits += 1


def streamed(monkeypatch, runtime, stream: Stream) -> int:
    monkeypatch.setattr(search_jobs, "index_batch", stream.index_batch)
    monkeypatch.setattr(search_jobs, "gather", stream.gather)
    with activated(runtime):
        return search_jobs.index_pending()


def test_a_lone_commit_is_indexed_at_once_without_waiting(
        db_session, runtime, ministry, jobs, monkeypatch):
    add_document(db_session, ministry["CEET"].id, "Arrêté", "raccordement")
    db_session.commit()
    jobs.shutdown()  # the run below is the one that commit asked for
    stream = Stream(db_session, ministry["CEET"].id, before_pass=[], during_wait=[])
    assert streamed(monkeypatch, runtime, stream) == 1
    assert (stream.taken, stream.waits) == ([1, 0], 0)
    assert jobs.submitted == []  # ended on an empty pass, within its time: nothing handed on


def test_records_trickling_in_are_gathered_into_one_pass(
        db_session, runtime, ministry, monkeypatch):
    """GIVEN letters registered one by one while the job runs WHEN a second pass still finds one
    THEN the job waits before each later pass, which takes what came in meanwhile together."""
    add_document(db_session, ministry["CEET"].id, "Arrêté", "raccordement")
    db_session.commit()
    stream = Stream(db_session, ministry["CEET"].id, before_pass=[0, 1], during_wait=[4, 2])
    assert streamed(monkeypatch, runtime, stream) == 8
    assert (stream.taken, stream.waits) == ([1, 1, 4, 2, 0], 3)
    db_session.expire_all()
    statuses = db_session.scalars(select(Document.index_status)).all()
    assert statuses == ["indexe"] * 8
    assert service.search(db_session, None, "raccordement").results.total == 8


def test_a_backlog_is_read_on_in_full_batches_without_waiting(
        db_session, runtime, ministry, monkeypatch):
    stream = Stream(db_session, ministry["CEET"].id, before_pass=[0, service.BATCH + 3],
                    during_wait=[])
    add_document(db_session, ministry["CEET"].id, "Arrêté", "raccordement")
    db_session.commit()
    assert streamed(monkeypatch, runtime, stream) == service.BATCH + 4
    assert (stream.taken, stream.waits) == ([1, service.BATCH, 3, 0], 1)


def test_a_run_past_its_time_hands_the_rest_to_a_run_of_its_own(
        db_session, runtime, ministry, jobs, monkeypatch):
    """GIVEN a stream that never pauses WHEN a run has gone on for RUN_SECONDS THEN it ends after
    its pass with the next run queued behind the other jobs."""
    add_document(db_session, ministry["CEET"].id, "Arrêté", "raccordement")
    db_session.commit()
    jobs.shutdown()  # the run below is the one that commit asked for
    monkeypatch.setattr(search_jobs, "RUN_SECONDS", 0.0)
    stream = Stream(db_session, ministry["CEET"].id, before_pass=[0, 2], during_wait=[])
    assert streamed(monkeypatch, runtime, stream) == 1
    assert [path for path, *_ in jobs.submitted] == [INDEX_JOB]
    jobs.run_all()  # the next run takes the two that came meanwhile, the last one finds none
    assert stream.taken == [1, 2, 0]
    assert service.search(db_session, None, "raccordement").results.total == 3


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
