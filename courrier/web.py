"""The courrier's pages: inboxes, the registration form, a courrier and its actions, registers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from core import permissions
from core.app import db, writes
from core.errors import AtdError, PermissionDenied
from core.identity import PRIORITIES, Entity, User
from core.session_auth import login_required, require_user
from courrier import (
    actions,
    correspondents,
    deadlines,
    forms,
    inboxes,
    registers,
    routing,
    scans,
    service,
    slip,
    workflow,
)
from courrier.errors import CourrierAccessDenied
from courrier.models import (
    ATTACHMENT_LABELS,
    CHANNEL_LABELS,
    CONFIDENTIALITY_LABELS,
    DIRECTION_LABELS,
    INSTRUCTION_LABELS,
    PRIORITY_LABELS,
    Courrier,
)
from courrier.requests import handle_refusal, uploads
from ged.api import send

bp = Blueprint("courrier", __name__, url_prefix="/courriers", template_folder="templates",
               static_folder="static", static_url_path="/static")
bp.register_error_handler(CourrierAccessDenied, handle_refusal)

LABELS = {
    "statuts": workflow.STATUS_LABELS, "actions": workflow.ACTION_LABELS,
    "etapes": workflow.STEP_LABELS,
    "priorites": PRIORITY_LABELS, "canaux": CHANNEL_LABELS, "sens": DIRECTION_LABELS,
    "confidentialites": CONFIDENTIALITY_LABELS, "instructions": INSTRUCTION_LABELS,
    "pieces": ATTACHMENT_LABELS, "corbeilles": inboxes.INBOXES,
}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"libelles": LABELS, "aujourdhui": service.today()}


def _attempt(work: Callable[[], Any], success: str) -> Any:
    """Run a form's work; a refusal is undone and shown on the page (a 403 goes on up)."""
    try:
        result = work()
    except PermissionDenied:
        raise
    except AtdError as exc:
        db().rollback()  # the redirect commits: nothing half-done may stay
        flash(str(exc), "erreur")
        return None
    flash(success, "succes")
    return result


def _entities(ids: set[int]) -> list[Entity]:
    """The entities among ``ids``, by code."""
    return list(db().scalars(select(Entity).where(Entity.id.in_(ids)).order_by(Entity.code)))


@bp.get("")
@login_required
def index() -> Any:
    session, user = db(), require_user()
    scope = inboxes.scope_for(session, user)
    counts = inboxes.counts(session, user, scope)
    box = request.args.get("corbeille") or ("a_imputer" if counts["a_imputer"] else "a_traiter")
    found = inboxes.inbox(session, user, box, forms.page(request.args), scope=scope)
    return render_template("courrier/inbox.html", box=box, counts=counts, found=found,
                           reminders=deadlines.unread_reminders(session, user))


@bp.get("/recherche")
@login_required
def search() -> Any:
    session, user = db(), require_user()
    found = inboxes.search(session, user, forms.filters(request.args), forms.page(request.args))
    return render_template("courrier/search.html", found=found, args=request.args,
                           entities=_entities(permissions.entities_for(session, user, "voir")))


def _form(user: User, values: Any, status: int = 200, last: Courrier | None = None) -> Any:
    session = db()
    entities = _entities(permissions.entities_for(session, user, "enregistrer_courrier"))
    page = render_template(
        "courrier/form.html", values=values, entities=entities, last=last,
        waiting=scans.waiting(session, user), today=service.today().isoformat(),
        priorities=PRIORITIES,
    )
    return page, status


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def register() -> Any:
    session, user = db(), require_user()
    if request.method == "GET":
        last = request.args.get("dernier", type=int)
        return _form(user, {"entite": user.entity.code},
                     last=service.get(session, user, last) if last else None)
    try:
        courrier = scans.register_with_files(session, user, forms.registration(request.form),
                                             uploads())
    except PermissionDenied:
        raise
    except AtdError as exc:
        session.rollback()
        flash(str(exc), "erreur")
        return _form(user, request.form, 400)
    flash(f"Courrier enregistré sous le numéro {courrier.chrono}.", "succes")
    return redirect(url_for("courrier.register", dernier=courrier.id))


@bp.get("/<int:id>")
@login_required
def show(id: int) -> Any:
    session, user = db(), require_user()
    courrier = service.get(session, user, id)
    grants = permissions.grants(session, user)
    asked = [i for i in courrier.imputations if routing.asked_of(grants, i)]
    return render_template(
        "courrier/show.html", courrier=courrier, links=service.links_of(session, courrier),
        offered=actions.offered(grants, courrier), note_required=actions.NOTE_REQUIRED,
        may_route=actions.may_route(grants, courrier),
        may_reply=actions.may_reply(grants, courrier), asked=asked,
        services=_entities(grants.entities_for("imputer") | grants.entities_for("traiter")),
    )


def _file(data: bytes, media_type: str, filename: str, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype=media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def _back(id: int) -> Any:
    return redirect(url_for("courrier.show", id=id))


@bp.post("/<int:id>/imputer")
@login_required
def route(id: int) -> Any:
    session, user = db(), require_user()
    data = forms.routing(request.form)
    label = INSTRUCTION_LABELS.get(data.kind, data.kind).lower()
    _attempt(lambda: routing.route(session, user, id, data), f"Imputation ({label}) enregistrée.")
    return _back(id)


@bp.post("/<int:id>/avis")
@login_required
def opinion(id: int) -> Any:
    session, user = db(), require_user()
    asked = request.form.get("demande", type=int) or 0
    _attempt(lambda: routing.give_opinion(session, user, asked, request.form.get("avis", "")),
             "Avis enregistré.")
    return _back(id)


@bp.post("/<int:id>/repondre")
@login_required
def reply(id: int) -> Any:
    session, user = db(), require_user()

    def work() -> Courrier:
        return scans.reply_with_files(session, user, id, forms.reply(request.form), uploads())

    departure = _attempt(work, "Réponse préparée.")
    return _back(departure.id if departure else id)


@bp.post("/<int:id>/action")
@login_required
def act(id: int) -> Any:
    session, user = db(), require_user()
    action = request.form.get("action", "")

    def work() -> Courrier:
        return scans.perform_with_files(session, user, id, action, request.form.get("note", ""),
                                        (), uploads())

    _attempt(work, f"{workflow.ACTION_LABELS.get(action, action)} : fait.")
    return _back(id)


@bp.post("/<int:id>/pieces")
@login_required
def attach(id: int) -> Any:
    session, user = db(), require_user()
    role = request.form.get("role", "annexe")

    def work() -> None:
        scans.store(session, user, service.attachable(session, user, id), uploads(), role)

    _attempt(work, "Pièce(s) jointe(s).")
    return _back(id)


@bp.get("/<int:id>/pieces/<int:document>/<any(original, recherchable, vignette):variant>")
@login_required
@writes
def attachment(id: int, document: int, variant: str) -> Any:
    found = scans.download(db(), require_user(), id, document, variant)
    return send(found, inline=variant == "vignette" or request.args.get("apercu") == "1")


@bp.get("/<int:id>/fiche.pdf")
@login_required
def routing_slip(id: int) -> Any:
    courrier = service.get(db(), require_user(), id)
    data = slip.routing_slip(courrier, url_for("courrier.show", id=id, _external=True))
    return _file(data, "application/pdf", f"fiche-{courrier.chrono}.pdf", inline=True)


@bp.get("/correspondants")
@login_required
def correspondents_search() -> Any:
    found = correspondents.search(db(), request.args.get("q", ""))
    return jsonify([correspondents.describe(c) for c in found])


@bp.get("/registre")
@login_required
def register_file() -> Any:
    session, user = db(), require_user()
    entities = _entities(permissions.entities_for(session, user, "voir"))
    if "entite" not in request.args:
        return render_template("courrier/register.html", entities=entities,
                               year=service.today().year, formats=registers.FORMATS)
    year = request.args.get("annee", type=int) or service.today().year
    start, end = registers.year_bounds(year)
    start = forms.day(request.args, "du", "Date de début") or start
    end = forms.day(request.args, "au", "Date de fin") or end
    fmt = request.args.get("format", "pdf")
    register = registers.build(session, user, request.args["entite"],
                               request.args.get("sens", "arrivee"), start, end)
    name = f"registre-{register.entity.code}-{register.direction}-{start:%Y%m%d}-{end:%Y%m%d}"
    data = registers.render(register, fmt)
    return _file(data, registers.MEDIA_TYPES[fmt], f"{name}.{fmt}", inline=False)


@bp.post("/rappels/<int:reminder>/lu")
@login_required
def reminder_read(reminder: int) -> Any:
    deadlines.mark_read(db(), require_user(), reminder)
    return redirect(url_for("courrier.index"))


def format_day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


bp.add_app_template_filter(format_day, "jour")
