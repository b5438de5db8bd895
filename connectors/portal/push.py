"""Sending the outbox to the portal: claim due messages, send each, record the outcome.

Each message is claimed, sent and recorded in separate short transactions, so no database
lock is held while the portal answers, and a crash leaves at most a lease that expires.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from connectors.errors import PortalRefused, PortalUnavailable
from connectors.portal import outbox, publication
from connectors.portal.client import PortalClient
from connectors.portal.models import OutboxMessage
from connectors.portal.state import LAST_PUSH, set_state
from core.db import utcnow
from core.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 20


@dataclass
class PushReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0

    def line(self) -> str:
        return (f"{self.sent} message(s) envoyé(s), {self.retried} à réessayer, "
                f"{self.dead} en échec définitif.")


def deliver(client: PortalClient, kind: str, key: str, payload: dict[str, Any]) -> None:
    if kind == "demarche":
        client.put_demarche(key, payload)
    elif kind == "dossier_etat":
        client.set_dossier_state(key, payload)
    else:
        raise PortalRefused(f"type de message inconnu : {kind}")


def _record(runtime: Runtime, message_id: int, error: PortalUnavailable | PortalRefused | None,
            report: PushReport) -> OutboxMessage | None:
    with runtime.session() as session:
        query = select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        message = session.scalars(query.execution_options(populate_existing=True)).one()
        if error is None:
            if outbox.mark_sent(session, message):
                report.sent += 1
                set_state(session, LAST_PUSH, utcnow().isoformat())
            publication.record_outcome(session, message)
            return message
        transient = isinstance(error, PortalUnavailable)
        dead = outbox.mark_failed(session, message, str(error), transient, runtime.settings)
        report.dead += dead
        report.retried += not dead
        publication.record_outcome(session, message, str(error), dead)
        log.warning("portal message %s (%s %s) failed: %s", message.id, message.kind,
                    message.key, error)
        return message


def _release(runtime: Runtime, ids: list[int], like: OutboxMessage) -> None:
    """Give back claimed messages unsent, due when the failed one is (the portal is down)."""
    if not ids:
        return
    with runtime.session() as session:
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
            if message.status == "en_cours":
                message.status, message.lease_until = "a_envoyer", None
                message.next_attempt_at = like.next_attempt_at


def push_due(runtime: Runtime, client: PortalClient, batch: int = BATCH) -> PushReport:
    """Send every message due now; stop early while the portal cannot be reached at all."""
    report = PushReport()
    lease = runtime.settings.portal_timeout_seconds * 2 + 30
    while True:
        with runtime.session() as session:
            claimed = [(m.id, m.kind, m.key, m.payload)
                       for m in outbox.claim(session, batch, lease)]
        if not claimed:
            return report
        for index, (message_id, kind, key, payload) in enumerate(claimed):
            try:
                deliver(client, kind, key, payload)
                error: PortalUnavailable | PortalRefused | None = None
            except (PortalUnavailable, PortalRefused) as exc:
                error = exc
            failed = _record(runtime, message_id, error, report)
            if isinstance(error, PortalUnavailable) and error.unreachable and failed is not None:
                # Every other message would wait for the same timeout: try them all later.
                _release(runtime, [m[0] for m in claimed[index + 1:]], failed)
                return report
