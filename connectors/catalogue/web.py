"""Pages of the démarche catalogue: list, view, edit, publish, and the JSON-LD export."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, json, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from connectors.catalogue import jsonld, service
from connectors.errors import IncompleteDemarche, InvalidDemarche
from connectors.portal import publication
from connectors.portal.contract import missing_for_publication
from connectors.portal.models import PUBLICATION_LABELS
from core.app import db
from core.identity import Demarche, ministry
from core.session_auth import login_required, require_user

bp = Blueprint("catalogue", __name__, url_prefix="/demarches", template_folder="../templates")
JSONLD = "application/ld+json"


def _form_input(form: MultiDict[str, str]) -> service.DemarcheInput:
    def lines(name: str) -> list[str]:
        return form.get(name, "").splitlines()

    return service.DemarcheInput(
        title=form.get("titre", ""), entity_code=form.get("entite", ""),
        description=form.get("description", ""), audience=form.getlist("public"),
        pieces=lines("pieces"), steps=lines("etapes"), cost_amount=form.get("cout", "0"),
        cost_currency=form.get("devise", "XOF"), delay_days=form.get("delai_jours", ""),
        online=form.get("en_ligne") == "oui", online_url=form.get("url", ""),
    )


def _jsonld(document: dict[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype=JSONLD,
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("")
@login_required
def index() -> Any:
    session, user = db(), require_user()
    entity_code = request.args.get("entite") or None
    demarches = service.catalogue(session, user, entity_code)
    return render_template(
        "connectors/catalogue_list.html", demarches=demarches, entite=entity_code,
        states=publication.states_of(session, demarches), labels=PUBLICATION_LABELS,
        missing={d.id: missing_for_publication(d) for d in demarches},
    )


@bp.get("/catalogue.jsonld")
@login_required
def export() -> Any:
    session, user = db(), require_user()
    demarches = service.catalogue(session, user, request.args.get("entite") or None)
    return _jsonld(jsonld.catalogue_document(demarches, ministry(session)), "catalogue.jsonld")


def _view(demarche: Demarche, status: int = 200, **extra: Any) -> Any:
    session, user = db(), require_user()
    return render_template(
        "connectors/catalogue_view.html", demarche=demarche,
        missing=missing_for_publication(demarche), may_manage=service.may_manage(
            session, user, demarche), state=publication.state_of(session, demarche),
        labels=PUBLICATION_LABELS, **extra,
    ), status


@bp.get("/<code>")
@login_required
def show(code: str) -> Any:
    return _view(service.get(db(), require_user(), code))


@bp.get("/<code>.jsonld")
@login_required
def show_jsonld(code: str) -> Any:
    session = db()
    demarche = service.get(session, require_user(), code)
    node = jsonld.government_service(demarche, ministry(session))
    return _jsonld({"@context": jsonld.CONTEXT, **node}, f"{code}.jsonld")


@bp.route("/<code>/modifier", methods=["GET", "POST"])
@login_required
def edit(code: str) -> Any:
    session, user = db(), require_user()
    demarche = service.get(session, user, code)
    entities = service.managed_entities(session, user)
    if not service.may_manage(session, user, demarche):
        flash("Vous ne pouvez pas modifier les démarches de cette entité.", "erreur")
        return redirect(url_for("catalogue.show", code=code))
    if request.method == "GET":
        return render_template("connectors/catalogue_edit.html", demarche=demarche,
                               entities=entities, audiences=service.AUDIENCES, form=None)
    try:
        changed = service.update(session, user, code, _form_input(request.form))
    except InvalidDemarche as exc:
        return render_template("connectors/catalogue_edit.html", demarche=demarche,
                               entities=entities, audiences=service.AUDIENCES,
                               form=request.form, error=str(exc)), 400
    if changed:
        flash(f"Démarche modifiée (version {demarche.version}).", "succes")
    else:
        flash("Aucune modification.", "info")
    return redirect(url_for("catalogue.show", code=code))


@bp.post("/<code>/publier")
@login_required
def publish(code: str) -> Any:
    session, user = db(), require_user()
    try:
        queued = service.publish(session, user, code)
    except IncompleteDemarche as exc:
        return _view(service.get(session, user, code), 400, error=str(exc))
    if queued:
        flash("Publication demandée : la démarche part vers le portail.", "succes")
    else:
        flash("Le portail a déjà cette version de la démarche : rien à envoyer.", "info")
    return redirect(url_for("catalogue.show", code=code))
