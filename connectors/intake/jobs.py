"""Intake in the worker: the hot folder every few seconds, the mailbox every few minutes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from connectors.intake.hotfolder import scan
from connectors.intake.mail import configured_mailbox, read_mailbox
from core.jobs import job_path
from core.runtime import current

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 5.0


def _pass_then_plan(job: Callable[[], None], delay: float, what: str,
                    work: Callable[[], str]) -> None:
    """One pass, then the next one planned: a failed pass (a folder briefly unreadable, a
    mail server down for an hour) must not end the watch."""
    try:
        line = work()
        if line:
            log.info("%s: %s", what, line)
    except Exception:  # noqa: BLE001
        log.exception("%s: pass failed; next one as planned", what)
    finally:
        current().queue.submit(job_path(job), (), {}, 1, delay)


def watch_hotfolder() -> None:
    """One pass over ``ATD_INTAKE_DIR``."""
    runtime = current()
    root = runtime.settings.intake_dir
    if root is None:
        return

    def work() -> str:
        report = scan(runtime, root, settle=INTERVAL_SECONDS)
        return report.line() if report.taken or report.refused else ""

    _pass_then_plan(watch_hotfolder, INTERVAL_SECONDS, "hot folder", work)


def watch_mailbox() -> None:
    """One reading of ``ATD_IMAP_URL``."""
    runtime = current()
    config = configured_mailbox(runtime)
    minutes = runtime.settings.imap_minutes
    if config is None or not minutes:
        return

    def work() -> str:
        report = read_mailbox(runtime, config)
        return report.line() if report.outcomes else ""

    _pass_then_plan(watch_mailbox, minutes * 60.0, f"mailbox {config.name}", work)
