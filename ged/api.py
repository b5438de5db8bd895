"""The GED's JSON API under ``/api/v1/documents``: upload, read, versions, text, downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, send_file
from werkzeug.datastructures import FileStorage

from core.app import db, writes
from core.errors import ValidationError
from core.openapi import ArrayOf, Param, Schema, operation, strict_object
from core.session_auth import login_required, require_user
from ged import queries, service
from ged.models import CONFIDENTIALITY, PAGE_SOURCES, STATUSES
from ged.present import document_json, page_json, progress_json, version_json
from ged.web_forms import filters_from, metadata_from

bp = Blueprint("ged_api", __name__, url_prefix="/api/v1/documents")
TAGS = ("GED",)

_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
VERSION = Schema("Version", strict_object({
    "numero": _INT,
    "fichier": {**_TEXT, "description": "Nom du fichier tel qu'il a été déposé."},
    "type": {"enum": ["pdf", "png", "jpeg", "tiff"], "description": "Reconnu au contenu."},
    "type_mime": _TEXT,
    "taille": {**_INT, "description": "En octets."},
    "sha256": _TEXT,
    "pages": {"type": ["integer", "null"]},
    "statut": {"enum": list(STATUSES)},
    "raison": {**_OPTIONAL_TEXT, "description": "Pourquoi la lecture a échoué."},
    "pdf_recherchable": {"type": "boolean"},
    "cree_le": _TEXT,
    "termine_le": _OPTIONAL_TEXT,
}))
DOCUMENT = Schema("Document", strict_object({
    "id": _INT,
    "titre": _TEXT,
    "entite": _TEXT,
    "type": _TEXT,
    "classement": _TEXT,
    "confidentialite": {"enum": list(CONFIDENTIALITY)},
    "etiquettes": {"type": "array", "items": _TEXT},
    "metadonnees": {"type": "object"},
    "auteur": _TEXT,
    "date_document": _OPTIONAL_TEXT,
    "cree_le": _TEXT,
    "modifie_le": _TEXT,
    "version_courante": _INT,
    "statut": {"enum": [*STATUSES, None]},
    "indexation": {"enum": ["a_indexer", "indexe", None]},
    "versions": {"type": "array", "items": VERSION.ref()},
}))
PAGE = strict_object({
    "numero": _INT,
    "source": {"enum": list(PAGE_SOURCES)},
    "confiance": {"type": ["number", "null"], "description": "Confiance moyenne de l'OCR (0–100)."},
    "rotation": {**_INT, "description": "Degrés dont la page a été tournée pour être lue."},
    "secondes": {"type": "number"},
    "texte": _TEXT,
})
TEXTE = Schema("TexteDocument", strict_object({
    "version": _INT,
    "pages": {"type": "array", "items": PAGE},
}))
PROGRESSION = Schema("Progression", strict_object({
    "statut": {"enum": list(STATUSES)},
    "libelle": _TEXT,
    "raison": _OPTIONAL_TEXT,
    "pages_lues": _INT,
    "pages": _INT,
    "pourcentage": _INT,
    "fini": {"type": "boolean"},
}))
FICHIER = Schema("Fichier", {
    "type": "string", "format": "binary",
    "description": "Le fichier lui-même, avec son type MIME (le corps n'est pas du JSON).",
})
ID = Param("id", "Identifiant du document.")
NUMBER = Param("numero", "Numéro de la version.")
LIST_PARAMS = [
    Param("entite", "Code d'une entité (et de ses sous-entités)."),
    Param("type", "Type de document."),
    Param("statut", "Statut de lecture de la version courante.", {"enum": list(STATUSES)}),
    Param("du", "Déposés depuis ce jour (AAAA-MM-JJ).", _DATE),
    Param("au", "Déposés jusqu'à ce jour inclus (AAAA-MM-JJ).", _DATE),
    Param("q", "Mot du titre."),
    Param("page", "Numéro de page de la liste (25 documents par page).", {"type": "integer"}),
]


def _uploaded() -> FileStorage:
    upload = request.files.get("fichier")
    if upload is None or not upload.filename:
        raise ValidationError("Joignez le fichier dans le champ « fichier » (multipart/form-data).")
    return upload


@bp.post("")
@operation(responses={201: DOCUMENT}, errors=(400, 403, 404, 413), tags=TAGS)
@login_required
def create() -> Any:
    """Dépose un document (corps multipart/form-data).

    Champs : `fichier` (le fichier, PDF, PNG, JPEG ou TIFF, reconnu au contenu), `entite`
    (code de l'entité, obligatoire), et au choix `titre`, `type`, `classement`,
    `confidentialite` (normal, confidentiel, secret), `etiquettes` (séparées par des
    virgules), `auteur`, `date_document` (AAAA-MM-JJ). La lecture du texte commence aussitôt
    en tâche de fond (voir `progression`).
    """
    session, user, upload = db(), require_user(), _uploaded()
    entity = service.resolve_entity(session, request.form.get("entite", ""))
    received = service.Upload(upload.filename or "", upload.stream)
    document = service.add_document(session, user, received, entity,
                                    **metadata_from(request.form))
    return jsonify(document_json(document)), 201


@bp.get("")
@operation(responses={200: ArrayOf(DOCUMENT)}, params=LIST_PARAMS, errors=(400, 404), tags=TAGS)
@login_required
def index() -> Any:
    """Les documents que l'utilisateur peut lire, du plus récent au plus ancien."""
    session = db()
    filters, page = filters_from(session, request.args)
    found = queries.list_documents(session, require_user(), filters, page)
    return jsonify([document_json(d) for d in found.documents])


@bp.get("/<int:id>")
@operation(responses={200: DOCUMENT}, params=[ID], errors=(404,), tags=TAGS)
@login_required
def show(id: int) -> Any:
    """Un document, ses métadonnées et ses versions."""
    return jsonify(document_json(service.get_document(db(), require_user(), id)))


@bp.patch("/<int:id>")
@operation(responses={200: DOCUMENT}, params=[ID], errors=(400, 403, 404), tags=TAGS)
@login_required
def update(id: int) -> Any:
    """Modifie les métadonnées (corps JSON : titre, type, classement, confidentialite…)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("Le corps doit être un objet JSON.")
    document = service.update_metadata(db(), require_user(), id, **metadata_from(body, strict=True))
    return jsonify(document_json(document))


@bp.get("/<int:id>/versions")
@operation(responses={200: ArrayOf(VERSION)}, params=[ID], errors=(404,), tags=TAGS)
@login_required
def versions(id: int) -> Any:
    """Les versions du document, de la première à la courante."""
    document = service.get_document(db(), require_user(), id)
    return jsonify([version_json(v) for v in document.versions])


@bp.post("/<int:id>/versions")
@operation(responses={201: VERSION}, params=[ID], errors=(400, 403, 404, 413), tags=TAGS)
@login_required
def add_version(id: int) -> Any:
    """Dépose une nouvelle version (multipart : champ « fichier ») ; les anciennes restent."""
    upload = _uploaded()
    version = service.add_version(db(), require_user(), id,
                                  service.Upload(upload.filename or "", upload.stream))
    return jsonify(version_json(version)), 201


@bp.get("/<int:id>/texte")
@operation(responses={200: TEXTE}, params=[ID], errors=(404,), tags=TAGS)
@login_required
@writes
def text(id: int) -> Any:
    """Le texte de la version courante, page par page, avec la confiance de l'OCR."""
    user = require_user()
    document, version = service.read_document(db(), user, id)
    service.record_consultation(db(), user, document)
    return jsonify({"version": version.number, "pages": [page_json(p) for p in version.pages]})


@bp.get("/<int:id>/progression")
@operation(responses={200: PROGRESSION}, params=[ID], errors=(404,), tags=TAGS)
@login_required
def progress(id: int) -> Any:
    """Où en est la lecture de la version courante."""
    document = service.get_document(db(), require_user(), id)
    return jsonify(progress_json(service.version_of(document, None)))


@bp.post("/<int:id>/relancer")
@operation(responses={200: PROGRESSION}, params=[ID], errors=(403, 404, 409), tags=TAGS)
@login_required
def retry(id: int) -> Any:
    """Relance la lecture de la version courante après un échec."""
    return jsonify(progress_json(service.retry(db(), require_user(), id)))


def send(download: service.Download, inline: bool = False) -> Any:
    """The stored file, named as the person will expect it."""
    return send_file(download.path, mimetype=download.media_type, as_attachment=not inline,
                     download_name=download.filename, max_age=0)


@bp.get("/<int:id>/versions/<int:numero>/original")
@operation(responses={200: FICHIER}, params=[ID, NUMBER], errors=(404,), tags=TAGS)
@login_required
@writes
def original(id: int, numero: int) -> Any:
    """Télécharge le fichier original d'une version."""
    return send(service.download(db(), require_user(), id, numero, "original"))


@bp.get("/<int:id>/versions/<int:numero>/recherchable")
@operation(responses={200: FICHIER}, params=[ID, NUMBER], errors=(404,), tags=TAGS)
@login_required
@writes
def searchable(id: int, numero: int) -> Any:
    """Télécharge le PDF recherchable (image et texte de l'OCR) d'une version numérisée."""
    return send(service.download(db(), require_user(), id, numero, "recherchable"))
