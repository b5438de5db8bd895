"""Background work of the courrier: the daily reminders pass, and e-mailing what it created."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.db import utcnow
from core.jobs import job_path, job_session
from core.runtime import Runtime, current
from courrier import deadlines
from courrier.mail import mailer_for
from courrier.models import Reminder

log = logging.getLogger(__name__)

# The daily pass runs at this UTC hour (Lomé time), before the offices open.
DAILY_HOUR = 6
# Reminders older than this are not e-mailed any more (an SMTP server set up later).
EMAIL_WINDOW = timedelta(days=2)


def relances(on: str | None = None) -> list[str]:
    """Mark overdue courriers and create the reminders due on ``on`` (ISO date, today if None)."""
    day = date.fromisoformat(on) if on else None
    with job_session() as session:
        report = deadlines.run(session, day)
        lines = report.lines()
    sent = send_reminder_emails()
    if sent:
        lines.append(f"{sent} rappel(s) envoyé(s) par courriel.")
    return lines


def send_reminder_emails() -> int:
    """E-mail the recent reminders not e-mailed yet; none without an SMTP server."""
    mailer = mailer_for(current().settings)
    if mailer is None:
        return 0
    sent = 0
    with job_session() as session:
        pending = session.scalars(
            select(Reminder)
            .where(Reminder.emailed_at.is_(None), Reminder.created_at >= utcnow() - EMAIL_WINDOW)
            .options(joinedload(Reminder.user), joinedload(Reminder.courrier))
        )
        for reminder in pending:
            if reminder.user.email:
                subject = f"Rappel : courrier {reminder.courrier.chrono}"
                mailer.send(reminder.user.email, subject, reminder.message)
                sent += 1
            reminder.emailed_at = utcnow()
    return sent


def seconds_until_next_run(now: datetime | None = None) -> float:
    now = now or datetime.now(UTC)
    next_run = now.replace(hour=DAILY_HOUR, minute=0, second=0, microsecond=0)
    if next_run <= now:
        next_run += timedelta(days=1)
    return (next_run - now).total_seconds()


def daily_relances() -> None:
    """The scheduled pass: run it, then schedule the next one for tomorrow morning."""
    try:
        for line in relances():
            log.info("relances : %s", line)
    finally:
        schedule(current())


def schedule(runtime: Runtime) -> None:
    """Schedule the next daily reminders pass on the runtime's queue (in-process pool or rq).

    Call it once when a worker (or the embedded server) starts; the pass reschedules itself.
    """
    runtime.queue.submit(job_path(daily_relances), (), {}, 1, seconds_until_next_run())
