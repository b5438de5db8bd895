"""The door of the room: the pages' own login, open to supervisors, responsables and admins."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, redirect, request, url_for

from core.app import db, runtime_of_app
from core.csrf import csrf_token
from core.db import read_only
from core.errors import AuthenticationFailed, PermissionDenied
from core.permissions import entities_for
from core.session_auth import current_user
from supervision.scope import NOTHING_TO_SUPERVISE

PREFIX = "/supervision"
# Dash's renderer reads the CSRF token from this cookie and sends it back in the header that
# core.csrf checks: its callbacks are POSTs like any form.
CSRF_COOKIE = "atd_csrf"
CSRF_HEADER = "X-CSRF-Token"
PAGES = (f"{PREFIX}/", f"{PREFIX}/mur")


def in_room() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _guard() -> Any:
    if not in_room():
        return None
    if request.path == PREFIX:
        return redirect(PREFIX + "/")
    if "db" not in g:
        # Everything in the room reads, Dash's callback POSTs included: never a write lock.
        g.db = read_only(runtime_of_app(current_app).sessions())
    user = current_user()
    if user is None:
        if request.method == "GET" and request.path in PAGES:
            return redirect(url_for("web.login", suivant=request.path))
        raise AuthenticationFailed("Connectez-vous pour ouvrir la salle de supervision.")
    if user.must_change_password:
        return redirect(url_for("web.password"))
    if not entities_for(db(), user, "superviser"):
        raise PermissionDenied(NOTHING_TO_SUPERVISE)
    return None


def _give_csrf_cookie(response: Any) -> Any:
    if in_room() and request.method == "GET" and response.mimetype == "text/html":
        response.set_cookie(
            CSRF_COOKIE, csrf_token(), path=PREFIX + "/", samesite="Lax", httponly=False,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_guard)
    app.after_request(_give_csrf_cookie)
