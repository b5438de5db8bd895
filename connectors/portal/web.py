"""Pages of the portal connector: its status, the dossiers received and their decision."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from connectors.errors import DecisionConflict, InvalidDecision
from connectors.portal import decisions, outbox
from connectors.portal.models import DOSSIER_LABELS
from connectors.portal.status import connector_status
from core.app import db
from core.errors import PermissionDenied
from core.session_auth import login_required, require_user
from courrier.models import Courrier

bp = Blueprint("connecteurs", __name__, url_prefix="/connecteurs", template_folder="../templates")


def _require_watcher() -> None:
    if not decisions.may_watch_connector(db(), require_user()):
        raise PermissionDenied("Page réservée aux gestionnaires des démarches et aux superviseurs.")


@bp.get("")
@login_required
def status() -> Any:
    _require_watcher()
    return render_template("connectors/status.html", status=connector_status(db()))


@bp.post("/reessayer")
@login_required
def retry() -> Any:
    _require_watcher()
    count = outbox.retry_dead_letters(db())
    flash(f"{count} message(s) remis en file : nouvel essai immédiat.", "succes")
    return redirect(url_for("connecteurs.status"))


@bp.get("/dossiers")
@login_required
def dossiers() -> Any:
    found = decisions.visible_dossiers(db(), require_user())
    return render_template("connectors/dossiers.html", dossiers=found, labels=DOSSIER_LABELS)


def _dossier_page(dossier_id: int, status: int = 200, error: str = "") -> Any:
    session = db()
    dossier = decisions.get(session, require_user(), dossier_id)
    courrier = session.get(Courrier, dossier.courrier_id)
    return render_template("connectors/dossier.html", dossier=dossier, courrier=courrier,
                           labels=DOSSIER_LABELS, error=error), status


@bp.get("/dossiers/<int:id>")
@login_required
def dossier(id: int) -> Any:
    return _dossier_page(id)


@bp.post("/dossiers/<int:id>/decision")
@login_required
def decide(id: int) -> Any:
    try:
        decisions.decide(db(), require_user(), id, request.form.get("decision", ""),
                         request.form.get("motif", ""))
    except (InvalidDecision, DecisionConflict) as exc:
        return _dossier_page(id, exc.status, str(exc))
    flash("Décision enregistrée : elle part vers le portail.", "succes")
    return redirect(url_for("connecteurs.dossier", id=id))
