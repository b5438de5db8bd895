"""GED operations: add documents and versions, change metadata, read, download, run again.

Every function takes the caller's session and never commits; ``user`` None is the command
line's operator. Each change and each download writes an event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import NotFound, ValidationError
from core.forms import parse_day
from core.identity import Entity, User, entity_by_code
from core.jobs import enqueue
from core.runtime import runtime_of
from ged import access, filetypes, search
from ged.errors import NotRetryable, StoredFileMissing
from ged.models import CONFIDENTIALITY, Document, DocumentVersion
from ged.storage import FileStore, Staged

EXTRACTION_JOB = "ged.jobs.extract_version"
EDITABLE = ("title", "doc_type", "classification", "confidentiality", "tags", "extra", "author",
            "document_date")


@dataclass(frozen=True)
class Upload:
    """A file as received: its name as the person gave it, and its bytes."""

    filename: str
    stream: IO[bytes]


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    media_type: str


def store_of(session: Session) -> FileStore:
    return FileStore(runtime_of(session).settings.storage_dir)


def _actor(user: User | None) -> dict[str, Any]:
    return {"actor": user, "actor_name": None if user else "cli"}


def _clean_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip()
    return (name or "document")[:255]


def _metadata(values: dict[str, Any]) -> dict[str, Any]:
    """Validate the editable fields given (French messages); unknown keys are refused."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Champ inconnu : {sorted(unknown)[0]}.")
    clean = dict(values)
    if "title" in clean:
        clean["title"] = str(clean["title"] or "").strip()[:300]
        if not clean["title"]:
            raise ValidationError("Le titre ne peut pas être vide.")
    if "confidentiality" in clean and clean["confidentiality"] not in CONFIDENTIALITY:
        raise ValidationError("Confidentialité inconnue : normal, confidentiel ou secret.")
    if "tags" in clean:
        tags = clean["tags"]
        items = tags.split(",") if isinstance(tags, str) else list(tags or [])
        clean["tags"] = sorted({str(t).strip() for t in items if str(t).strip()})
    if "extra" in clean and not isinstance(clean["extra"], dict):
        raise ValidationError("Les métadonnées libres doivent être un objet clé → valeur.")
    if isinstance(clean.get("document_date"), str):
        clean["document_date"] = _parse_date(clean["document_date"])
    for key, length in (("doc_type", 60), ("classification", 60), ("author", 200)):
        if key in clean:
            clean[key] = str(clean[key] or "").strip()[:length]
    return clean


def _parse_date(text: str) -> date | None:
    return parse_day(text, "Date du document invalide (format AAAA-MM-JJ).")


def resolve_entity(session: Session, code: str) -> Entity:
    entity = entity_by_code(session, code)
    if entity is None:
        raise NotFound(f"Entité inconnue : {code}.")
    return entity


@dataclass(frozen=True)
class CheckedUpload:
    """An upload copied to the store's staging area and accepted by its content."""

    filename: str
    staged: Staged
    kind: filetypes.FileType


@contextmanager
def checked_uploads(session: Session, uploads: Iterable[Upload]
                    ) -> Iterator[list[CheckedUpload]]:
    """Copy and check the uploads now, before the caller's transaction takes its locks.

    Copying, syncing and reading a file's structure is the slow part of adding it; a
    courrier's registration does it before taking its chrono number, which every other
    registration waits for. Files the block did not turn into versions are removed at its end.

    Raises:
        RefusedFile: a file is not accepted (reason in French); nothing is kept.
    """
    settings = runtime_of(session).settings
    store = store_of(session)
    with ExitStack() as stack:
        checked = []
        for upload in uploads:
            staged = stack.enter_context(
                store.staging(upload.stream, settings.max_upload_mb * 1024 * 1024))
            kind = filetypes.inspect(staged.path, settings.max_image_pixels)
            checked.append(CheckedUpload(upload.filename, staged, kind))
        yield checked


def _new_version(session: Session, document: Document, user: User | None,
                 upload: Upload | CheckedUpload) -> DocumentVersion:
    if isinstance(upload, Upload):
        with checked_uploads(session, [upload]) as (checked,):
            return _new_version(session, document, user, checked)
    stored, kind = store_of(session).keep(upload.staged), upload.kind
    document.current_number += 1
    version = DocumentVersion(
        number=document.current_number, filename=_clean_name(upload.filename), kind=kind.kind,
        media_type=kind.media_type, size=stored.size, sha256=stored.sha256, page_count=kind.pages,
        status="en_attente", created_by_id=user.id if user else None,
    )
    document.versions.append(version)
    session.flush()
    enqueue(session, EXTRACTION_JOB, version.id)
    return version


def add_document(session: Session, user: User | None, upload: Upload | CheckedUpload,
                 entity: Entity, **fields: Any) -> Document:
    """Store the file, create the document and its first version, and queue its reading.

    Raises:
        RefusedFile: the file is not accepted (reason in French); nothing is written.
        PermissionDenied: the user may not add documents in this entity.
    """
    values = _metadata(fields)
    values.setdefault("title", Path(_clean_name(upload.filename)).stem or "Document")
    values.setdefault("confidentiality", "normal")
    access.require_write(session, user, entity.id, values["confidentiality"])
    document = Document(entity_id=entity.id, created_by_id=user.id if user else None,
                        current_number=0, **values)
    session.add(document)
    version = _new_version(session, document, user, upload)
    audit.record(session, action="ged.document.ajoute", object_type="ged_document",
                 object_id=document.id, entity_id=entity.id,
                 data={"titre": document.title, "fichier": version.filename,
                       "sha256": version.sha256, "taille": version.size}, **_actor(user))
    return document


def get_document(session: Session, user: User | None, document_id: int) -> Document:
    """The document if the user may read it (else DocumentNotFound, whether it exists or not)."""
    return access.require_read(session, user, session.get(Document, document_id))


def add_version(
    session: Session, user: User | None, document_id: int, upload: Upload
) -> DocumentVersion:
    """A new current version; the earlier ones stay downloadable."""
    document = get_document(session, user, document_id)
    access.require_write(session, user, document.entity_id, document.confidentiality)
    version = _new_version(session, document, user, upload)
    audit.record(session, action="ged.version.ajoutee", object_type="ged_document",
                 object_id=document.id, entity_id=document.entity_id,
                 data={"version": version.number, "fichier": version.filename,
                       "sha256": version.sha256}, **_actor(user))
    return version


def update_metadata(
    session: Session, user: User | None, document_id: int, **changes: Any
) -> Document:
    """Change the document's metadata; the event lists each field changed, before and after."""
    document = get_document(session, user, document_id)
    values = _metadata(changes)
    access.require_write(session, user, document.entity_id, document.confidentiality)
    if "confidentiality" in values:
        access.require_write(session, user, document.entity_id, values["confidentiality"])
    changed = {key: (getattr(document, key), value) for key, value in values.items()
               if getattr(document, key) != value}
    for key, (_before, after) in changed.items():
        setattr(document, key, after)
    if changed:
        audit.record(session, action="ged.document.modifie", object_type="ged_document",
                     object_id=document.id, entity_id=document.entity_id,
                     data={key: {"avant": before, "apres": after}
                           for key, (before, after) in changed.items()}, **_actor(user))
        if document.index_status is not None:  # the index holds its title and its readers
            search.index_document(session, document.id)
    return document


def version_of(document: Document, number: int | None) -> DocumentVersion:
    wanted = document.current_number if number is None else number
    for version in document.versions:
        if version.number == wanted:
            return version
    raise NotFound("Version introuvable.")


VARIANTS = ("original", "recherchable", "vignette")


def download(session: Session, user: User | None, document_id: int, number: int | None = None,
             variant: str = "original") -> Download:
    """A file of a version: the original, its searchable PDF, or its thumbnail (not logged)."""
    document = get_document(session, user, document_id)
    version = version_of(document, number)
    stem = Path(version.filename).stem
    if variant == "original":
        sha, name, media = version.sha256, version.filename, version.media_type
    elif variant == "recherchable" and version.searchable_sha256:
        sha, name, media = version.searchable_sha256, f"{stem}-recherchable.pdf", "application/pdf"
    elif variant == "vignette" and version.thumbnail_sha256:
        sha, name, media = version.thumbnail_sha256, f"{stem}-vignette.png", "image/png"
    else:
        raise NotFound("Ce fichier n'existe pas pour cette version.")
    path = store_of(session).path(sha)
    if not path.is_file():
        raise StoredFileMissing(
            "Le fichier est introuvable dans le stockage : prévenez l'administrateur."
        )
    if variant != "vignette":  # thumbnails fill the lists; logging each would drown the log
        audit.record(session, action="ged.document.telecharge", object_type="ged_document",
                     object_id=document.id, entity_id=document.entity_id,
                     data={"version": version.number, "fichier": variant}, **_actor(user))
    return Download(path, name, media)


def record_consultation(session: Session, user: User | None, document: Document) -> None:
    """Reading a confidential or secret document's text leaves a trace; normal ones do not."""
    if document.confidentiality != "normal":
        audit.record(session, action="ged.document.consulte", object_type="ged_document",
                     object_id=document.id, entity_id=document.entity_id, **_actor(user))


def read_document(session: Session, user: User | None,
                  document_id: int) -> tuple[Document, DocumentVersion]:
    """The document and its current version (then ``record_consultation`` when shown)."""
    document = get_document(session, user, document_id)
    return document, version_of(document, None)


def retry(session: Session, user: User | None, document_id: int) -> DocumentVersion:
    """Queue the reading of the current version again (after a failure, or a stuck run)."""
    document = get_document(session, user, document_id)
    access.require_write(session, user, document.entity_id, document.confidentiality)
    version = version_of(document, None)
    if version.status == "terminee":
        raise NotRetryable("La lecture de ce document est déjà terminée.")
    version.status, version.reason = "en_attente", None
    audit.record(session, action="ged.extraction.relancee", object_type="ged_version",
                 object_id=version.id, entity_id=document.entity_id,
                 data={"document": document.id, "version": version.number}, **_actor(user))
    enqueue(session, EXTRACTION_JOB, version.id)
    return version


def stored_addresses(session: Session) -> Iterable[str]:
    """Every address the database refers to: originals, searchable PDFs, thumbnails."""
    rows = session.execute(select(DocumentVersion.sha256, DocumentVersion.searchable_sha256,
                                  DocumentVersion.thumbnail_sha256))
    for row in rows:
        yield from (sha for sha in row if sha)

