"""Every figure of the supervision room, per entity and for the whole, over a period.

One entry point, ``compute``, used by the room, the API and the command line. Flows come from
the daily counts folded from the event log, stocks from the live tables through partial
indexes: a handful of indexed queries whatever the size of the history.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.db import utcnow
from supervision.metrics import alerts, courrier, daily, demarches, ged, plan
from supervision.metrics.stats import PerEntity, rollup
from supervision.periods import Period
from supervision.scope import Scope, Unit


def _opinions(opinions: list[courrier.Opinion], unit: Unit) -> list[courrier.Opinion]:
    return [o for o in opinions if o.entity_id in unit.ids]


def compute(session: Session, scope: Scope, period: Period, on: date,
            lag: int = 0) -> dict[str, Any]:
    """All the figures of the scope's entities and of its whole.

    Args:
        on: the day the stocks are measured on (backlog ages, overdue, late opinions).
        lag: events not yet folded into the daily counts, reported as they are.
    """
    ids = scope.ids
    flows = daily.totals(session, ids, period)
    series = daily.series(session, ids, period)
    stock = courrier.open_courriers(session, ids, on)
    opinions = courrier.pending_opinions(session, ids, on)
    extraction = ged.extraction_state(session, ids)
    catalogue: PerEntity = demarches.catalogue(session, ids)
    for entity_id, counts in demarches.portal(session, ids).items():
        catalogue.setdefault(entity_id, Counter()).update(counts)
    progress = plan.block(session, on)
    target = demarches.PLAN_TARGET if progress is not None else demarches.NATIONAL_TARGET
    units = (scope.whole, *scope.units)
    limits = alerts.limits_for(session, {u.id for u in units if u.id})
    whole_flows = rollup(flows, ids)
    services = courrier.service_names(session, whole_flows)

    def unit_block(unit: Unit) -> dict[str, Any]:
        unit_flows = whole_flows if unit is scope.whole else rollup(flows, unit.ids)
        block: dict[str, Any] = {
            "code": unit.code,
            "nom": unit.name,
            "courrier": courrier.block(unit_flows, rollup(stock, unit.ids),
                                       _opinions(opinions, unit), rollup(series, unit.ids),
                                       period, services),
            "ged": ged.block(unit_flows, rollup(extraction, unit.ids)),
            "demarches": demarches.block(rollup(catalogue, unit.ids), target),
        }
        in_force = limits.get(unit.id) or {k: v.default for k, v in alerts.LIMITS.items()}
        block["alertes"] = alerts.evaluate(block, in_force)
        return block

    whole = unit_block(scope.whole)
    return {
        "periode": {"du": period.start.isoformat(), "au": period.end.isoformat(),
                    "jours": period.days},
        "calcule_le": utcnow().isoformat(timespec="seconds"),
        "evenements_en_attente": lag,
        "ensemble": whole,
        # A supervisor of one entity has one card: the whole itself, not computed twice.
        "entites": [whole if u is scope.whole else unit_block(u) for u in scope.units],
        "plan": progress,
    }
