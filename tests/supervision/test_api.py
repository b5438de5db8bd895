"""``GET /api/v1/supervision/kpis`` and the feed: each supervisor sees only their entities."""

from __future__ import annotations

from datetime import date

import pytest

from core.auth import create_token
from tests.factories import make_user
from tests.supervision.conftest import at, supervisor


@pytest.fixture
def api(client, history):
    def call(user, path, **params):
        _token, clear = create_token(history.session, user.login, "tests")
        history.session.flush()
        return client.get(f"/api/v1/supervision{path}", query_string=params,
                          headers={"Authorization": f"Bearer {clear}"})

    return call


@pytest.fixture
def two_entities(history):
    history.courrier(at(date(2026, 3, 2)))
    history.courrier(at(date(2026, 3, 3)), entity="ARSE")
    return history


def test_a_ministry_supervisor_gets_every_entity_and_the_whole(api, two_entities):
    watcher = supervisor(two_entities.session, two_entities.entities["MDERM"])
    response = api(watcher, "/kpis", du="2026-03-01", au="2026-03-31")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [u["code"] for u in body["entites"]] == ["ARSE", "CEET"]
    assert body["ensemble"]["courrier"]["enregistres"] == 2
    assert body["periode"] == {"du": "2026-03-01", "au": "2026-03-31", "jours": 31}


def test_a_supervisor_of_ceet_sees_only_ceet_and_is_refused_arse(api, two_entities):
    watcher = supervisor(two_entities.session, two_entities.entities["CEET"])
    body = api(watcher, "/kpis", du="2026-03-01", au="2026-03-31").get_json()
    assert [u["code"] for u in body["entites"]] == ["CEET"]
    assert body["ensemble"]["courrier"]["enregistres"] == 1
    refused = api(watcher, "/kpis", entite="ARSE")
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "Vous ne supervisez pas l'entité ARSE."}


@pytest.mark.parametrize("role", ["superviseur", "responsable", "admin"])
def test_the_three_supervising_roles_are_let_in(api, history, role):
    watcher = supervisor(history.session, history.entities["ARSE"], role)
    assert api(watcher, "/kpis").status_code == 200


@pytest.mark.parametrize("role", ["agent", "bureau_ordre", "chef_service"])
def test_other_roles_are_refused_with_a_french_message(api, history, role):
    user = make_user(history.session, history.entities["CEET"], (role,))
    response = api(user, "/kpis")
    assert response.status_code == 403
    assert "réservée aux superviseurs" in response.get_json()["error"]


def test_a_bad_date_is_a_400_and_an_unknown_entity_a_404(api, history):
    watcher = supervisor(history.session, history.entities["MDERM"])
    assert api(watcher, "/kpis", du="hier").status_code == 400
    assert api(watcher, "/kpis", entite="NULLE").status_code == 404


def test_without_a_token_the_api_answers_401(client):
    assert client.get("/api/v1/supervision/kpis").status_code == 401


def test_the_feed_lists_the_latest_events_of_the_supervised_entities_only(api, two_entities):
    watcher = supervisor(two_entities.session, two_entities.entities["CEET"])
    events = api(watcher, "/evenements").get_json()
    assert [(e["entite"], e["quoi"]) for e in events] == [("CEET", "Courrier enregistré")]
    assert events[0]["objet"].startswith("CEET-A-2026-")


def test_answers_match_the_documented_schemas(api, app, march):
    from jsonschema import Draft202012Validator

    from core.openapi import build_document
    from supervision.plan.service import ensure_plan

    ensure_plan(march.session, date(2026, 3, 2))
    document = build_document(app)
    watcher = supervisor(march.session, march.entities["MDERM"])
    for path, params in [("/kpis", {"du": "2026-03-01", "au": "2026-03-31"}),
                         ("/evenements", {})]:
        operation = document["paths"][f"/api/v1/supervision{path}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": document["components"]})
        body = api(watcher, path, **params).get_json()
        assert [e.message for e in validator.iter_errors(body)] == []
