"""The supervision's section of the home page: the alerts of the entities the user supervises."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.home import Section
from core.identity import User
from supervision.service import alert_lines


def home_section(session: Session, user: User) -> Section | None:
    """The alerts, with a link to the room (None when there is none)."""
    lines = alert_lines(session, user)
    if not lines:
        return None
    return Section(
        "Alertes de supervision", lines, ("Ouvrir la salle de supervision", "/supervision/")
    )
