"""Tables of the GED: documents, their versions (one stored file each) and the pages read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.identity import Entity, User

CONFIDENTIALITY = ("normal", "confidentiel", "secret")
STATUSES = ("en_attente", "en_cours", "terminee", "echec")
UNREAD = ("en_attente", "en_cours")  # a version whose reading has not ended
STATUS_LABELS = {
    "en_attente": "En attente",
    "en_cours": "Lecture en cours",
    "terminee": "Terminée",
    "echec": "Échec",
}
PAGE_SOURCES = ("texte", "ocr")
INDEX_STATUSES = ("a_indexer", "indexe")


class Document(Base):
    """A document of an entity; its text is the text of its current (latest) version."""

    __tablename__ = "ged_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(60), default="", index=True)
    classification: Mapped[str] = mapped_column(String(60), default="")
    confidentiality: Mapped[str] = mapped_column(String(20), default="normal")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Free metadata that the ministry's own forms add (e.g. {"reference": "N°123/CEET"}).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(200), default="")
    document_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Number of the current version; the list filters join on it.
    current_number: Mapped[int] = mapped_column(Integer, default=0)
    # The hand-off to the search layer (ged.search): what it still has to index.
    index_status: Mapped[str | None] = mapped_column(String(20), index=True)
    index_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entity: Mapped[Entity] = relationship()
    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None


class DocumentVersion(Base):
    """One file of a document, as uploaded, with the state of its text extraction."""

    __tablename__ = "ged_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("ged_document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="en_attente", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    # Each run takes the next number; a run that finds another one started after it stops writing.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    searchable_sha256: Mapped[str | None] = mapped_column(String(64))
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="version", order_by="Page.number", cascade="all, delete-orphan"
    )

    @property
    def text(self) -> str:
        """The text of every page, pages separated by a form feed."""
        return "\f".join(page.text for page in self.pages)


class Page(Base):
    """The text of one page of a version, and how it was obtained."""

    __tablename__ = "ged_page"
    __table_args__ = (UniqueConstraint("version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("ged_version.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10))
    # Mean of tesseract's word confidences (0–100); None for a page read from its text layer.
    confidence: Mapped[float | None] = mapped_column(Float)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)

    version: Mapped[DocumentVersion] = relationship(back_populates="pages")
