"""The catalogue as schema.org ``GovernmentService`` JSON-LD, for search engines and open data.

Pièces à fournir and étapes become a ``HowTo`` (its ``supply`` and ``step``), the cost an
``Offer``, the delay the ``processingTime`` of each channel (ISO 8601 duration).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.identity import Demarche, Entity

CONTEXT = "https://schema.org"
COUNTRY = {"@type": "Country", "name": "Togo"}


def _organisation(entity: Entity, parent: Entity | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "@type": "GovernmentOrganization", "identifier": entity.code, "name": entity.name,
    }
    if parent is not None and parent.id != entity.id:
        found["parentOrganization"] = _organisation(parent, None)
    return found


def _channels(demarche: Demarche) -> list[dict[str, Any]]:
    delay = {"processingTime": f"P{demarche.delay_days}D"} if demarche.delay_days else {}
    channels = [{
        "@type": "ServiceChannel", "name": "Guichet",
        "serviceLocation": {"@type": "GovernmentOffice", "name": demarche.entity.name},
        **delay,
    }]
    if demarche.online and demarche.online_url:
        channels.insert(0, {"@type": "ServiceChannel", "name": "En ligne",
                            "serviceUrl": demarche.online_url, **delay})
    return channels


def government_service(demarche: Demarche, ministry: Entity | None) -> dict[str, Any]:
    """One démarche as a ``GovernmentService`` node."""
    return {
        "@type": "GovernmentService",
        "@id": f"#demarche-{demarche.code}",
        "identifier": demarche.code,
        "name": demarche.title,
        "description": demarche.description,
        "version": str(demarche.version),
        "provider": _organisation(demarche.entity, ministry),
        "areaServed": COUNTRY,
        "jurisdiction": "Togo",
        "audience": [{"@type": "Audience", "audienceType": a} for a in demarche.audience or []],
        "availableChannel": _channels(demarche),
        "offers": {"@type": "Offer", "price": demarche.cost_amount,
                   "priceCurrency": demarche.cost_currency},
        "subjectOf": {
            "@type": "HowTo",
            "name": f"Constituer le dossier : {demarche.title}",
            "supply": [{"@type": "HowToSupply", "name": p} for p in demarche.pieces or []],
            "step": [{"@type": "HowToStep", "position": n, "name": s}
                     for n, s in enumerate(demarche.steps or [], start=1)],
        },
    }


def catalogue_document(demarches: Iterable[Demarche], ministry: Entity | None) -> dict[str, Any]:
    """The JSON-LD document of a list of démarches."""
    return {
        "@context": CONTEXT,
        "@graph": [government_service(d, ministry) for d in demarches],
    }
