"""The GED's pages: upload, list with filters, a document with its preview, text and versions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from core import permissions
from core.app import db, writes
from core.errors import AtdError
from core.identity import Entity
from core.session_auth import login_required, require_user
from ged import access, queries, service
from ged.api import send
from ged.models import CONFIDENTIALITY, STATUS_LABELS
from ged.present import progress_json
from ged.web_forms import filters_from, metadata_from

bp = Blueprint("ged", __name__, url_prefix="/documents", template_folder="templates",
               static_folder="static", static_url_path="/static")


def _entities(ids: set[int]) -> list[Entity]:
    if not ids:
        return []
    return list(db().scalars(select(Entity).where(Entity.id.in_(ids)).order_by(Entity.code)))


@bp.get("")
@login_required
def index() -> Any:
    session, user = db(), require_user()
    filters, page = filters_from(session, request.args)
    found = queries.list_documents(session, user, filters, page)
    return render_template(
        "ged/list.html", found=found, args=request.args, statuses=STATUS_LABELS,
        entities=_entities(permissions.entities_for(session, user, "voir")),
        types=queries.document_types(session, user),
        may_upload=bool(access.writable_entity_ids(session, user)),
    )


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def upload() -> Any:
    session, user = db(), require_user()
    entities = _entities(access.writable_entity_ids(session, user))
    if request.method == "GET":
        return render_template("ged/upload.html", entities=entities, levels=CONFIDENTIALITY)
    files = [f for f in request.files.getlist("fichiers") if f.filename]
    if not files:
        flash("Choisissez au moins un fichier.", "erreur")
        return render_template("ged/upload.html", entities=entities, levels=CONFIDENTIALITY), 400
    entity = service.resolve_entity(session, request.form.get("entite", ""))
    fields = {k: v for k, v in metadata_from(request.form).items() if v != ""}
    if len(files) > 1:
        fields.pop("title", None)  # several files: each is titled by its own name
    added = []
    for upload_file in files:
        try:
            with session.begin_nested():  # a refused file leaves the others in
                received = service.Upload(upload_file.filename or "", upload_file.stream)
                added.append(service.add_document(session, user, received, entity, **fields))
        except AtdError as exc:
            flash(f"{upload_file.filename} : {exc}", "erreur")
    if added:
        flash(f"{len(added)} document(s) ajouté(s) : lecture du texte en cours.", "succes")
    if len(added) == 1:
        return redirect(url_for("ged.show", id=added[0].id))
    return redirect(url_for("ged.index"))


@bp.get("/<int:id>")
@login_required
@writes
def show(id: int) -> Any:
    session, user = db(), require_user()
    document, current = service.read_document(session, user, id)
    service.record_consultation(session, user, document)
    return render_template(
        "ged/document.html", document=document, current=current,
        progress=progress_json(current), statuses=STATUS_LABELS, levels=CONFIDENTIALITY,
        may_write=access.may_write(session, user, document),
    )


@bp.get("/<int:id>/progression")
@login_required
def progress(id: int) -> Any:
    document = service.get_document(db(), require_user(), id)
    return jsonify(progress_json(service.version_of(document, None)))


@bp.post("/<int:id>/modifier")
@login_required
def edit(id: int) -> Any:
    service.update_metadata(db(), require_user(), id, **metadata_from(request.form))
    flash("Métadonnées enregistrées.", "succes")
    return redirect(url_for("ged.show", id=id))


@bp.post("/<int:id>/versions")
@login_required
def add_version(id: int) -> Any:
    upload_file = request.files.get("fichier")
    if upload_file is None or not upload_file.filename:
        flash("Choisissez le fichier de la nouvelle version.", "erreur")
        return redirect(url_for("ged.show", id=id))
    received = service.Upload(upload_file.filename, upload_file.stream)
    version = service.add_version(db(), require_user(), id, received)
    flash(f"Version {version.number} ajoutée : lecture du texte en cours.", "succes")
    return redirect(url_for("ged.show", id=id))


@bp.post("/<int:id>/relancer")
@login_required
def retry(id: int) -> Any:
    service.retry(db(), require_user(), id)
    flash("Lecture relancée.", "succes")
    return redirect(url_for("ged.show", id=id))


@bp.get("/<int:id>/versions/<int:numero>/<any(original, recherchable, vignette):variant>")
@login_required
@writes
def download(id: int, numero: int, variant: str) -> Any:
    found = service.download(db(), require_user(), id, numero, variant)
    return send(found, inline=variant == "vignette" or request.args.get("apercu") == "1")
