"""The JSON API under ``/api/v1/``, authenticated by bearer tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from core.identity import public_user
from core.session_auth import login_required, require_user

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/moi")
@login_required
def me() -> Any:
    return jsonify(public_user(require_user()))
