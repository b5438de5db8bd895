"""The connector's state at a glance, for its page and ``atd portal status``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.portal import outbox
from connectors.portal.models import OutboxMessage, PortalDossier, QuarantinedDossier
from connectors.portal.state import CURSOR, LAST_PULL, LAST_PUSH, get_state

RECENT = 20


def _when(value: str) -> str:
    if not value:
        return "jamais"
    return datetime.fromisoformat(value).strftime("%d/%m/%Y à %H:%M:%S UTC")


@dataclass
class ConnectorStatus:
    last_push: str
    last_pull: str
    cursor: str
    counts: outbox.OutboxCounts
    dossiers: int
    quarantined: int
    dead_letters: list[OutboxMessage]
    failing: list[OutboxMessage]
    quarantine: list[QuarantinedDossier]

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Dernier envoi au portail", self.last_push),
            ("Dernière relève des dossiers", self.last_pull),
            ("Curseur des dossiers", self.cursor),
            ("Messages en attente", str(self.counts.pending)),
            ("Messages en échec définitif", str(self.counts.dead)),
            ("Messages envoyés", str(self.counts.sent)),
            ("Dossiers importés", str(self.dossiers)),
            ("Dossiers en quarantaine", str(self.quarantined)),
        ]


def connector_status(session: Session) -> ConnectorStatus:
    def recent(*states: str) -> list[OutboxMessage]:
        query = select(OutboxMessage).where(OutboxMessage.status.in_(states))
        if states == ("a_envoyer",):
            query = query.where(OutboxMessage.attempts > 0)
        return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(RECENT)))

    return ConnectorStatus(
        last_push=_when(get_state(session, LAST_PUSH)),
        last_pull=_when(get_state(session, LAST_PULL)),
        cursor=get_state(session, CURSOR, "0"),
        counts=outbox.counts(session),
        dossiers=session.scalar(select(func.count()).select_from(PortalDossier)) or 0,
        quarantined=session.scalar(select(func.count()).select_from(QuarantinedDossier)) or 0,
        dead_letters=recent("echec"),
        failing=recent("a_envoyer"),
        quarantine=list(session.scalars(
            select(QuarantinedDossier).order_by(QuarantinedDossier.id.desc()).limit(RECENT)
        )),
    )
