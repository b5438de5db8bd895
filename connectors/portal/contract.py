"""Our side of the portal contract: a démarche as the portal receives it, and its content hash."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from core.identity import Demarche, Entity


def canonical_hash(payload: dict[str, Any]) -> str:
    """SHA-256 of the payload's canonical JSON (sorted keys, no spaces)."""
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _party(entity: Entity | None) -> dict[str, str] | None:
    return {"code": entity.code, "nom": entity.name} if entity is not None else None


def demarche_payload(demarche: Demarche, ministry: Entity | None) -> dict[str, Any]:
    """The démarche in the contract's JSON (DESIGN.md, "Portal contract")."""
    return {
        "code": demarche.code,
        "version": demarche.version,
        "statut": "publiee" if demarche.active else "retiree",
        "titre": demarche.title,
        "description": demarche.description,
        "public": list(demarche.audience or []),
        "fournisseur": {"ministere": _party(ministry), "entite": _party(demarche.entity)},
        "pieces": list(demarche.pieces or []),
        "etapes": list(demarche.steps or []),
        "cout": {"montant": demarche.cost_amount, "devise": demarche.cost_currency},
        "delai_jours": demarche.delay_days,
        "canaux": {
            "en_ligne": demarche.online_url if demarche.online else None,
            "guichet": demarche.entity.name,
        },
    }


def content_hash(payload: dict[str, Any]) -> str:
    """The hash that decides whether the portal must hear of a change.

    The version is left out: a version bumped without any change of content is not news.
    """
    return canonical_hash({key: value for key, value in payload.items() if key != "version"})


def missing_for_publication(demarche: Demarche) -> list[str]:
    """What the démarche lacks before it can be published, in French (empty when complete)."""
    missing = []
    if not [p for p in demarche.pieces or [] if str(p).strip()]:
        missing.append("les pièces à fournir")
    if not [s for s in demarche.steps or [] if str(s).strip()]:
        missing.append("les étapes")
    if demarche.delay_days is None or demarche.delay_days <= 0:
        missing.append("le délai de traitement")
    return missing
