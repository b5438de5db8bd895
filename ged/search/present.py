"""Search results as JSON, for the API and ``atd search --json``."""

from __future__ import annotations

from typing import Any

from ged.search.service import Found
from ged.search.types import Hit


def hit_url(hit: Hit) -> str:
    """Where a hit leads: the courrier's page or the document's."""
    return f"/{'courriers' if hit.kind == 'courrier' else 'documents'}/{hit.record_id}"


def hit_json(hit: Hit, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "nature": hit.kind,
        "id": hit.record_id,
        "lien": hit_url(hit),
        "titre": hit.title,
        "entite": codes.get(hit.entity_id, ""),
        "date": hit.record_date.isoformat() if hit.record_date else None,
        "score": round(hit.score, 6),
        "extrait": hit.snippet,
    }


def found_json(found: Found) -> dict[str, Any]:
    results = found.results
    facets = results.facets
    return {
        "requete": found.text,
        "total": results.total,
        "page": found.page,
        "pages": found.pages,
        "resultats": [hit_json(hit, found.entity_codes) for hit in results.hits],
        "facettes": {
            "entite": [{"valeur": found.entity_codes.get(int(v), str(v)), "nombre": n}
                       for v, n in facets.get("entity", [])],
            "type": [{"valeur": str(v), "nombre": n} for v, n in facets.get("doc_type", [])],
            "annee": [{"valeur": str(v), "nombre": n} for v, n in facets.get("year", [])],
        },
    }
