"""Receiving the portal's signed webhook: check it, refuse replays, then pull.

The webhook is a doorbell: the dossiers themselves come in through the pull with its cursor,
the one import path, so a dossier announced twice (or announced and pulled) is imported once.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.errors import WebhookReplayed
from connectors.portal import signature
from connectors.portal.models import WebhookReceipt
from core import audit
from core.jobs import enqueue
from core.runtime import runtime_of

PULL_JOB = "connectors.portal.pull_jobs.pull_dossiers"


def receive(session: Session, timestamp: str | None, signed: str | None, body: bytes,
            now: float) -> WebhookReceipt:
    """Accept one webhook and queue a pull after the commit.

    Raises:
        WebhookRefused: wrong or missing signature, timestamp out of tolerance (401).
        WebhookReplayed: this very body was already received (409).
    """
    secret = runtime_of(session).settings.portal_webhook_secret
    sent = signature.verify(secret, timestamp, signed, body, now)
    digest = hashlib.sha256(body).hexdigest()
    if session.scalars(select(WebhookReceipt).where(WebhookReceipt.digest == digest)).first():
        raise WebhookReplayed("Webhook déjà reçu : rejeu refusé.")
    receipt = WebhookReceipt(digest=digest, sent_at=datetime.fromtimestamp(sent, UTC))
    session.add(receipt)
    session.flush()  # a concurrent twin fails here on the unique digest
    audit.record(session, None, "portail.webhook.recu", "portail_webhook", receipt.id, None,
                 {"empreinte": digest}, actor_name="portail")
    enqueue(session, PULL_JOB)
    return receipt
