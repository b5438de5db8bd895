"""``/healthz`` (the process answers) and ``/readyz`` (its database, and Redis when configured)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from core.db import database_reachable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    runtime = current_app.extensions["atd"]
    checks: dict[str, str] = {
        "database": "ok" if database_reachable(runtime.engine) else "injoignable"
    }
    if runtime.redis is not None:
        try:
            runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "injoignable"
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ready else "indisponible", checks=checks), (200 if ready else 503)
