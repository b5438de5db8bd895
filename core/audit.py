"""The append-only event log: every state change writes one event, chained by hashes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.identity import User

GENESIS = "0" * 64


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(80))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row holding the last sequence number and hash; locking it serialises appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


def digest(event: Event) -> str:
    """The hash an event carries: its fields and the previous event's hash."""
    payload = {
        "seq": event.seq,
        "at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "entity_id": event.entity_id,
        "data": event.data,
        "prev": event.prev_hash,
    }
    blob = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _head(session: Session) -> AuditHead:
    # populate_existing: sessions keep their objects across commits (expire_on_commit=False),
    # so a head loaded in an earlier transaction would otherwise hide appends made since.
    query = select(AuditHead).where(AuditHead.id == 1).with_for_update()
    head = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> Event:
    """Append one event in the caller's transaction.

    Args:
        actor: the acting user, or None for the system (then ``actor_name`` says who, e.g. "cli").
        action: a dotted verb such as ``entite.creee`` or ``utilisateur.connecte``.
    """
    head = _head(session)
    event = Event(
        seq=head.seq + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor=actor.login if actor else (actor_name or "systeme"),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        entity_id=entity_id,
        # A JSON round trip so the hash is computed on what the database will give back.
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=head.hash,
    )
    event.hash = digest(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute the chain; report the first event that was edited, removed or reordered."""
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        query = select(Event).where(Event.id > last_id).order_by(Event.id).limit(batch)
        # populate_existing: check what the database holds, not what this session remembers.
        rows = session.scalars(query.execution_options(populate_existing=True)).all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "événement manquant")
            if event.prev_hash != previous_hash:
                return VerifyResult(False, checked, event.seq, "chaînage rompu")
            if digest(event) != event.hash:
                return VerifyResult(False, checked, event.seq, "contenu modifié")
            previous_hash, expected_seq = event.hash, expected_seq + 1
            checked += 1
            last_id = event.id
            session.expunge(event)  # keeps memory flat on millions of events
    head = session.get(AuditHead, 1, populate_existing=True)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != previous_hash:
        return VerifyResult(False, checked, checked + 1, "derniers événements supprimés")
    return VerifyResult(True, checked)
