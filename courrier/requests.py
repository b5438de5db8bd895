"""What the pages and the API share: the files sent with a request, and the courrier's 403."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from flask import jsonify, render_template, request

from core.app import db, wants_json
from core.session_auth import current_user
from courrier import access
from courrier.errors import CourrierAccessDenied
from ged.service import Upload


def uploads(field: str = "fichiers") -> list[Upload]:
    """The files sent in a multipart field (empty file inputs left out)."""
    return [Upload(f.filename or "", cast(BinaryIO, f.stream))
            for f in request.files.getlist(field) if f.filename]


def handle_refusal(exc: CourrierAccessDenied) -> Any:
    """Roll back, write the refusal's event, commit it, and answer 403 in French."""
    session = db()
    session.rollback()
    access.record_refusal(session, current_user(), exc)
    session.commit()
    if wants_json():
        return jsonify(error=str(exc)), exc.status
    return render_template("error.html", status=exc.status, message=str(exc)), exc.status
