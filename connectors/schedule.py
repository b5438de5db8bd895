"""What the connectors run on their own once a worker (or the embedded server) starts."""

from __future__ import annotations

from connectors.intake.jobs import watch_hotfolder, watch_mailbox
from connectors.portal import jobs as portal_jobs
from core.jobs import job_path
from core.runtime import Runtime


def schedule(runtime: Runtime) -> None:
    """Start the outbox push, the periodic pull, the hot folder and mailbox watches."""
    portal_jobs.schedule(runtime)
    if runtime.settings.intake_dir is not None:
        runtime.queue.submit(job_path(watch_hotfolder), (), {}, 1, 0.0)
    if runtime.settings.imap_url and runtime.settings.imap_minutes:
        runtime.queue.submit(job_path(watch_mailbox), (), {}, 1, 0.0)
