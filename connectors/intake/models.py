"""The intake queue: scans and e-mails waiting for the mail office to register them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.identity import Entity

INTAKE_SOURCES = ("scanner", "courriel")
# ``classe``: filed straight into the GED (a hot folder configured so), never a courrier.
INTAKE_STATES = ("en_attente", "enregistre", "ecarte", "classe")
INTAKE_LABELS = {"en_attente": "En attente", "enregistre": "Enregistré", "ecarte": "Écarté",
                 "classe": "Classé dans la GED"}


class IntakeItem(Base):
    """A scan or an e-mail taken in once, waiting to become a registered courrier."""

    __tablename__ = "intake_item"
    __table_args__ = (Index("ix_intake_item_queue", "status", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    # What makes it the same item if seen again: ``scanner:<folder>:<sha256>`` or the
    # e-mail's Message-ID; a second sighting is recognised, never taken twice.
    source_key: Mapped[str] = mapped_column(String(500), unique=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    status: Mapped[str] = mapped_column(String(20), default="en_attente")
    title: Mapped[str] = mapped_column(String(500), default="")
    sender_name: Mapped[str] = mapped_column(String(300), default="")
    sender_email: Mapped[str] = mapped_column(String(254), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    document_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    courrier_id: Mapped[int | None] = mapped_column(ForeignKey("courrier.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    entity: Mapped[Entity] = relationship()
