"""The search entry: one row per indexed record, with the fields that filter and rank it.

Each backend keeps its own full-text structure beside it, named ``search_fts…`` (an FTS5
table on SQLite; tsvector columns, their GIN indexes and the ranking window's index on
PostgreSQL); the models do not describe those, and ``include_object`` keeps Alembic's
comparison away from them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow

KINDS = ("document", "courrier")
BACKEND_OBJECTS = "search_fts"


class SearchEntry(Base):
    """What the index knows of a record: its text, and who may read it (entity, level)."""

    __tablename__ = "search_entry"
    __table_args__ = (
        # No index on the permission columns: the full-text index must drive every search
        # (PostgreSQL preferred an entity index, then read each row's vector from TOAST).
        UniqueConstraint("kind", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    record_id: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    confidentiality: Mapped[str] = mapped_column(String(20))
    doc_type: Mapped[str] = mapped_column(String(60), default="")
    # Folded tags between bars ("|rh|budget|"), so one tag is a LIKE on every database.
    tags: Mapped[str] = mapped_column(String(1000), default="|")
    status: Mapped[str] = mapped_column(String(20), default="")
    record_date: Mapped[date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    # The original text, for the snippets; the backends index their own form of it.
    body: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchReader(Base):
    """One reader token of an entry ("u12" a user, "e3" an entity…): a courrier's rights."""

    __tablename__ = "search_reader"
    # The permission filter looks up entries by token.
    __table_args__ = (Index("ix_search_reader_reader", "reader", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("search_entry.id", ondelete="CASCADE"), primary_key=True)
    reader: Mapped[str] = mapped_column(String(40), primary_key=True)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic hook: the backends' own full-text objects are not part of the models."""
    return not (name or "").startswith(BACKEND_OBJECTS)
