"""``GET /api/v1/search``: the search as JSON, with the same permissions as the page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from core.app import db
from core.openapi import Param, Schema, operation, strict_object
from core.session_auth import login_required, require_user
from ged.search import service
from ged.search.forms import request_from
from ged.search.present import found_json

bp = Blueprint("search_api", __name__, url_prefix="/api/v1/search")
TAGS = ("Recherche",)

_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_FACET = {"type": "array", "items": strict_object({"valeur": _TEXT, "nombre": _INT})}
# Inline in the answer: the document generator publishes only the top-level schemas.
HIT = strict_object({
    "nature": {"enum": ["document", "courrier"]},
    "id": _INT,
    "titre": _TEXT,
    "entite": _TEXT,
    "date": {"type": ["string", "null"]},
    "score": {"type": "number"},
    "extrait": {**_TEXT, "description": "HTML : les mots trouvés entre <mark> et </mark>."},
})
FOUND = Schema("Recherche", strict_object({
    "requete": _TEXT,
    "total": _INT,
    "page": _INT,
    "pages": _INT,
    "resultats": {"type": "array", "items": HIT},
    "facettes": strict_object({"entite": _FACET, "type": _FACET, "annee": _FACET}),
}))
PARAMS = [
    Param("q", 'Les mots cherchés : "expression", -exclu, préfixe*, références.', required=True),
    Param("entite", "Code d'une entité."),
    Param("nature", "document ou courrier.", {"enum": ["document", "courrier"]}),
    Param("type", "Type de document."),
    Param("du", "Date au plus tôt (AAAA-MM-JJ).", {"type": "string", "format": "date"}),
    Param("au", "Date au plus tard (AAAA-MM-JJ).", {"type": "string", "format": "date"}),
    Param("etiquette", "Une étiquette."),
    Param("statut", "Statut (courrier)."),
    Param("page", "Numéro de page, à partir de 1.", _INT),
    Param("par_page", "Résultats par page (100 au plus).", _INT),
]


@bp.get("")
@operation(responses={200: FOUND}, params=PARAMS, errors=(400, 404), tags=TAGS)
@login_required
def search() -> Any:
    """Cherche dans ce que l'utilisateur peut lire, les mots trouvés surlignés."""
    session = db()
    asked = request_from(session, request.args, service.PER_PAGE)
    found = service.search(session, require_user(), asked.text, asked.filters, asked.page,
                           asked.per_page)
    return jsonify(found_json(found))
