"""The extraction job: one per version, safe to run twice, progress written page by page."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core import audit
from core.db import utcnow
from core.errors import TransientError
from core.jobs import JobTimedOut, enqueue, job_session
from core.runtime import Runtime, current
from ged import search
from ged.errors import ExtractionFailed
from ged.extraction import PageOutcome, PageReader, extractor_for
from ged.extraction.searchable import assemble
from ged.extraction.tesseract import Tesseract
from ged.models import UNREAD, Document, DocumentVersion, Page
from ged.service import EXTRACTION_JOB
from ged.storage import FileStore

log = logging.getLogger(__name__)


def file_store() -> FileStore:
    return FileStore(current().settings.storage_dir)


def _start(version_id: int) -> tuple[int, str, str] | None:
    """Take the version for this run; None when there is nothing (more) to do."""
    with job_session() as session:
        version = session.get(DocumentVersion, version_id)
        if version is None or version.status == "terminee":
            return None
        version.attempts += 1
        version.status, version.reason = "en_cours", None
        version.started_at, version.finished_at = utcnow(), None
        version.pages_done = 0
        version.pages.clear()  # a run again starts from the first page
        return version.attempts, version.kind, version.sha256


def _ours(session: Session, version_id: int, attempt: int) -> DocumentVersion | None:
    """The version, if no later run has taken it over (then this run stops writing)."""
    version = session.get(DocumentVersion, version_id)
    return version if version is not None and version.attempts == attempt else None


def _save_page(version_id: int, attempt: int, outcome: PageOutcome, store: FileStore) -> bool:
    # Files are written before the transaction starts: on SQLite it holds the database's write
    # lock, which the other workers wait for.
    thumbnail = store.put_bytes(outcome.thumbnail).sha256 if outcome.thumbnail else None
    with job_session() as session:
        version = _ours(session, version_id, attempt)
        if version is None:
            return False
        session.add(Page(
            version_id=version_id, number=outcome.number, text=outcome.text, source=outcome.source,
            confidence=outcome.confidence, rotation=outcome.rotation, seconds=outcome.seconds,
        ))
        version.pages_done = outcome.number
        if thumbnail is not None:  # shown in the lists while the rest is being read
            version.thumbnail_sha256 = thumbnail
        return True


def _finish(version_id: int, attempt: int, failure: str | None = None,
            searchable: str | None = None) -> None:
    with job_session() as session:
        version = _ours(session, version_id, attempt)
        if version is None:
            return
        version.finished_at = utcnow()
        version.status = "echec" if failure else "terminee"
        version.reason = failure
        if failure is None:
            version.page_count = version.pages_done
            version.searchable_sha256 = searchable
        document = session.get(Document, version.document_id)
        audit.record(
            session, None, "ged.extraction." + ("echouee" if failure else "terminee"),
            "ged_version", version.id, entity_id=document.entity_id if document else None,
            data={"document": version.document_id, "version": version.number,
                  "pages": version.pages_done, **({"raison": failure} if failure else {})},
            actor_name="systeme",
        )
        if failure is None and document is not None and document.current_number == version.number:
            search.index_document(session, document.id)


def _read(version_id: int, attempt: int, kind: str, original: Path, store: FileStore) -> str | None:
    """Read every page; return the address of the searchable PDF (None when no page was OCR'd)."""
    if not original.is_file():
        raise ExtractionFailed("le fichier original est introuvable dans le stockage.")
    settings = current().settings
    with tempfile.TemporaryDirectory(prefix="atd-ocr-") as tmp:
        reader = PageReader(Tesseract(settings.ocr_lang), Path(tmp))
        page_pdfs: list[tuple[int, Path | None]] = []
        for outcome in extractor_for(kind).pages(original, reader):
            if not _save_page(version_id, attempt, outcome, store):
                return None
            page_pdfs.append((outcome.number, outcome.pdf))
        if not page_pdfs:
            raise ExtractionFailed("le document ne contient aucune page.")
        if all(pdf is None for _, pdf in page_pdfs):
            return None
        out = Path(tmp) / "searchable.pdf"
        assemble(original, kind, page_pdfs, out)
        return store.put_file(out).sha256


def extract_version(version_id: int) -> None:
    """Read the text of every page of a version; a failure marks it ``echec`` with the reason."""
    started = _start(version_id)
    if started is None:
        return
    attempt, kind, sha256 = started
    store = file_store()
    try:
        searchable = _read(version_id, attempt, kind, store.path(sha256), store)
    except OperationalError as exc:  # the database went away: worth trying again later
        raise TransientError(f"base de données indisponible ({exc.orig})") from exc
    except ExtractionFailed as exc:
        _finish(version_id, attempt, failure=str(exc))
        return
    except JobTimedOut:  # the worker's limit on one job: a long scan needs a higher one
        limit = current().settings.job_timeout_seconds
        _finish(version_id, attempt, failure=f"lecture interrompue au bout de {limit} s, la durée "
                "maximale d'une tâche (ATD_JOB_TIMEOUT_SECONDS).")
        return
    except Exception as exc:  # noqa: BLE001  (any bug or library error: record it, keep the file)
        log.exception("extraction of version %s failed", version_id)
        _finish(version_id, attempt, failure=f"erreur inattendue pendant la lecture ({exc}).")
        return
    _finish(version_id, attempt, searchable=searchable)


def resume(runtime: Runtime) -> None:
    """Queue again what the embedded pool lost when its process stopped: the reading of every
    version not finished (a run again starts from the first page) and the indexing of every
    record still waiting for it. rq keeps its jobs in Redis and needs none of this."""
    with runtime.session() as session:
        unread = select(DocumentVersion.id).where(DocumentVersion.status.in_(UNREAD))
        for version_id in session.scalars(unread.order_by(DocumentVersion.id)).all():
            enqueue(session, EXTRACTION_JOB, version_id)
        enqueue(session, search.INDEX_JOB)
