"""Drive the Dash room through Flask's test client: log in, then call its callbacks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboards import layout
from tests.core.web_helpers import log_in
from tests.supervision.conftest import history  # noqa: F401  (the same hand-written history)

ROOM = "/supervision/"
ROOM_OUTPUTS = [("salle-cartes", "children"), ("salle-alertes", "children"),
                *[(f"salle-{g}", "figure") for g in layout.ROOM_GRAPHS],
                ("salle-fil", "children"), ("salle-maj", "children")]


def room_inputs(code: str = "", days: str = "30") -> list[tuple[str, str, Any]]:
    """The inputs of the room's refresh: a tick, the entity chosen, the period."""
    return [("salle-tic", "n_intervals", 1), ("entite", "value", code), ("periode", "value", days)]


def call_callback(client: FlaskClient, outputs: list[tuple[str, str]],
                  inputs: list[tuple[str, str, Any]],
                  state: list[tuple[str, str, Any]] = ()) -> Any:
    """POST one callback as Dash's renderer does (CSRF header from the room's cookie)."""
    cookie = client.get_cookie("atd_csrf", path=ROOM)
    headers = {"X-CSRF-Token": cookie.value} if cookie else {}
    names = [f"{i}.{p}" for i, p in outputs]
    output = ".." + "...".join(names) + ".." if len(outputs) > 1 else names[0]
    body = {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }
    return client.post(ROOM + "_dash-update-component", data=json.dumps(body),
                       content_type="application/json", headers=headers)


@pytest.fixture
def enter(client) -> Callable[[str], FlaskClient]:
    """Log a user in and open the room (which hands out the CSRF cookie)."""
    def go(login: str) -> FlaskClient:
        log_in(client, login)
        assert client.get(ROOM).status_code == 200
        return client

    return go
