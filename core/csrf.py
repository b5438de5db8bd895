"""CSRF protection for every form: a per-session token checked on each unsafe request."""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from core.errors import ValidationError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    token = session.get(FIELD)
    if not token:
        token = session[FIELD] = secrets.token_urlsafe(32)
    return str(token)


def _check() -> None:
    # The JSON API authenticates with bearer tokens, never with the cookie, so it needs none.
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    expected = session.get(FIELD)
    given = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected), given):
        raise ValidationError("Le formulaire a expiré : rechargez la page et réessayez.")


def init_app(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals["csrf_token"] = csrf_token
