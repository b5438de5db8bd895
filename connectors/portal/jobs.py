"""Background work of the portal connector: push the outbox, pull the dossiers, on schedule.

Each job reschedules itself only as far as needed (the next due message, the next pull), and
a marker in ``portal_state`` keeps two schedules from multiplying.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from connectors.portal import outbox
from connectors.portal.client import client_for
from connectors.portal.models import PortalState
from connectors.portal.pull_jobs import scheduled_pull
from connectors.portal.push import PushReport, push_due
from connectors.portal.state import set_state
from core.db import utcnow
from core.jobs import job_path
from core.runtime import Runtime, current

log = logging.getLogger(__name__)
WAKE_MARKER = "reveil_envoi"
# Two wake-ups this close are one: the second finds nothing due the first did not send.
WAKE_SLACK = timedelta(seconds=1)


def _schedule_push(runtime: Runtime, due: datetime) -> None:
    now = utcnow()
    with runtime.session() as session:
        marker = session.get(PortalState, WAKE_MARKER)
        if marker is not None and marker.value:
            planned = datetime.fromisoformat(marker.value)
            if now < planned <= due + WAKE_SLACK:
                return  # an earlier wake-up is already planned; it will plan the next one
        set_state(session, WAKE_MARKER, max(due, now).isoformat())
    delay = max((due - now).total_seconds(), 0.0) + 0.05
    runtime.queue.submit(job_path(push_outbox), (), {}, 1, delay)


def push_outbox() -> PushReport | None:
    """Send what is due, then plan a wake-up for the next message that will be due."""
    runtime = current()
    if not runtime.settings.portal_url:
        log.info("portal not configured (ATD_PORTAL_URL): outbox kept for later")
        return None
    report = push_due(runtime, client_for(runtime.settings))
    with runtime.session() as session:
        due = outbox.next_due_at(session)
    if due is not None:
        _schedule_push(runtime, due)
    return report


def schedule(runtime: Runtime) -> None:
    """Start the connector's schedules on the runtime's queue (call once when a worker starts).

    The outbox is sent at once (what a restart left waiting) and dossiers are pulled every
    ``ATD_PORTAL_PULL_MINUTES``.
    """
    if not runtime.settings.portal_url:
        return
    runtime.queue.submit(job_path(push_outbox), (), {}, 1, 0.0)
    if runtime.settings.portal_pull_minutes:
        runtime.queue.submit(job_path(scheduled_pull), (), {}, 1, 1.0)
