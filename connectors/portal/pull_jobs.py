"""Jobs that pull the portal's dossiers: on demand (webhook) and every few minutes."""

from __future__ import annotations

import logging

from connectors.portal.client import client_for
from connectors.portal.pull import PullReport, pull
from core.jobs import job_path
from core.runtime import current

log = logging.getLogger(__name__)


def pull_dossiers() -> PullReport | None:
    """Pull now; a portal failure is transient, so the job is tried again with backoff."""
    runtime = current()
    if not runtime.settings.portal_url:
        return None
    report = pull(runtime, client_for(runtime.settings))
    log.info("portal pull: %s", report.line())
    return report


def scheduled_pull() -> None:
    """The periodic pull: run it, then plan the next one ``ATD_PORTAL_PULL_MINUTES`` later."""
    runtime = current()
    try:
        pull_dossiers()
    except Exception:  # noqa: BLE001  (a failed pull must not end the schedule)
        log.exception("scheduled portal pull failed; next one as planned")
    finally:
        minutes = runtime.settings.portal_pull_minutes
        if minutes:
            runtime.queue.submit(job_path(scheduled_pull), (), {}, 1, minutes * 60.0)
