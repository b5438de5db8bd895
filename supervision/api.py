"""The supervision's JSON API: the figures and the live feed of the entities one supervises."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from core.app import runtime_of_app
from core.openapi import ArrayOf, Param, operation
from core.session_auth import login_required, require_user
from supervision import service
from supervision.schemas import EVENEMENT, KPIS

bp = Blueprint("supervision_api", __name__, url_prefix="/api/v1/supervision")

TAGS = ("Supervision",)
ENTITE = Param("entite", "Code d'une entité supervisée : ses chiffres seuls (sinon, toutes).")
PERIOD = [
    Param("du", "Premier jour de la période (AAAA-MM-JJ) ; par défaut 29 jours avant « au ».",
          {"type": "string", "format": "date"}),
    Param("au", "Dernier jour de la période, inclus (AAAA-MM-JJ) ; par défaut aujourd'hui.",
          {"type": "string", "format": "date"}),
]


@bp.get("/kpis")
@operation(responses={200: KPIS}, params=[ENTITE, *PERIOD], errors=(400, 403, 404), tags=TAGS)
@login_required
def kpis() -> Any:
    """Les indicateurs de la salle de supervision, par entité et pour l'ensemble.

    Réservé aux rôles `superviseur`, `responsable` et `admin`, pour leurs entités. Les flux
    (enregistrés, imputés, traités, délais, GED) portent sur la période ; les stocks (en
    cours, ancienneté, retards, avis attendus, lectures en attente) sont mesurés aujourd'hui.
    """
    args = request.args
    return jsonify(service.kpis(runtime_of_app(current_app), require_user(),
                                args.get("entite") or None, args.get("du"), args.get("au")))


@bp.get("/evenements")
@operation(responses={200: ArrayOf(EVENEMENT)}, params=[ENTITE], errors=(403, 404), tags=TAGS)
@login_required
def events() -> Any:
    """Les derniers événements des entités supervisées, du plus récent au plus ancien."""
    found = service.latest_events(runtime_of_app(current_app), require_user(),
                                  request.args.get("entite") or None)
    return jsonify(found)
