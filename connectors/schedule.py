"""What the connectors run on their own once a worker (or the embedded server) starts."""

from __future__ import annotations

from connectors.intake.jobs import watch_hotfolder
from connectors.portal import jobs as portal_jobs
from core.jobs import job_path
from core.runtime import Runtime


def schedule(runtime: Runtime) -> None:
    """Start the outbox push, the periodic pull and the hot folder watch, as configured."""
    portal_jobs.schedule(runtime)
    if runtime.settings.intake_dir is not None:
        runtime.queue.submit(job_path(watch_hotfolder), (), {}, 1, 0.0)
