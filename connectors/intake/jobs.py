"""The hot folder in the worker: one pass every few seconds when ``ATD_INTAKE_DIR`` is set."""

from __future__ import annotations

import logging

from connectors.intake.hotfolder import scan
from core.jobs import job_path
from core.runtime import current

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 5.0


def watch_hotfolder() -> None:
    """One pass, then the next one planned (a failed pass does not end the watch)."""
    runtime = current()
    root = runtime.settings.intake_dir
    if root is None:
        return
    try:
        report = scan(runtime, root, settle=INTERVAL_SECONDS)
        if report.taken or report.refused:
            log.info("hot folder: %s", report.line())
    except Exception:  # noqa: BLE001  (a folder briefly unreadable must not end the watch)
        log.exception("hot folder pass failed; next one as planned")
    finally:
        runtime.queue.submit(job_path(watch_hotfolder), (), {}, 1, INTERVAL_SECONDS)
