"""Démarche metrics: the catalogue online against the national target, publication, dossiers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from core.identity import Demarche
from supervision.metrics.stats import PerEntity, per_entity, share

# The national target: three démarches in four online; a ministry onboarded through the
# four-week plan puts all of its démarches online.
NATIONAL_TARGET = 75
PLAN_TARGET = 100
_TABLES = ("portal_publication", "portal_dossier")
_present: dict[int, bool] = {}


def connectors_present(session: Session) -> bool:
    """The connectors' tables exist (they arrive with their own migration)."""
    engine = session.get_bind().engine
    if id(engine) not in _present:
        checker = inspect(session.connection())
        _present[id(engine)] = all(checker.has_table(name) for name in _TABLES)
    return _present[id(engine)]


def catalogue(session: Session, ids: Collection[int]) -> PerEntity:
    """Active démarches per entity, online or not."""
    if not ids:
        return {}
    rows = session.execute(
        select(Demarche.entity_id, Demarche.online, func.count())
        .where(Demarche.active.is_(True), Demarche.entity_id.in_(sorted(ids)))
        .group_by(Demarche.entity_id, Demarche.online)
    )
    return per_entity((entity_id, "en_ligne" if online else "hors_ligne", n)
                      for entity_id, online, n in rows)


def portal(session: Session, ids: Collection[int]) -> PerEntity:
    """Publication states and dossiers by state, per entity of the démarche."""
    if not ids or not connectors_present(session):
        return {}
    from connectors.portal.models import PortalDossier, Publication

    where = (Demarche.active.is_(True), Demarche.entity_id.in_(sorted(ids)))
    published = session.execute(
        select(Demarche.entity_id, Publication.status, func.count())
        .join(Publication, Publication.demarche_id == Demarche.id)
        .where(*where).group_by(Demarche.entity_id, Publication.status)
    )
    dossiers = session.execute(
        select(Demarche.entity_id, PortalDossier.state, func.count())
        .join(PortalDossier, PortalDossier.demarche_code == Demarche.code)
        .where(*where).group_by(Demarche.entity_id, PortalDossier.state)
    )
    return per_entity([*((e, ("publication", s), n) for e, s, n in published),
                       *((e, ("dossiers", s), n) for e, s, n in dossiers)])


def block(counts: Counter[Any], target: int) -> dict[str, Any]:
    online, total = counts["en_ligne"], counts["en_ligne"] + counts["hors_ligne"]
    part = share(online, total)
    return {
        "total": total,
        "en_ligne": online,
        "part_en_ligne": part,
        "cible": target,
        "cible_atteinte": part is not None and part >= target,
        "publication": {k[1]: n for k, n in counts.items() if isinstance(k, tuple)
                        and k[0] == "publication"},
        "dossiers": {k[1]: n for k, n in counts.items() if isinstance(k, tuple)
                     and k[0] == "dossiers"},
    }
