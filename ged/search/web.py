"""The search page: the box, the hits with their highlights, facets, filters and pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from core.app import db
from core.session_auth import login_required, require_user
from ged.search import service
from ged.search.forms import request_from

bp = Blueprint("search", __name__, url_prefix="/recherche", template_folder="templates")


@bp.get("")
@login_required
def index() -> Any:
    session, user = db(), require_user()
    asked = request_from(session, request.args, service.PER_PAGE)
    found = None
    if asked.text:
        found = service.search(session, user, asked.text, asked.filters, asked.page,
                               asked.per_page)
    return render_template("search/page.html", found=found, args=request.args)
