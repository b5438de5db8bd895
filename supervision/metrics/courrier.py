"""Courrier metrics: flows over the period (from the daily counts) and what is open now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.identity import Entity
from courrier.models import CHANNELS, Courrier, Imputation
from supervision.metrics.stats import PerEntity, dimension, histogram, per_entity, percentile, share
from supervision.models import OPEN_CONDITION, PENDING_OPINION_CONDITION
from supervision.periods import Period, day_start

AGE_BUCKETS = ("0-7", "8-15", "16-30", "plus_30")
COUNTED = {"imputes": "impute", "traites": "traite", "repondus": "repondu", "clos": "clos",
           "annules": "annule", "departs": "depart", "a_temps": "a_temps"}


def open_courriers(session: Session, ids: Collection[int], on: date) -> PerEntity:
    """Open incoming courriers per entity: in total, by age and overdue (through the partial
    index that holds only open courriers)."""
    if not ids:
        return {}
    registered = Courrier.registered_at
    d7, d15, d30 = (day_start(on - timedelta(days=n)) for n in (7, 15, 30))
    columns = {
        "en_cours": func.count(),
        "0-7": func.count().filter(registered >= d7),
        "8-15": func.count().filter(registered < d7, registered >= d15),
        "16-30": func.count().filter(registered < d15, registered >= d30),
        "plus_30": func.count().filter(registered < d30),
        "en_retard": func.count().filter(Courrier.due_on < on),
    }
    rows = session.execute(
        select(Courrier.entity_id, *columns.values())
        .where(OPEN_CONDITION, Courrier.entity_id.in_(sorted(ids)))
        .group_by(Courrier.entity_id)
    )
    return per_entity(
        (row[0], name, value) for row in rows for name, value in zip(columns, row[1:], strict=True)
    )


@dataclass(frozen=True)
class Opinion:
    entity_id: int
    age_days: int
    late: bool


def pending_opinions(session: Session, ids: Collection[int], on: date) -> list[Opinion]:
    """Opinions asked of the entities' services and not given yet (a few hundred at most)."""
    if not ids:
        return []
    rows = session.execute(
        select(Imputation.entity_id, Imputation.routed_at, Imputation.due_on)
        .where(PENDING_OPINION_CONDITION, Imputation.entity_id.in_(sorted(ids)))
    )
    return [Opinion(entity_id, (on - routed.date()).days, due is not None and due < on)
            for entity_id, routed, due in rows]


def service_names(session: Session, flows: Counter[Any]) -> dict[str, tuple[str, str]]:
    """Code and name of each service that treated courriers in ``flows``."""
    ids = {int(dim) for dim in dimension(flows, "traite_service") if dim}
    if not ids:
        return {}
    rows = session.execute(select(Entity.id, Entity.code, Entity.name).where(Entity.id.in_(ids)))
    return {str(i): (code, name) for i, code, name in rows}


def _opinions_block(opinions: list[Opinion]) -> dict[str, Any]:
    ages = [o.age_days for o in opinions]
    return {
        "nombre": len(opinions),
        "age_moyen_jours": round(sum(ages) / len(ages), 1) if ages else None,
        "plus_ancien_jours": max(ages) if ages else None,
        "en_retard": sum(o.late for o in opinions),
    }


def _delays(counts: Counter[Any], metric: str, unit: str) -> dict[str, Any]:
    values = histogram(counts, metric)
    block: dict[str, Any] = {"mediane": percentile(values, 50), "p90": percentile(values, 90)}
    if unit == "jours":
        block["distribution"] = [{"jours": v, "nombre": n} for v, n in sorted(values.items())]
    return block


def _days(series: Counter[Any], period: Period) -> list[dict[str, Any]]:
    by_day: dict[date, dict[str, Any]] = {
        day: {"jour": day.isoformat(), "enregistres": 0,
              "par_canal": dict.fromkeys(CHANNELS, 0), "traites": 0}
        for day in period.each_day()
    }
    for (day, metric, dim), n in series.items():
        entry = by_day.get(day)
        if entry is None:
            continue
        if metric == "enregistre":
            entry["enregistres"] += n
            entry["par_canal"][dim] = entry["par_canal"].get(dim, 0) + n
        elif metric == "traite":
            entry["traites"] += n
    return list(by_day.values())


def block(flows: Counter[Any], stock: Counter[Any], opinions: list[Opinion],
          series: Counter[Any], period: Period,
          services: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """The courrier figures of one entity (or of a whole), as the API and the room show them."""
    channels = {channel: 0 for channel in CHANNELS} | dimension(flows, "enregistre")
    treated = flows[("traite", "")]
    by_service = sorted(dimension(flows, "traite_service").items(), key=lambda kv: -kv[1])
    result: dict[str, Any] = {"enregistres": sum(channels.values()), "par_canal": channels}
    result |= {name: flows[(metric, "")] for name, metric in COUNTED.items()}
    result |= {
        "part_a_temps": share(flows[("a_temps", "")], treated),
        "delai_traitement_jours": _delays(flows, "delai_traitement", "jours"),
        "delai_imputation_heures": _delays(flows, "delai_imputation", "heures"),
        "en_cours": stock["en_cours"],
        "anciennete": {bucket: stock[bucket] for bucket in AGE_BUCKETS},
        "en_retard": stock["en_retard"],
        "part_en_retard": share(stock["en_retard"], stock["en_cours"]),
        "avis_en_attente": _opinions_block(opinions),
        "par_service": [
            {"code": services.get(dim, ("—", ""))[0],
             "nom": services.get(dim, ("", "Sans service désigné"))[1], "traites": n}
            for dim, n in by_service
        ],
        "par_jour": _days(series, period),
    }
    return result
