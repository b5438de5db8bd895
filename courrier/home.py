"""The courrier's section of the home page: the user's inboxes and unread reminders."""

from __future__ import annotations

from flask import url_for
from sqlalchemy.orm import Session

from core.home import Section
from core.identity import User
from courrier import deadlines, inboxes


def home_section(session: Session, user: User) -> Section | None:
    """Counts of the non-empty inboxes, with a link to them (None when all are empty)."""
    counts = inboxes.counts(session, user)
    lines = [f"{inboxes.INBOXES[name]} : {count}" for name, count in counts.items() if count]
    reminders = len(deadlines.unread_reminders(session, user))
    if reminders:
        lines.append(f"{reminders} rappel(s) non lu(s).")
    if not lines:
        return None
    return Section("Courrier", lines, ("Ouvrir mes corbeilles", url_for("courrier.index")))
