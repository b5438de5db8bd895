"""Adding, versioning, reading and changing documents: permissions, events, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.audit import Event
from core.errors import PermissionDenied, ValidationError
from ged import service
from ged.errors import DocumentNotFound, EncryptedPdf, NotRetryable
from ged.models import Document, DocumentVersion
from ged.queries import Filters, list_documents
from tests.ged.conftest import upload


def events(db_session, action: str) -> list[Event]:
    return list(db_session.scalars(select(Event).where(Event.action == action).order_by(Event.seq)))


def test_adding_a_document_stores_it_writes_an_event_and_queues_its_reading(
    db_session, ministry, add, jobs
):
    document = add("lettre-propre.png")
    version = document.current
    assert (document.title, version.number, version.kind, version.status) == (
        "lettre-propre", 1, "png", "en_attente")
    assert service.store_of(db_session).path(version.sha256).is_file()
    [event] = events(db_session, "ged.document.ajoute")
    assert event.actor == "agent.ceet" and event.entity_id == ministry["CEET"].id
    assert [path for path, *_ in jobs.submitted] == ["ged.jobs.extract_version"]


def test_refused_file_writes_nothing_at_all(db_session, ministry, jobs):
    with pytest.raises(EncryptedPdf):
        service.add_document(db_session, ministry["agent"], upload("chiffre.pdf"), ministry["CEET"])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Document)) == 0
    assert events(db_session, "ged.document.ajoute") == []
    assert list(service.store_of(db_session).addresses()) == []
    assert jobs.submitted == []


def test_a_new_version_becomes_current_and_earlier_ones_stay_downloadable(
    db_session, ministry, add, jobs
):
    document = add("lettre-propre.png")
    version = service.add_version(db_session, ministry["agent"], document.id,
                                  upload("nee-numerique.pdf"))
    db_session.commit()
    jobs.run_all()
    assert (version.number, document.current_number) == (2, 2)
    first = service.download(db_session, ministry["agent"], document.id, 1)
    assert first.path.read_bytes() == upload("lettre-propre.png").stream.read()
    assert first.filename == "lettre-propre.png" and first.media_type == "image/png"
    assert service.version_of(document, None).kind == "pdf"
    assert len(events(db_session, "ged.version.ajoutee")) == 1


def test_reading_ends_with_pages_text_and_index_hand_off(db_session, add, jobs):
    from ged import search

    document = add("mixte.pdf")
    jobs.run_all()
    db_session.expire_all()
    version = document.current
    assert version.status == "terminee" and version.page_count == 2
    assert [p.source for p in version.pages] == ["texte", "ocr"]
    assert version.searchable_sha256 and version.thumbnail_sha256
    # The search job queued by the hand-off has run too (ged.search.jobs).
    assert document.index_status == "indexe"
    assert "\f" in search.indexable_text(db_session, document.id)
    search.index_document(db_session, document.id)
    assert search.pending(db_session, Document) == {document.id: document.index_requested_at}
    modified = document.updated_at
    # A request older than the record's last one does not mark it indexed.
    assert not search.mark_indexed(db_session, Document, document.id, version.created_at)
    assert search.mark_indexed(db_session, Document, document.id, document.index_requested_at)
    assert search.pending(db_session, Document) == {}
    db_session.expire_all()
    assert document.index_status == "indexe" and document.updated_at == modified


def test_unreadable_file_marks_the_version_failed_and_keeps_the_original(db_session, ministry,
                                                                         add, jobs):
    document = add("image-tronquee.png")
    jobs.run_all()
    db_session.expire_all()
    version = document.current
    assert version.status == "echec" and "illisible" in version.reason
    assert service.download(db_session, ministry["agent"], document.id).path.is_file()
    assert len(events(db_session, "ged.extraction.echouee")) == 1


def test_retry_runs_a_failed_reading_again_and_refuses_a_finished_one(db_session, ministry, add,
                                                                      jobs):
    failed, done = add("image-tronquee.png"), add("nee-numerique.pdf")
    jobs.run_all()
    db_session.expire_all()
    version = service.retry(db_session, ministry["agent"], failed.id)
    assert version.status == "en_attente" and version.reason is None
    db_session.commit()
    jobs.run_all()
    db_session.expire_all()
    assert failed.current.attempts == 2 and failed.current.status == "echec"
    with pytest.raises(NotRetryable):
        service.retry(db_session, ministry["agent"], done.id)


def test_running_the_job_twice_does_not_read_a_finished_version_again(db_session, add, jobs):
    from ged.jobs import extract_version

    document = add("nee-numerique.pdf")
    jobs.run_all()
    from core.runtime import activated

    with activated(jobs.runtime):
        extract_version(document.current.id)
    db_session.expire_all()
    assert document.current.attempts == 1 and len(document.current.pages) == 2


def test_other_entity_cannot_see_the_document_and_is_told_it_does_not_exist(db_session, ministry,
                                                                            add):
    document = add("lettre-propre.png")
    with pytest.raises(DocumentNotFound):
        service.get_document(db_session, ministry["arse"], document.id)
    assert list_documents(db_session, ministry["arse"], Filters()).total == 0
    assert list_documents(db_session, ministry["agent"], Filters()).total == 1


@pytest.mark.parametrize(("level", "readers"), [
    ("normal", {"agent", "chef", "responsable", "superviseur"}),
    ("confidentiel", {"chef", "responsable"}),
    ("secret", {"responsable"}),
])
def test_confidentiality_narrows_who_reads_among_the_entity(db_session, ministry, add, level,
                                                             readers):
    document = add("nee-numerique.pdf", user=ministry["responsable"], confidentiality=level)
    for who in ("agent", "chef", "responsable", "superviseur"):
        visible = list_documents(db_session, ministry[who], Filters()).total == 1
        assert visible == (who in readers), who
        if who not in readers:
            with pytest.raises(DocumentNotFound):
                service.download(db_session, ministry[who], document.id)


def test_one_cannot_file_a_document_one_could_not_read(db_session, ministry):
    with pytest.raises(PermissionDenied, match="secret"):
        service.add_document(db_session, ministry["agent"], upload("lettre-propre.png"),
                             ministry["CEET"], confidentiality="secret")


def test_supervisor_reads_but_may_not_add(db_session, ministry):
    with pytest.raises(PermissionDenied):
        service.add_document(db_session, ministry["superviseur"], upload("lettre-propre.png"),
                             ministry["CEET"])


def test_metadata_change_is_recorded_field_by_field(db_session, ministry, add):
    document = add("lettre-propre.png")
    service.update_metadata(db_session, ministry["chef"], document.id, title="Réclamation",
                            tags="facture, réclamation", document_date="2025-03-12",
                            confidentiality="confidentiel")
    [event] = events(db_session, "ged.document.modifie")
    assert event.data["title"] == {"avant": "lettre-propre", "apres": "Réclamation"}
    assert event.data["tags"]["apres"] == ["facture", "réclamation"]
    assert document.document_date.isoformat() == "2025-03-12"
    with pytest.raises(ValidationError, match="AAAA-MM-JJ"):
        service.update_metadata(db_session, ministry["chef"], document.id, document_date="12/03")


def test_download_is_recorded_but_thumbnails_are_not(db_session, ministry, add, jobs):
    document = add("lettre-propre.png")
    jobs.run_all()
    db_session.expire_all()
    service.download(db_session, ministry["agent"], document.id, None, "recherchable")
    service.download(db_session, ministry["agent"], document.id, None, "vignette")
    [event] = events(db_session, "ged.document.telecharge")
    assert event.data == {"version": 1, "fichier": "recherchable"}


def test_same_file_twice_is_stored_once_but_makes_two_documents(db_session, add):
    first, second = add("lettre-propre.png"), add("lettre-propre.png")
    assert first.id != second.id and first.current.sha256 == second.current.sha256
    assert db_session.scalar(select(func.count()).select_from(DocumentVersion)) == 2


def test_file_over_the_size_limit_is_refused_and_not_stored(db_session, ministry, runtime):
    from dataclasses import replace

    from ged.errors import FileTooLarge

    runtime.settings = replace(runtime.settings, max_upload_mb=0)
    with pytest.raises(FileTooLarge, match="taille maximale"):
        service.add_document(db_session, ministry["agent"], upload("lettre-propre.png"),
                             ministry["CEET"])
    assert list(service.store_of(db_session).addresses()) == []
