"""Tables of the courrier: courriers, correspondents, chrono counters, routing, links, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.identity import Entity, User

DIRECTIONS = ("arrivee", "depart", "interne")
DIRECTION_LETTERS = {"arrivee": "A", "depart": "D", "interne": "I"}
DIRECTION_LABELS = {"arrivee": "Arrivée", "depart": "Départ", "interne": "Interne"}
CHANNELS = ("physique", "email", "portail", "fax", "main_propre")
CHANNEL_LABELS = {
    "physique": "Courrier physique",
    "email": "Courriel",
    "portail": "Portail des services publics",
    "fax": "Télécopie",
    "main_propre": "Remis en main propre",
}
PRIORITY_LABELS = {"normale": "Normale", "urgente": "Urgente", "tres_urgente": "Très urgente"}
CONFIDENTIALITY = ("normal", "confidentiel", "secret")
CONFIDENTIALITY_LABELS = {"normal": "Normal", "confidentiel": "Confidentiel", "secret": "Secret"}
INSTRUCTIONS = ("attribution", "copie", "avis")
INSTRUCTION_LABELS = {"attribution": "Attribution", "copie": "Copie", "avis": "Avis"}
CORRESPONDENT_KINDS = ("personne", "organisation")
LINK_KINDS = ("reponse", "suite")
ATTACHMENT_ROLES = ("scan", "projet", "lettre_signee", "annexe")
ATTACHMENT_LABELS = {
    "scan": "Numérisation", "projet": "Projet de réponse", "lettre_signee": "Lettre signée",
    "annexe": "Annexe",
}
REMINDER_KINDS = ("avant_echeance", "retard", "chef", "avis_retard")
INDEX_WAITING = "index_status = 'a_indexer'"


class Correspondent(Base):
    """A person or an organisation that writes to or receives letters from the ministry."""

    __tablename__ = "courrier_correspondent"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    # The normalised identity (kind, name, organisation): one row per real correspondent.
    key: Mapped[str] = mapped_column(String(620), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class ChronoCounter(Base):
    """The last chrono number given per entity, direction and year; locked to take the next."""

    __tablename__ = "courrier_chrono"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    direction: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Courrier(Base):
    """An official letter: arrivée, départ or interne, with its chrono number and its state."""

    __tablename__ = "courrier"
    __table_args__ = (
        UniqueConstraint("entity_id", "direction", "year", "seq"),
        # The inboxes: newest first within a status, per entity or per holder.
        Index("ix_courrier_status_entity", "status", "entity_id", "id"),
        Index("ix_courrier_holder_status", "holder_id", "status", "id"),
        Index("ix_courrier_holder_entity_status", "holder_entity_id", "status", "id"),
        Index("ix_courrier_overdue_entity", "overdue", "entity_id", "id"),
        # The courriers waiting for the search index (ged.search.pending), oldest first.
        Index("ix_courrier_index_waiting", "index_requested_at", "id",
              postgresql_where=text(INDEX_WAITING), sqlite_where=text(INDEX_WAITING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    direction: Mapped[str] = mapped_column(String(10))
    chrono: Mapped[str] = mapped_column(String(60), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    received_on: Mapped[date | None] = mapped_column(Date)
    letter_date: Mapped[date | None] = mapped_column(Date)
    sender_reference: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("courrier_correspondent.id"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("courrier_correspondent.id"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(20))
    confidentiality: Mapped[str] = mapped_column(String(20), default="normal")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    # The current attribution, copied here so that inboxes need no join.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    holder_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set by ged.search.request_index when a change must reach the search index.
    index_status: Mapped[str | None] = mapped_column(String(20))
    index_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    indexed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entity: Mapped[Entity] = relationship(foreign_keys=[entity_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    sender: Mapped[Correspondent | None] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Correspondent | None] = relationship(foreign_keys=[recipient_id])
    holder: Mapped[User | None] = relationship(foreign_keys=[holder_id])
    holder_entity: Mapped[Entity | None] = relationship(foreign_keys=[holder_entity_id])
    imputations: Mapped[list[Imputation]] = relationship(
        back_populates="courrier", order_by="Imputation.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="courrier", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[Step]] = relationship(
        back_populates="courrier", order_by="Step.id", cascade="all, delete-orphan"
    )

    @property
    def correspondent(self) -> Correspondent | None:
        """The party outside: the sender of an arrivée, the recipient of a départ."""
        return self.recipient if self.direction == "depart" else self.sender or self.recipient

    def __repr__(self) -> str:
        return f"<Courrier {self.chrono}>"


class Imputation(Base):
    """A routing of a courrier to a service or an agent: attribution, copie or avis."""

    __tablename__ = "courrier_imputation"
    __table_args__ = (
        # Exactly one holder at a time: at most one active attribution per courrier.
        Index(
            "uq_courrier_imputation_attribution_active",
            "courrier_id",
            unique=True,
            sqlite_where=text("kind = 'attribution' AND active"),
            postgresql_where=text("kind = 'attribution' AND active"),
        ),
        Index("ix_courrier_imputation_user_kind", "user_id", "kind", "active"),
        Index("ix_courrier_imputation_entity_kind", "entity_id", "kind", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    courrier_id: Mapped[int] = mapped_column(
        ForeignKey("courrier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    instruction: Mapped[str] = mapped_column(Text, default="")
    routed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    courrier: Mapped[Courrier] = relationship(back_populates="imputations")
    entity: Mapped[Entity] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    routed_by: Mapped[User] = relationship(foreign_keys=[routed_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def target_label(self) -> str:
        return f"{self.user.name} ({self.entity.code})" if self.user else self.entity.name


class CourrierLink(Base):
    """A link between two courriers: ``source`` is the reply to, or the follow-up of, ``target``."""

    __tablename__ = "courrier_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("courrier.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(
        ForeignKey("courrier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    source: Mapped[Courrier] = relationship(foreign_keys=[source_id])
    target: Mapped[Courrier] = relationship(foreign_keys=[target_id])


class Attachment(Base):
    """A GED document attached to a courrier: its scan, the signed letter, an annex."""

    __tablename__ = "courrier_attachment"
    __table_args__ = (UniqueConstraint("courrier_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courrier_id: Mapped[int] = mapped_column(ForeignKey("courrier.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(ForeignKey("ged_document.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    courrier: Mapped[Courrier] = relationship(back_populates="attachments")


class Step(Base):
    """One step of a courrier's history (its timeline); the event log holds the same facts."""

    __tablename__ = "courrier_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    courrier_id: Mapped[int] = mapped_column(
        ForeignKey("courrier.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    status_from: Mapped[str | None] = mapped_column(String(20))
    status_to: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    courrier: Mapped[Courrier] = relationship(back_populates="steps")


class Reminder(Base):
    """A reminder shown to a user in the app (and e-mailed when SMTP is configured)."""

    __tablename__ = "courrier_reminder"
    # The deadline is part of the key: the periodic job can run twice without reminding twice.
    __table_args__ = (UniqueConstraint("courrier_id", "user_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courrier_id: Mapped[int] = mapped_column(ForeignKey("courrier.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    courrier: Mapped[Courrier] = relationship()
    user: Mapped[User] = relationship()


class AnnouncedHoliday(Base):
    """A public holiday whose date is set each year (Aïd el-Fitr, Tabaski), entered by hand."""

    __tablename__ = "courrier_holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class CourrierSettings(Base):
    """How an entity (and the entities below it that set nothing) handles deadlines and replies."""

    __tablename__ = "courrier_settings"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    remind_before_days: Mapped[int | None] = mapped_column(Integer)
    head_after_days: Mapped[int | None] = mapped_column(Integer)
    close_on_send: Mapped[bool | None] = mapped_column(Boolean)
