"""Helpers for driving the pages with Flask's test client, CSRF token included."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, login: str, password: str = PASSWORD, **extra: str) -> TestResponse:
    token = csrf_from(client, "/connexion")
    return client.post(
        "/connexion", data={"login": login, "mot_de_passe": password, "csrf_token": token, **extra}
    )
