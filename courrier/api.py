"""The courrier's JSON API under ``/api/v1/courriers``: register, list, read, route, answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, jsonify, request

from core import permissions
from core.app import db
from core.identity import User
from core.openapi import ArrayOf, Param, operation
from core.session_auth import login_required, require_user
from courrier import (
    actions,
    correspondents,
    forms,
    inboxes,
    routing,
    scans,
    service,
)
from courrier.errors import CourrierAccessDenied, InvalidCourrier
from courrier.models import Courrier
from courrier.present import (
    CORBEILLES,
    CORRESPONDANT,
    COURRIER,
    COURRIER_DETAIL,
    IMPUTATION,
    LISTE,
    courrier_json,
    detail_json,
    imputation_json,
)
from courrier.requests import handle_refusal, uploads

bp = Blueprint("courrier_api", __name__, url_prefix="/api/v1")
bp.register_error_handler(CourrierAccessDenied, handle_refusal)

TAGS = ("Courrier",)
ID = Param("id", "Numéro interne du courrier (champ `id`).")
LIST_PARAMS = [
    Param("corbeille", "Une corbeille : " + ", ".join(inboxes.INBOXES) + " (sinon, la recherche)."),
    Param("q", "Texte : numéro chrono, référence, mots de l'objet ou du correspondant."),
    Param("statut", "Statut."), Param("priorite", "Priorité."), Param("sens", "Sens."),
    Param("entite", "Code d'entité (et ses sous-entités)."),
    Param("correspondant", "Numéro du correspondant.", {"type": "integer"}),
    Param("du", "Enregistrés depuis ce jour (AAAA-MM-JJ)."),
    Param("au", "Enregistrés jusqu'à ce jour inclus (AAAA-MM-JJ)."),
    Param("page", "Page (50 courriers par page).", {"type": "integer"}),
]


def _body() -> Mapping[str, Any]:
    """The JSON object sent, or the fields of a multipart form (with files)."""
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidCourrier("Le corps de la requête doit être un objet JSON.")
        return body
    return request.form


def _detail(courrier: Courrier, user: User) -> dict[str, Any]:
    session = db()
    links = [{"type": kind, "sens": c.direction, "chrono": c.chrono, "id": c.id}
             for kind, c in service.links_of(session, courrier)]
    offered = actions.offered(permissions.grants(session, user), courrier)
    return detail_json(courrier, links, offered)


@bp.post("/courriers")
@operation(responses={201: COURRIER}, errors=(400, 403, 404, 413), tags=TAGS)
@login_required
def register() -> Any:
    """Enregistre un courrier et lui donne son numéro chrono.

    Corps JSON, ou multipart/form-data avec les fichiers numérisés dans `fichiers`. Champs :
    `entite` (code, obligatoire), `objet` (obligatoire), `sens` (arrivee, depart, interne),
    `expediteur_id` ou `expediteur` (nom, ou objet `{nom, type, organisation, email}` créé
    s'il est nouveau, jamais en double), de même `destinataire_id`/`destinataire`,
    `date_reception` et `date_lettre` (AAAA-MM-JJ, pas dans le futur), `reference`,
    `resume`, `canal`, `priorite`, `confidentialite`, `documents` (numéros de documents de la
    GED à joindre), `suite_de` (numéro chrono d'un courrier antérieur que celui-ci suit).
    L'échéance est calculée en jours ouvrés selon la priorité. La réponse
    est le courrier enregistré, sans son historique (voir `GET /courriers/{id}`).
    """
    courrier = scans.register_with_files(db(), require_user(), forms.registration(_body()),
                                         uploads())
    return jsonify(courrier_json(courrier)), 201


@bp.get("/courriers")
@operation(responses={200: LISTE}, params=LIST_PARAMS, errors=(400, 404), tags=TAGS)
@login_required
def index() -> Any:
    """Les courriers visibles : une corbeille, ou la recherche avec filtres, du plus récent."""
    session, user = db(), require_user()
    box, page = request.args.get("corbeille"), forms.page(request.args)
    if box:
        found = inboxes.inbox(session, user, box, page)
    else:
        found = inboxes.search(session, user, forms.filters(request.args), page)
    return jsonify({"total": found.total, "total_exact": found.total_exact,
                    "page": found.page, "par_page": found.per_page,
                    "courriers": [courrier_json(c) for c in found.items]})


@bp.get("/courriers/corbeilles")
@operation(responses={200: CORBEILLES}, tags=TAGS)
@login_required
def counts() -> Any:
    """Le nombre de courriers de chaque corbeille de l'utilisateur."""
    return jsonify(inboxes.counts(db(), require_user()))


@bp.get("/courriers/<int:id>")
@operation(responses={200: COURRIER_DETAIL}, params=[ID], errors=(403, 404), tags=TAGS)
@login_required
def show(id: int) -> Any:
    """Un courrier, avec ses imputations, son historique, ses pièces et ses liens."""
    session, user = db(), require_user()
    return jsonify(_detail(service.get(session, user, id), user))


@bp.post("/courriers/<int:id>/imputations")
@operation(responses={201: IMPUTATION}, params=[ID], errors=(400, 403, 404, 409), tags=TAGS)
@login_required
def route(id: int) -> Any:
    """Impute le courrier : attribution, copie ou demande d'avis.

    Corps : `type` (attribution, copie, avis), `entite` (code du service), `agent`
    (identifiant, facultatif), `instruction`, `echeance` (avis, AAAA-MM-JJ) et `motif`
    (obligatoire pour retirer l'attribution à un agent). L'imputation se fait à l'intérieur
    des entités de l'utilisateur.
    """
    imputation = routing.route(db(), require_user(), id, forms.routing(_body()))
    return jsonify(imputation_json(imputation)), 201


@bp.post("/courriers/<int:id>/avis")
@operation(responses={200: IMPUTATION}, params=[ID], errors=(400, 403, 404), tags=TAGS)
@login_required
def opinion(id: int) -> Any:
    """Rend l'avis demandé : corps `demande` (numéro de l'imputation) et `avis` (le texte)."""
    body = _body()
    asked = forms.integer(body, "demande", "Numéro de la demande d'avis")
    if asked is None:
        raise InvalidCourrier("Le numéro de la demande d'avis (`demande`) est obligatoire.")
    imputation = routing.give_opinion(db(), require_user(), asked, forms.text(body, "avis"))
    if imputation.courrier_id != id:
        raise InvalidCourrier("Cette demande d'avis ne concerne pas ce courrier.")
    return jsonify(imputation_json(imputation))


@bp.post("/courriers/<int:id>/reponse")
@operation(responses={201: COURRIER_DETAIL}, params=[ID], errors=(400, 403, 404, 409),
           tags=TAGS)
@login_required
def reply(id: int) -> Any:
    """Prépare la réponse : un courrier départ lié, avec son propre numéro chrono (D).

    Corps JSON ou multipart : `objet`, `resume`, `destinataire_id` (par défaut l'expéditeur),
    `documents` ou les fichiers `fichiers` (le projet, ou la lettre signée avec `signee`).
    """
    session, user = db(), require_user()
    departure = scans.reply_with_files(session, user, id, forms.reply(_body()), uploads())
    return jsonify(_detail(departure, user)), 201


@bp.post("/courriers/<int:id>/actions")
@operation(responses={200: COURRIER_DETAIL}, params=[ID], errors=(400, 403, 404, 409),
           tags=TAGS)
@login_required
def act(id: int) -> Any:
    """Fait avancer le courrier : corps `action`, `note` (le motif) et `documents`.

    Actions : prendre_en_charge, classer_sans_suite (motif), clore, annuler (motif, le
    numéro est conservé), rouvrir (motif) ; pour un départ : demander_visa, viser,
    demander_signature, renvoyer (motif), signer et envoyer (lettre signée jointe par
    `documents` ou les fichiers `fichiers`). Une transition interdite répond 409.
    """
    session, user, body = db(), require_user(), _body()
    courrier = scans.perform_with_files(
        session, user, id, forms.text(body, "action"), forms.text(body, "note"),
        forms.ids(body, "documents"), uploads())
    return jsonify(_detail(courrier, user))


@bp.get("/correspondants")
@operation(responses={200: ArrayOf(CORRESPONDANT)},
           params=[Param("q", "Début du nom ou de l'organisation.", required=True)], tags=TAGS)
@login_required
def correspondents_search() -> Any:
    """Les correspondants dont le nom ou l'organisation contient les mots tapés (10 au plus)."""
    found = correspondents.search(db(), request.args.get("q", ""))
    return jsonify([correspondents.describe(c) for c in found])


@bp.post("/correspondants")
@operation(responses={201: CORRESPONDANT}, errors=(400,), tags=TAGS)
@login_required
def correspondents_create() -> Any:
    """Ajoute un correspondant, ou rend celui qui existe déjà sous ce nom (jamais de doublon).

    Corps : `nom` (obligatoire), `type` (personne, organisation), `organisation`, `email`,
    `telephone`, `adresse`.
    """
    data = forms.correspondent_fields(_body())
    created = correspondents.find_or_create(db(), require_user(), data)
    return jsonify(correspondents.describe(created)), 201

