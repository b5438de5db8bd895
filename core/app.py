"""The Flask application factory: one session and one transaction per request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from core.db import read_only
from core.dotted import resolve
from core.errors import AtdError
from core.runtime import Runtime, build_runtime
from core.settings import Settings, ensure_secret_key, load_settings

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


# The blueprints of every package, each module holding one ``bp``.
BLUEPRINTS = (
    "core.health", "core.web", "core.api",
    "ged.web", "ged.api", "ged.search.web", "ged.search.api",
    "courrier.web", "courrier.api",
    "connectors.catalogue.web", "connectors.portal.api", "connectors.portal.web",
    "connectors.intake.web",
    "supervision.api",
)


def create_app(
    settings: Settings | dict[str, Any] | None = None, runtime: Runtime | None = None
) -> Flask:
    """Build the web application.

    Args:
        settings: a ``Settings``, or a dict of overrides applied over the environment.
        runtime: an existing runtime to share (tests pass one bound to their transaction).
    """
    if runtime is None:
        if not isinstance(settings, Settings):
            settings = load_settings(overrides=settings)
        runtime = build_runtime(ensure_secret_key(settings))
    settings = runtime.settings
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="atd_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["atd"] = runtime

    _wire_session(app, runtime)
    _wire_errors(app)

    for path in BLUEPRINTS:
        app.register_blueprint(resolve(f"{path}.bp"))
    from dashboards.app import init_app as mount_supervision_room

    mount_supervision_room(app)
    from core import web

    web.init_app(app)
    return app


def runtime_of_app(app: Flask) -> Runtime:
    return app.extensions["atd"]


def db() -> Session:
    """The request's session, opened on first use."""
    if "db" not in g:
        from flask import current_app

        session = runtime_of_app(current_app).sessions()
        # A page that only reads must not wait behind a writer on SQLite.
        reads_only = request.method in ("GET", "HEAD") and not g.get("db_writes")
        g.db = read_only(session) if reads_only else session
    return g.db


def writes(view: F) -> F:
    """Mark a GET view that writes (a download's audit event): its session takes the write lock."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.db_writes = True
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _wire_session(app: Flask, runtime: Runtime) -> None:
    @app.after_request
    def _commit(response: Any) -> Any:
        # Committed before the response leaves, so a success is never reported for lost work.
        session: Session | None = g.pop("db", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


HTTP_MESSAGES = {
    400: "Requête invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Page introuvable.",
    405: "Méthode non autorisée.",
    413: "Fichier trop volumineux.",
    429: "Trop de tentatives.",
    500: "Erreur interne du serveur.",
}


def _wire_errors(app: Flask) -> None:
    def render(status: int, message: str) -> Any:
        if wants_json():
            return jsonify(error=message), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(AtdError)
    def _domain_error(exc: AtdError) -> Any:
        return render(exc.status, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        return render(status, HTTP_MESSAGES.get(status, exc.description or "Erreur."))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unexpected error on %s", request.path)
        return render(500, HTTP_MESSAGES[500])
