"""Pulling new and updated dossiers from the portal with a cursor kept in the database.

Each dossier is imported in its own transaction, and the cursor moves after its page: a
crash in the middle of a page pulls that page again, and the dossiers already imported are
recognised by their portal id, so each is imported exactly once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from connectors.portal.client import PortalClient
from connectors.portal.intake import import_dossier
from connectors.portal.state import CURSOR, LAST_PULL, get_state, set_state
from core.db import utcnow
from core.runtime import Runtime

PAGE_SIZE = 100


@dataclass
class PullReport:
    outcomes: Counter[str] = field(default_factory=Counter)
    cursor: str = "0"

    def line(self) -> str:
        o = self.outcomes
        return (f"{o['importe']} dossier(s) importé(s), {o['mis_a_jour']} mis à jour, "
                f"{o['connu']} déjà connu(s), {o['quarantaine']} en quarantaine.")


def pull(runtime: Runtime, client: PortalClient, page_size: int = PAGE_SIZE) -> PullReport:
    """Import every dossier changed since the cursor, page by page.

    Raises:
        PortalUnavailable: the portal failed; what was imported before stays, and the cursor
            stays before the dossier that could not be imported.
    """
    report = PullReport()
    while True:
        with runtime.session() as session:
            report.cursor = get_state(session, CURSOR, "0")
        page = client.dossiers(report.cursor, limit=page_size)
        for raw in page.dossiers:
            with runtime.session() as session:
                report.outcomes[import_dossier(session, raw, client)] += 1
        with runtime.session() as session:
            set_state(session, CURSOR, page.cursor)
            set_state(session, LAST_PULL, utcnow().isoformat())
        report.cursor = page.cursor
        if not page.has_more or not page.dossiers:
            return report
