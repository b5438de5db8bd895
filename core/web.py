"""Pages of the core: login, logout, password change, and the home page of each role."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for

from core import auth, csrf
from core.app import db, runtime_of_app
from core.errors import AuthenticationFailed, ValidationError
from core.home import home_sections, navigation
from core.identity import ROLE_LABELS
from core.session_auth import current_user, log_in, log_out, login_required, require_user

bp = Blueprint("web", __name__)


def _safe_next(target: str | None) -> str:
    # Only paths of this site, never "//host" or "https://…": no open redirect after login.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.home")


@bp.route("/connexion", methods=["GET", "POST"])
def login() -> Any:
    next_url = request.values.get("suivant")
    if request.method == "GET":
        return render_template("login.html", suivant=next_url, login="")
    login_value = request.form.get("login", "").strip()
    password = request.form.get("mot_de_passe", "")
    try:
        if not login_value or not password:
            raise AuthenticationFailed("Saisissez votre identifiant et votre mot de passe.")
        user = auth.authenticate(db(), runtime_of_app(current_app).throttle, login_value, password)
    except AuthenticationFailed as exc:
        return render_template(
            "login.html", error=str(exc), suivant=next_url, login=login_value
        ), exc.status
    log_in(user)
    if user.must_change_password:
        flash("Première connexion : choisissez votre mot de passe personnel.", "info")
        return redirect(url_for("web.password"))
    return redirect(_safe_next(next_url))


@bp.post("/deconnexion")
def logout() -> Any:
    log_out()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("web.login"))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
def password() -> Any:
    user = current_user()
    if user is None:
        return redirect(url_for("web.login", suivant=url_for("web.password")))
    if request.method == "GET":
        return render_template("password.html", user=user)
    try:
        auth.change_password(
            db(),
            user,
            request.form.get("actuel", ""),
            request.form.get("nouveau", ""),
            request.form.get("confirmation", ""),
        )
    except ValidationError as exc:
        return render_template("password.html", user=user, error=str(exc)), 400
    log_in(user)  # the epoch changed: keep this session, end the others
    flash("Votre mot de passe a été changé.", "succes")
    return redirect(url_for("web.home"))


@bp.get("/")
@login_required
def home() -> Any:
    user = require_user()
    session = db()
    return render_template(
        "home.html", user=user, sections=home_sections(session, user), role_labels=ROLE_LABELS
    )


def format_number(value: int) -> str:
    """12 345: French groups thousands with a space."""
    return f"{value:,}".replace(",", " ")


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.add_template_filter(format_number, "nombre")

    @app.context_processor
    def _inject_user() -> dict[str, Any]:
        user = current_user()
        return {"current_user": user, "navigation": navigation(db(), user) if user else []}
