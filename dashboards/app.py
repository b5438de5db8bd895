"""The Dash application of the supervision room, mounted inside the Flask application."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from dash import Dash
from flask import Flask

from dashboards import callbacks, guard, layout

ASSETS = Path(__file__).parent / "assets"
INDEX = """<!DOCTYPE html>
<html lang="fr">
<head>
{%metas%}
<title>{%title%}</title>
{%favicon%}
{%css%}
</head>
<body>
<a class="evitement" href="#react-entry-point">Aller au contenu</a>
{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer>
</body>
</html>"""


def init_app(app: Flask) -> Dash:
    """Mount the room at /supervision/ behind the application's login."""
    guard.init_app(app)
    room = Dash(
        __name__,
        server=cast(Any, app),  # Dash's stubs expect a bool, its code takes a Flask app
        url_base_pathname=guard.PREFIX + "/",
        # The intranet has no internet: Dash serves its own scripts, Plotly's included.
        serve_locally=True,
        external_scripts=[],
        external_stylesheets=[],
        assets_folder=str(ASSETS),
        index_string=INDEX,
        title="Salle de supervision — Dématérialisation du ministère",
        update_title="",  # the tab's title stays put while the room refreshes
        suppress_callback_exceptions=True,  # the room and the wall are drawn by a callback
        csrf_token_name=guard.CSRF_COOKIE,
        csrf_header_name=guard.CSRF_HEADER,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    room.layout = layout.shell
    callbacks.register(room)
    return room
