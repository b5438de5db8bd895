"""The portal simulator's web application: the portal contract of DESIGN.md, and its controls.

``/api/…`` is the contract the connector speaks (bearer token); ``/citoyen/…`` is where a
citizen submits a dossier; ``/_simulateur/…`` tells the simulator to fail, and counts.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from connectors.portal_sim.faults import Faults
from connectors.portal_sim.store import Piece, Store, StoreError
from connectors.portal_sim.webhooks import WebhookSender

T = TypeVar("T")
MAX_PAGE = 500
DEMARCHE_STATUSES = ("publiee", "retiree")


def _check_demarche(code: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise StoreError("le corps doit être un objet JSON")
    if body.get("code") != code:
        raise StoreError("le code du corps diffère de celui de l'adresse")
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoreError("version doit être un entier positif")
    if not isinstance(body.get("titre"), str) or not body["titre"].strip():
        raise StoreError("titre est obligatoire")
    if body.get("statut") not in DEMARCHE_STATUSES:
        raise StoreError(f"statut doit valoir {' ou '.join(DEMARCHE_STATUSES)}")
    return body


def _or_404(found: T | None, message: str) -> T:
    if found is None:
        abort(404, message)
    return found


def _submission() -> tuple[dict[str, str], dict[str, Any], list[Piece]]:
    """The citizen's form: who they are, the démarche's fields, and the files they attach."""
    form = request.form
    applicant = {key: form.get(key, "").strip() for key in ("nom", "email", "telephone")}
    raw = form.get("champs", "").strip()
    try:
        fields = json.loads(raw) if raw else {}
    except ValueError:
        raise StoreError("champs doit être un objet JSON") from None
    if not isinstance(fields, dict):
        raise StoreError("champs doit être un objet JSON")
    fields.update({k[6:]: v for k, v in form.items() if k.startswith("champ_") and v.strip()})
    pieces = [
        Piece(upload.filename or "piece", upload.mimetype or "application/octet-stream",
              upload.read())
        for upload in request.files.getlist("pieces")
        if upload.filename
    ]
    return applicant, fields, pieces


def create_sim_app(store: Store, token: str, faults: Faults | None = None,
                   webhook: WebhookSender | None = None,
                   refuse_for: Callable[[float], None] | None = None) -> Flask:
    """Build the simulator.

    Args:
        token: the bearer token the API and the controls require (empty: no check).
        refuse_for: closes the listening socket for that many seconds (given by the server).
    """
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    faults = faults or Faults()
    app.extensions["portal_sim"] = {"store": store, "faults": faults, "webhook": webhook}

    def guarded(path: str) -> bool:
        return path.startswith(("/api/", "/_simulateur/"))

    @app.before_request
    def _authenticate_and_fail() -> Any:
        if guarded(request.path) and token:
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return jsonify(error="jeton absent ou invalide"), 401
        if request.path.startswith("/api/") and faults.before():
            return jsonify(error="panne simulée"), 500
        return None

    @app.after_request
    def _fail_after_and_count(response: Response) -> Response:
        if request.path.startswith("/api/"):
            if response.status_code < 400 and faults.after():
                response = jsonify(error="panne simulée après traitement")
                response.status_code = 500
            rule = request.url_rule.rule if request.url_rule else request.path
            store.log_request(request.method, rule, response.status_code)
        return response

    @app.errorhandler(StoreError)
    def _refused(exc: StoreError) -> Any:
        return jsonify(error=str(exc)), exc.status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        return jsonify(error=exc.description), exc.code or 500

    @app.put("/api/demarches/<code>")
    def put_demarche(code: str) -> Any:
        body = _check_demarche(code, request.get_json(silent=True))
        status, outcome = store.put_demarche(code, body)
        return jsonify(code=code, version=body["version"], resultat=outcome), status

    @app.get("/api/demarches/<code>")
    def get_demarche(code: str) -> Any:
        return jsonify(_or_404(store.get_demarche(code), f"démarche inconnue : {code}"))

    @app.get("/api/demarches")
    def list_demarches() -> Any:
        return jsonify(store.demarches())

    @app.get("/api/dossiers")
    def list_dossiers() -> Any:
        cursor_arg = request.args.get("cursor", "0") or "0"
        if not cursor_arg.isdigit():
            raise StoreError("curseur illisible")
        limit = min(int(request.args.get("limit", "100") or 100), MAX_PAGE)
        dossiers, last, more = store.dossiers(
            request.args.get("updated_since") or None, int(cursor_arg), limit
        )
        return jsonify(dossiers=dossiers, cursor=str(last), has_more=more)

    @app.get("/api/dossiers/<dossier_id>")
    def get_dossier(dossier_id: str) -> Any:
        return jsonify(_or_404(store.dossier(dossier_id), f"dossier inconnu : {dossier_id}"))

    @app.get("/api/dossiers/<dossier_id>/pieces/<int:n>")
    def get_piece(dossier_id: str, n: int) -> Any:
        name, media_type, content = _or_404(store.piece(dossier_id, n), "pièce inconnue")
        return Response(content, mimetype=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.put("/api/dossiers/<dossier_id>/etat")
    def set_state(dossier_id: str) -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("etat"), str):
            raise StoreError("le corps doit être un objet JSON avec « etat »")
        status, dossier = store.set_state(dossier_id, body["etat"], str(body.get("motif") or ""),
                                          str(body.get("reference") or ""))
        return jsonify(dossier), status

    @app.get("/citoyen/")
    def citizen_home() -> Any:
        return render_template("portal_sim/index.html", demarches=store.demarches())

    @app.route("/citoyen/demarches/<code>", methods=["GET", "POST"])
    def citizen_submit(code: str) -> Any:
        demarche = _or_404(store.get_demarche(code), f"démarche inconnue : {code}")
        if request.method == "GET":
            return render_template("portal_sim/deposer.html", demarche=demarche)
        dossier = store.submit_dossier(code, *_submission())
        if webhook is not None:
            webhook.send("dossier.depose", dossier)
        if request.accept_mimetypes.best == "application/json":
            return jsonify(dossier), 201
        return redirect(url_for("citizen_done", number=dossier["numero"]))

    @app.get("/citoyen/depot/<number>")
    def citizen_done(number: str) -> Any:
        return render_template("portal_sim/depose.html", number=number)

    @app.post("/_simulateur/pannes")
    def control_faults() -> Any:
        values = dict(request.get_json(silent=True) or {})
        refuse = float(values.pop("refuse_seconds", 0) or 0)
        try:
            settings = faults.update(values)
        except (TypeError, ValueError) as exc:
            raise StoreError(str(exc)) from None
        if refuse > 0:
            if refuse_for is None:
                raise StoreError("ce simulateur ne peut pas refuser les connexions")
            refuse_for(refuse)
        return jsonify(pannes=vars(settings), refus_secondes=refuse)

    @app.get("/_simulateur/etat")
    def control_state() -> Any:
        return jsonify(
            pannes=vars(faults.settings),
            requetes=store.request_counts(),
            ecritures=store.writes(),
            webhooks=list(webhook.delivered) if webhook else [],
        )

    return app
