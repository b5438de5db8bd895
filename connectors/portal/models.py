"""Tables of the portal connector: publication state, outbox, cursor, dossiers, quarantine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.identity import Demarche

# Publication states of a démarche, as the catalogue pages name them.
PUBLICATION_LABELS = {
    "non_publiee": "Non publiée",
    "a_publier": "À publier",
    "publiee": "Publiée",
    "echec": "Échec",
}
# Outbox message states: ``echec`` is the dead letter, ``remplace`` a message superseded by a
# newer content before it could be sent.
OUTBOX_STATES = ("a_envoyer", "en_cours", "envoye", "echec", "remplace")
OUTBOX_KINDS = ("demarche", "dossier_etat")
DOSSIER_STATES = ("en_construction", "en_instruction", "accepte", "refuse", "sans_suite")
DOSSIER_LABELS = {
    "en_construction": "En construction",
    "en_instruction": "En instruction",
    "accepte": "Accepté",
    "refuse": "Refusé",
    "sans_suite": "Classé sans suite",
}


class Publication(Base):
    """Whether a démarche is to be on the portal, and what the portal last acknowledged."""

    __tablename__ = "portal_publication"

    demarche_id: Mapped[int] = mapped_column(ForeignKey("demarche.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), default="a_publier")
    published_version: Mapped[int | None] = mapped_column(Integer)
    published_hash: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    demarche: Mapped[Demarche] = relationship()


class OutboxMessage(Base):
    """One thing to tell the portal, written in the transaction of the change it reports."""

    __tablename__ = "portal_outbox"
    __table_args__ = (
        Index("ix_portal_outbox_due", "status", "next_attempt_at"),
        Index("ix_portal_outbox_key", "kind", "key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The démarche's code, or the portal's id of a dossier.
    key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="a_envoyer")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender holds the message until then; past it, a crashed sender's claim is void.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalState(Base):
    """Small named values that must survive restarts: the pull cursor, the last push and pull."""

    __tablename__ = "portal_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(400), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PortalDossier(Base):
    """A dossier of the portal, imported once as a courrier arrivée."""

    __tablename__ = "portal_dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[str] = mapped_column(String(80), unique=True)
    number: Mapped[str] = mapped_column(String(80))
    demarche_code: Mapped[str] = mapped_column(String(60), index=True)
    courrier_id: Mapped[int] = mapped_column(ForeignKey("courrier.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QuarantinedDossier(Base):
    """A dossier that could not be imported, kept whole with the reason, for a person to see."""

    __tablename__ = "portal_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the payload: the same broken dossier pulled again is not quarantined twice.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    portal_id: Mapped[str] = mapped_column(String(80), default="")
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookReceipt(Base):
    """Each webhook body accepted once; the same body again is a replay and is refused."""

    __tablename__ = "portal_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
