"""Who is logged in on this request: the signed session cookie, or an API bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, redirect, request, session, url_for

from core.app import db
from core.auth import user_for_token
from core.errors import AuthenticationFailed
from core.identity import User

F = TypeVar("F", bound=Callable[..., Any])


def log_in(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation of an earlier one
    session.permanent = True
    session["uid"] = user.id
    session["epoch"] = user.session_epoch


def log_out() -> None:
    session.clear()


def current_user() -> User | None:
    """The logged-in, active user of this request (cookie for pages, bearer for the API)."""
    if "user" in g:
        return g.user
    user: User | None = None
    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            user = user_for_token(db(), header[7:].strip())
    elif "uid" in session:
        candidate = db().get(User, session["uid"])
        if (
            candidate is not None
            and candidate.active
            and candidate.session_epoch == session.get("epoch")
        ):
            user = candidate
    g.user = user
    return user


def login_required(view: F) -> F:
    """Pages: redirect to the login page; the API: 401 with a JSON error."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            if request.path.startswith("/api/"):
                raise AuthenticationFailed("Jeton d'API absent, invalide ou révoqué.")
            return redirect(url_for("web.login", suivant=request.full_path.rstrip("?")))
        if user.must_change_password and not request.path.startswith("/api/"):
            return redirect(url_for("web.password"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require_user() -> User:
    """The current user, for handlers already behind ``login_required``."""
    user = current_user()
    if user is None:
        raise AuthenticationFailed("Authentification requise.")
    return user
