"""The outbox: what the portal must be told, written in the transaction of the change.

A message is claimed by one sender at a time (a lease, so a crashed sender's claim expires),
sent, then marked sent, rescheduled with exponential backoff and jitter, or dead-lettered
after ``ATD_PORTAL_MAX_ATTEMPTS`` attempts. Content already sent or queued is never queued
again: each message carries its content hash.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from connectors.portal.contract import canonical_hash
from connectors.portal.models import OutboxMessage
from core.db import utcnow
from core.jobs import enqueue
from core.settings import Settings

PUSH_JOB = "connectors.portal.jobs.push_outbox"
# Set in ``session.info`` by a caller that sends the outbox itself (``atd portal publish``):
# a background push would only compete with it for the same messages.
SENDS_ITSELF = "atd.portal.sends_itself"
PENDING = ("a_envoyer", "en_cours")
LIVE = ("a_envoyer", "en_cours", "echec")
# Past a few hours between two attempts, a longer wait only delays the recovery.
MAX_DELAY_SECONDS = 6 * 3600.0


def retry_delay(attempt: int, base: float) -> float:
    """Seconds before the next attempt after ``attempt`` failures: doubling, ±50 % jitter."""
    delay = min(base * 2 ** (attempt - 1), MAX_DELAY_SECONDS)
    return delay * random.uniform(0.5, 1.5)


def live_message(session: Session, kind: str, key: str) -> OutboxMessage | None:
    """The message of this key not yet sent (pending or dead), if any."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == kind, OutboxMessage.key == key,
               OutboxMessage.status.in_(LIVE))
        .order_by(OutboxMessage.id.desc())
    )
    return session.scalars(query).first()


def queue(session: Session, kind: str, key: str, payload: dict[str, Any], digest: str,
          version: int = 0, sent_hash: str | None = None) -> OutboxMessage | None:
    """Queue ``payload`` for the portal unless the same content is already sent or queued.

    Args:
        digest: the content hash that decides what "the same content" is.
        sent_hash: the hash the portal last acknowledged for this key, if known.

    Returns:
        The new message, or None when nothing needs sending.
    """
    live = live_message(session, kind, key)
    if live is not None:
        if live.content_hash == digest:
            return None
        live.status = "remplace"  # a newer content supersedes what was not sent yet
    elif sent_hash == digest:
        return None
    message = OutboxMessage(kind=kind, key=key, version=version, content_hash=digest,
                            payload=payload, status="a_envoyer", attempts=0,
                            next_attempt_at=utcnow())
    session.add(message)
    session.flush()
    wake_sender(session)
    return message


def wake_sender(session: Session) -> None:
    """Have the outbox sent once this transaction commits (unless the caller sends it)."""
    if not session.info.get(SENDS_ITSELF):
        enqueue(session, PUSH_JOB)


def queue_payload(session: Session, kind: str, key: str, payload: dict[str, Any]
                  ) -> OutboxMessage | None:
    """Queue a payload whose hash is its whole content (a dossier's state, for instance)."""
    digest = canonical_hash(payload)
    last_sent = session.scalars(
        select(OutboxMessage.content_hash)
        .where(OutboxMessage.kind == kind, OutboxMessage.key == key,
               OutboxMessage.status == "envoye")
        .order_by(OutboxMessage.id.desc())
    ).first()
    return queue(session, kind, key, payload, digest, sent_hash=last_sent)


def _due(now: datetime) -> Any:
    return or_(
        (OutboxMessage.status == "a_envoyer") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "en_cours") & (OutboxMessage.lease_until < now),
    )


def claim(session: Session, limit: int, lease_seconds: float) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this sender, oldest first, until the lease ends.

    Rows another sender is claiming are skipped (PostgreSQL), or wait for it (SQLite, where
    one writer at a time holds the database anyway).
    """
    now = utcnow()
    query = (
        select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)
    )
    messages = list(session.scalars(query.execution_options(populate_existing=True)))
    for message in messages:
        message.status = "en_cours"
        message.lease_until = now + timedelta(seconds=lease_seconds)
    session.flush()
    return messages


def mark_sent(session: Session, message: OutboxMessage) -> bool:
    """Record the portal's acknowledgement; False when the claim had been lost meanwhile."""
    if message.status != "en_cours":
        return False  # superseded, or the lease expired and another sender took it
    message.status, message.sent_at, message.lease_until = "envoye", utcnow(), None
    message.attempts += 1
    message.last_error = ""
    return True


def mark_failed(session: Session, message: OutboxMessage, error: str, transient: bool,
                settings: Settings) -> bool:
    """Reschedule with backoff, or dead-letter; True when it went to the dead letters."""
    message.attempts += 1
    message.last_error = error[:2000]
    message.lease_until = None
    if message.status != "en_cours":
        return False
    if not transient or message.attempts >= settings.portal_max_attempts:
        message.status = "echec"
        return True
    message.status = "a_envoyer"
    delay = retry_delay(message.attempts, settings.portal_backoff_seconds)
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    return False


def retry_dead_letters(session: Session, kind: str | None = None) -> int:
    """Give dead letters (and waiting messages) a fresh start now; returns how many."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(("echec", "a_envoyer")))
        .values(status="a_envoyer", attempts=0, next_attempt_at=utcnow(), last_error="")
    )
    if kind is not None:
        statement = statement.where(OutboxMessage.kind == kind)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    count = cast(CursorResult[Any], result).rowcount
    if count:
        wake_sender(session)
    return int(count or 0)


def next_due_at(session: Session) -> datetime | None:
    """When the earliest waiting message becomes due (or a claim expires)."""
    waiting = session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == "a_envoyer")
    )
    leased = session.scalar(
        select(func.min(OutboxMessage.lease_until)).where(OutboxMessage.status == "en_cours")
    )
    found = [moment for moment in (waiting, leased) if moment is not None]
    return min(found) if found else None


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    dead: int
    sent: int


def counts(session: Session) -> OutboxCounts:
    rows = dict(
        session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return OutboxCounts(
        pending=int(rows.get("a_envoyer", 0) + rows.get("en_cours", 0)),
        dead=int(rows.get("echec", 0)),
        sent=int(rows.get("envoye", 0)),
    )
