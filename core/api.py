"""The JSON API under ``/api/v1/``, authenticated by bearer tokens, documented by OpenAPI."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from core import directory
from core.app import db
from core.identity import ENTITY_TYPES, PRIORITIES, ROLES, Demarche, Entity, public_user
from core.openapi import ArrayOf, Param, Schema, build_document, operation, strict_object
from core.session_auth import login_required, require_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The documents below describe exactly what the serialisers return (the tests hold them to it).
_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}

ROLE = strict_object({"role": {"enum": list(ROLES)}, "entite": _TEXT})
UTILISATEUR = Schema("Utilisateur", strict_object({
    "id": {"type": "integer"},
    "login": _TEXT,
    "nom": _TEXT,
    "email": _TEXT,
    "entite": {**_TEXT, "description": "Code de l'entité de rattachement."},
    "actif": {"type": "boolean"},
    "roles": {"type": "array", "items": ROLE},
}))
ENTITE = Schema("Entite", strict_object({
    "code": _TEXT,
    "nom": _TEXT,
    "type": {"enum": list(ENTITY_TYPES)},
    "parent": {"type": ["string", "null"], "description": "Code de l'entité parente."},
    "delais": {
        "type": "object",
        "description": "Délais de traitement en jours ouvrés, par priorité.",
        "propertyNames": {"enum": list(PRIORITIES)},
        "additionalProperties": {"type": "integer"},
    },
    "actif": {"type": "boolean"},
}))
DEMARCHE = Schema("Demarche", strict_object({
    "code": _TEXT,
    "titre": _TEXT,
    "entite": {**_TEXT, "description": "Code de l'entité qui fournit la démarche."},
    "public": {**_TEXTS, "description": "Publics visés (citoyens, entreprises…)."},
    "description": _TEXT,
    "pieces": {**_TEXTS, "description": "Pièces à fournir."},
    "etapes": _TEXTS,
    "cout": strict_object({"montant": {"type": "integer"}, "devise": _TEXT}),
    "delai_jours": {"type": ["integer", "null"], "description": "Délai de traitement en jours."},
    "en_ligne": {"type": "boolean"},
    "version": {"type": "integer"},
}))
OPENAPI = Schema("DocumentOpenAPI", {"type": "object", "description": "Ce document."})

ENTITY_FILTER = Param(
    "entite", "Code d'une entité : limite la liste à cette entité et à ses sous-entités."
)
DIRECTORY = ("Annuaire",)
DEMARCHES = ("Démarches",)


def public_entity(entity: Entity) -> dict[str, Any]:
    return {
        "code": entity.code,
        "nom": entity.name,
        "type": entity.type,
        "parent": entity.parent.code if entity.parent else None,
        "delais": entity.delays or {},
        "actif": entity.active,
    }


def public_demarche(demarche: Demarche) -> dict[str, Any]:
    return {
        "code": demarche.code,
        "titre": demarche.title,
        "entite": demarche.entity.code,
        "public": demarche.audience,
        "description": demarche.description,
        "pieces": demarche.pieces,
        "etapes": demarche.steps,
        "cout": {"montant": demarche.cost_amount, "devise": demarche.cost_currency},
        "delai_jours": demarche.delay_days,
        "en_ligne": demarche.online,
        "version": demarche.version,
    }


def _entity_filter() -> str | None:
    return request.args.get(ENTITY_FILTER.name) or None


@bp.get("/moi")
@operation(responses={200: UTILISATEUR}, tags=DIRECTORY)
@login_required
def me() -> Any:
    """L'utilisateur du jeton, avec ses rôles."""
    return jsonify(public_user(require_user()))


@bp.get("/entites")
@operation(responses={200: ArrayOf(ENTITE)}, tags=DIRECTORY)
@login_required
def entities() -> Any:
    """Les entités que l'utilisateur peut voir.

    Un rôle tenu dans une entité vaut pour elle et pour toutes ses sous-entités.
    """
    return jsonify([public_entity(e) for e in directory.visible_entities(db(), require_user())])


@bp.get("/entites/<code>")
@operation(
    responses={200: ENTITE},
    params=[Param("code", "Code de l'entité.")],
    errors=(403, 404),
    tags=DIRECTORY,
)
@login_required
def entity(code: str) -> Any:
    """Une entité, par son code."""
    return jsonify(public_entity(directory.visible_entity(db(), require_user(), code)))


@bp.get("/utilisateurs")
@operation(
    responses={200: ArrayOf(UTILISATEUR)}, params=[ENTITY_FILTER], errors=(403, 404), tags=DIRECTORY
)
@login_required
def users() -> Any:
    """Les utilisateurs des entités que l'utilisateur administre.

    Réservé au rôle `admin` ; sans le filtre `entite`, couvre toutes les entités administrées.
    """
    found = directory.administered_users(db(), require_user(), _entity_filter())
    return jsonify([public_user(u) for u in found])


@bp.get("/demarches")
@operation(
    responses={200: ArrayOf(DEMARCHE)}, params=[ENTITY_FILTER], errors=(403, 404), tags=DEMARCHES
)
@login_required
def demarches() -> Any:
    """Les démarches actives des entités que l'utilisateur peut voir."""
    found = directory.visible_demarches(db(), require_user(), _entity_filter())
    return jsonify([public_demarche(d) for d in found])


@bp.get("/openapi.json")
@operation(responses={200: OPENAPI}, public=True, tags=("Documentation",))
def openapi_document() -> Any:
    """Le document OpenAPI 3.1 de cette API (sans authentification)."""
    return jsonify(build_document(current_app))
