"""The Dash room behind the application's login: who gets in, what its callbacks answer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from courrier.service import today
from dashboards import layout
from tests.core.web_helpers import log_in
from tests.dashboards.conftest import ROOM, ROOM_OUTPUTS, call_callback, room_inputs
from tests.factories import make_user
from tests.supervision.conftest import History, at


@pytest.fixture
def people(history: History):
    """A supervisor of the ministry, one of CEET, and an agent; a courrier at CEET and ARSE."""
    s, e = history.session, history.entities
    make_user(s, e["MDERM"], ("superviseur",), login="suivi")
    make_user(s, e["CEET"], ("responsable",), login="resp.ceet")
    make_user(s, e["CEET"], ("agent",), login="agent.ceet")
    history.courrier(at(today() - timedelta(days=1)))
    history.courrier(at(today() - timedelta(days=2)), entity="ARSE", channel="email")
    return history


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(ROOM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/connexion?suivant=/supervision/")
    assert client.get(ROOM + "_dash-layout").status_code == 401


def test_an_agent_is_refused_in_french(people, client):
    log_in(client, "agent.ceet")
    response = client.get(ROOM)
    assert response.status_code == 403
    assert "réservée aux superviseurs" in response.get_data(as_text=True)


def test_the_room_is_french_and_serves_every_asset_itself(people, enter):
    client = enter("suivi")
    page = client.get(ROOM).get_data(as_text=True)
    assert '<html lang="fr">' in page
    addresses = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert addresses and all(a.startswith("/") for a in addresses), addresses
    for address in addresses:
        assert client.get(address).status_code == 200, address
    assert "cdn" not in page.lower()


def test_the_refresh_callback_draws_every_entity_for_a_ministry_supervisor(people, enter):
    response = call_callback(enter("suivi"), ROOM_OUTPUTS, room_inputs())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answer = response.get_json()["response"]
    cards = answer["salle-cartes"]["children"]
    assert [c["props"]["id"] for c in cards] == ["carte-ARSE", "carte-CEET"]
    volumes = answer["salle-volumes"]["figure"]
    assert sum(sum(trace["y"]) for trace in volumes["data"][:-1]) == 2
    assert answer["salle-maj"]["children"].startswith("Mis à jour à")


def test_a_supervisor_of_ceet_draws_only_ceet(people, enter):
    answer = call_callback(enter("resp.ceet"), ROOM_OUTPUTS, room_inputs()).get_json()
    cards = answer["response"]["salle-cartes"]["children"]
    assert [c["props"]["id"] for c in cards] == ["carte-CEET"]
    refused = call_callback(enter("resp.ceet"), ROOM_OUTPUTS, room_inputs(code="ARSE"))
    assert refused.status_code == 403


def test_a_callback_without_the_csrf_header_is_refused(people, enter, client):
    enter("suivi")
    client.delete_cookie("atd_csrf", path=ROOM)
    assert call_callback(client, ROOM_OUTPUTS, room_inputs()).status_code == 400


def test_the_csv_download_holds_the_figures_of_the_selection(people, enter):
    response = call_callback(enter("suivi"), [("csv", "data")],
                             [("csv-bouton", "n_clicks", 1)],
                             [("entite", "value", "CEET"), ("periode", "value", "7")])
    data = response.get_json()["response"]["csv"]["data"]
    assert data["filename"].startswith("supervision-CEET-")
    lines = data["content"].lstrip("\ufeff").splitlines()
    assert lines[0] == "entite;rubrique;indicateur;valeur"
    assert "CEET;courrier;enregistres;1" in lines


def test_the_wall_page_cycles_through_the_entities(people, enter):
    client = enter("suivi")
    page = call_callback(client, [("page", "children")],
                         [("adresse", "pathname", "/supervision/mur")])
    assert '"mur-tic"' in page.get_data(as_text=True)
    outputs = [("mur-titre", "children"), ("mur-carte", "children"),
               *[(f"mur-{g}", "figure") for g in layout.WALL_GRAPHS],
               ("mur-fil", "children"), ("mur-maj", "children")]
    titles = [
        call_callback(client, outputs, [("mur-tic", "n_intervals", tick)]).get_json()
        ["response"]["mur-titre"]["children"]
        for tick in (0, layout.WALL_TICKS, 2 * layout.WALL_TICKS)
    ]
    assert titles == ["ARSE — Entité ARSE", "CEET — Entité CEET", "ARSE — Entité ARSE"]
