"""The intake queue's pages: what waits, one item previewed with its prefilled registration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from connectors.intake import queue
from connectors.intake.models import INTAKE_LABELS, IntakeItem
from core import directory, permissions
from core.app import db
from core.errors import AtdError, PermissionDenied
from core.session_auth import login_required, require_user
from courrier import forms
from courrier.errors import CourrierAccessDenied
from courrier.models import CHANNEL_LABELS, CONFIDENTIALITY_LABELS, PRIORITY_LABELS
from courrier.requests import handle_refusal
from ged.models import Document

bp = Blueprint("arrivees", __name__, url_prefix="/arrivees", template_folder="../templates")
bp.register_error_handler(CourrierAccessDenied, handle_refusal)
SOURCE_LABELS = {"scanner": "Numérisation", "courriel": "Courriel"}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"sources": SOURCE_LABELS, "etats": INTAKE_LABELS, "canaux": CHANNEL_LABELS,
            "priorites": PRIORITY_LABELS, "confidentialites": CONFIDENTIALITY_LABELS}


def _require_mail_office() -> None:
    if not permissions.entities_for(db(), require_user(), queue.ACTION):
        raise PermissionDenied("Page réservée au bureau d'ordre.")


@bp.get("")
@login_required
def index() -> Any:
    _require_mail_office()
    return render_template("connectors/intake_queue.html",
                           items=queue.waiting(db(), require_user()))


def _item_page(item: IntakeItem, values: Any, status: int = 200) -> Any:
    session, user = db(), require_user()
    allowed = permissions.entities_for(session, user, queue.ACTION)
    documents = [session.get(Document, i) for i in item.document_ids]
    return render_template(
        "connectors/intake_item.html", item=item, values=values,
        entities=[e for e in directory.visible_entities(session, user) if e.id in allowed],
        documents=[d for d in documents if d is not None],
    ), status


@bp.get("/<int:id>")
@login_required
def show(id: int) -> Any:
    item = queue.get(db(), require_user(), id)
    return _item_page(item, MultiDict(queue.prefill(item)))


def _next() -> Any:
    following = queue.next_waiting(db(), require_user())
    if following is None:
        return redirect(url_for("arrivees.index"))
    return redirect(url_for("arrivees.show", id=following.id))


@bp.post("/<int:id>/enregistrer")
@login_required
def register(id: int) -> Any:
    session, user = db(), require_user()
    try:
        courrier = queue.register(session, user, id, forms.registration(request.form))
    except PermissionDenied:
        raise
    except AtdError as exc:
        session.rollback()  # nothing half-done: the item waits as it was
        flash(str(exc), "erreur")
        return _item_page(queue.get(session, user, id), request.form, 400)
    flash(f"Courrier enregistré sous le numéro {courrier.chrono}.", "succes")
    return _next()


@bp.post("/<int:id>/ecarter")
@login_required
def discard(id: int) -> Any:
    session, user = db(), require_user()
    try:
        queue.discard(session, user, id, request.form.get("motif", ""))
    except PermissionDenied:
        raise
    except AtdError as exc:
        session.rollback()
        flash(str(exc), "erreur")
        return redirect(url_for("arrivees.show", id=id))
    flash("Arrivée écartée.", "succes")
    return _next()
