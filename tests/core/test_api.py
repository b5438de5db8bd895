"""The JSON API: bearer tokens only, and each answer limited to what the user may see."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.auth import create_token, revoke_token
from core.db import Base
from tests.core.web_helpers import log_in
from tests.factories import make_demarche, make_ministry, make_user


@pytest.fixture
def tree(db_session):
    return make_ministry(db_session)


def bearer(session, user) -> dict[str, str]:
    _token, clear = create_token(session, user.login, "tests")
    return {"Authorization": f"Bearer {clear}"}


def assert_json_error(response, status: int) -> None:
    assert response.status_code == status
    assert response.is_json
    assert set(response.get_json()) == {"error"}
    assert response.get_json()["error"]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item.get("code") or item.get("login") for item in response.get_json()]


@pytest.mark.parametrize(
    "header", [None, "Bearer ", "Bearer atd_inconnu", "Basic dXNlcjpwYXNz", "atd_sans_schema"]
)
def test_api_without_a_valid_bearer_token_answers_401_json(client, tree, header):
    headers = {"Authorization": header} if header is not None else {}
    assert_json_error(client.get("/api/v1/moi", headers=headers), 401)


def test_token_authenticates_its_owner(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"], roles=("agent",), login="agent.ceet")
    response = client.get("/api/v1/moi", headers=bearer(db_session, agent))
    assert response.status_code == 200
    body = response.get_json()
    assert body["login"] == "agent.ceet"
    assert body["roles"] == [{"role": "agent", "entite": "CEET"}]
    assert not any("hash" in key or "mot_de_passe" in key for key in body)


def test_revoked_token_answers_401(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"])
    token, clear = create_token(db_session, agent.login, "tests")
    headers = {"Authorization": f"Bearer {clear}"}
    assert client.get("/api/v1/moi", headers=headers).status_code == 200
    revoke_token(db_session, token.id)
    db_session.flush()
    assert_json_error(client.get("/api/v1/moi", headers=headers), 401)


def test_token_of_a_deactivated_user_answers_401(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"])
    headers = bearer(db_session, agent)
    agent.active = False
    db_session.flush()
    assert_json_error(client.get("/api/v1/moi", headers=headers), 401)


def test_session_cookie_alone_does_not_authenticate_the_api(client, db_session, tree):
    make_user(db_session, tree["CEET"], login="agent.ceet")
    assert log_in(client, "agent.ceet").status_code == 302
    assert client.get("/").status_code == 200  # the cookie does open the pages
    assert_json_error(client.get("/api/v1/moi"), 401)


def test_entities_lists_the_users_entity_and_those_below_it(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"])
    response = client.get("/api/v1/entites", headers=bearer(db_session, agent))
    assert codes(response) == ["CEET", "CEET-COM"]
    ceet = response.get_json()[0]
    assert ceet == {
        "code": "CEET", "nom": "Entité CEET", "type": "tutelle", "parent": "MDERM",
        "delais": {"normale": 30, "urgente": 8, "tres_urgente": 4}, "actif": True,
    }


def test_user_without_role_sees_no_entity(client, db_session, tree):
    nobody = make_user(db_session, tree["CEET"], roles=())
    assert codes(client.get("/api/v1/entites", headers=bearer(db_session, nobody))) == []


def test_entity_is_readable_by_code_when_visible(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"])
    response = client.get("/api/v1/entites/CEET-COM", headers=bearer(db_session, agent))
    assert response.status_code == 200
    assert response.get_json()["parent"] == "CEET"


@pytest.mark.parametrize(("code", "status"), [("ARSE", 403), ("MDERM", 403), ("INCONNUE", 404)])
def test_entity_outside_the_users_reach_answers_json_error(client, db_session, tree, code, status):
    headers = bearer(db_session, make_user(db_session, tree["CEET"]))
    assert_json_error(client.get(f"/api/v1/entites/{code}", headers=headers), status)


def test_users_listing_covers_the_entities_the_admin_administers(client, db_session, tree):
    admin = make_user(db_session, tree["CEET"], roles=("admin",), login="admin.ceet")
    make_user(db_session, tree["CEET-COM"], login="agent.com")
    make_user(db_session, tree["ARSE"], login="agent.arse")
    headers = bearer(db_session, admin)
    everyone = client.get("/api/v1/utilisateurs", headers=headers)
    assert codes(everyone) == ["admin.ceet", "agent.com"]
    below = client.get("/api/v1/utilisateurs?entite=CEET-COM", headers=headers)
    assert codes(below) == ["agent.com"]


@pytest.mark.parametrize(
    ("query", "status"), [("", 403), ("?entite=CEET", 403), ("?entite=INCONNUE", 404)]
)
def test_users_listing_is_refused_to_non_admins(client, db_session, tree, query, status):
    chef = make_user(db_session, tree["CEET"], roles=("chef_service", "superviseur"))
    headers = bearer(db_session, chef)
    assert_json_error(client.get(f"/api/v1/utilisateurs{query}", headers=headers), status)


def test_users_listing_is_refused_outside_the_administered_entities(client, db_session, tree):
    headers = bearer(db_session, make_user(db_session, tree["CEET"], roles=("admin",)))
    assert_json_error(client.get("/api/v1/utilisateurs?entite=ARSE", headers=headers), 403)


def test_demarches_are_those_of_visible_entities_and_active(client, db_session, tree):
    make_demarche(db_session, tree["CEET"], "CEET-RACC-BT")
    make_demarche(db_session, tree["CEET-COM"], "CEET-COM-RECL")
    make_demarche(db_session, tree["CEET"], "CEET-ANCIENNE", active=False)
    make_demarche(db_session, tree["ARSE"], "ARSE-LICENCE")
    agent = make_user(db_session, tree["CEET"])
    headers = bearer(db_session, agent)
    visible = client.get("/api/v1/demarches", headers=headers)
    assert codes(visible) == ["CEET-COM-RECL", "CEET-RACC-BT"]
    below = client.get("/api/v1/demarches?entite=CEET-COM", headers=headers)
    assert codes(below) == ["CEET-COM-RECL"]
    assert_json_error(client.get("/api/v1/demarches?entite=ARSE", headers=headers), 403)


def test_demarche_is_described_with_french_keys(client, db_session, tree):
    make_demarche(db_session, tree["CEET"], "CEET-RACC-BT")
    agent = make_user(db_session, tree["MDERM"])
    [demarche] = client.get("/api/v1/demarches", headers=bearer(db_session, agent)).get_json()
    assert demarche == {
        "code": "CEET-RACC-BT", "titre": "Démarche CEET-RACC-BT", "entite": "CEET",
        "public": ["citoyens", "entreprises"], "description": "Une démarche de test.",
        "pieces": ["Copie de la carte d'identité"], "etapes": ["Dépôt", "Instruction"],
        "cout": {"montant": 25000, "devise": "XOF"}, "delai_jours": 15, "en_ligne": True,
        "version": 1,
    }


def test_unknown_api_path_and_wrong_method_answer_json_errors(client, db_session, tree):
    headers = bearer(db_session, make_user(db_session, tree["CEET"]))
    assert_json_error(client.get("/api/v1/inexistant", headers=headers), 404)
    assert_json_error(client.get("/api/v2/moi", headers=headers), 404)
    assert_json_error(client.delete("/api/v1/entites", headers=headers), 405)


def snapshot(session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to compare the database before and after."""
    return {
        table.name: sorted((tuple(row) for row in session.execute(select(table))), key=repr)
        for table in Base.metadata.sorted_tables
    }


def test_failed_api_calls_leave_the_database_unchanged(client, db_session, tree):
    agent = make_user(db_session, tree["CEET"])
    headers = bearer(db_session, agent)
    token, clear = create_token(db_session, agent.login, "révoqué")
    revoke_token(db_session, token.id)
    db_session.flush()
    before = snapshot(db_session)
    failures = [
        client.get("/api/v1/moi"),
        client.get("/api/v1/moi", headers={"Authorization": f"Bearer {clear}"}),
        client.get("/api/v1/entites/ARSE", headers=headers),
        client.get("/api/v1/utilisateurs", headers=headers),
        client.get("/api/v1/demarches?entite=INCONNUE", headers=headers),
        client.post("/api/v1/demarches", headers=headers, json={"code": "X"}),
    ]
    assert all(400 <= response.status_code < 500 for response in failures)
    assert snapshot(db_session) == before
