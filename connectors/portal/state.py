"""Named values of the connector that survive restarts (cursor, last push, last pull)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors.portal.models import PortalState

CURSOR = "curseur_dossiers"
LAST_PULL = "derniere_releve"
LAST_PUSH = "dernier_envoi"


def get_state(session: Session, name: str, default: str = "") -> str:
    row = session.get(PortalState, name, populate_existing=True)
    return row.value if row is not None else default


def set_state(session: Session, name: str, value: str) -> None:
    row = session.get(PortalState, name)
    if row is None:
        session.add(PortalState(name=name, value=value))
        session.flush()
    else:
        row.value = value
