"""``atd token``: a token is printed once, then opens the API until it is revoked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from flask.testing import FlaskClient

from core.app import create_app
from tests.conftest import atd_runner
from tests.factories import make_ministry, make_user


@pytest.fixture
def database(fresh_database_url: str, make_runtime) -> str:
    """A fresh database holding the user ``agent.ceet``; the CLI commits, so nothing rolls back."""
    with make_runtime().session() as session:
        make_user(session, make_ministry(session)["CEET"], login="agent.ceet")
    return fresh_database_url


@pytest.fixture
def atd(tmp_path: Path, database: str) -> Callable[..., Result]:
    """Run ``atd`` with its environment pointing at the test database."""
    return atd_runner(tmp_path, database)


@pytest.fixture
def api_client(database: str, make_runtime) -> FlaskClient:
    return create_app(runtime=make_runtime()).test_client()


def test_create_prints_the_token_once_and_it_opens_the_api(atd, api_client):
    result = atd("token", "create", "agent.ceet", "--nom", "intégration")
    assert result.exit_code == 0, result.output
    [token] = result.stdout.splitlines()
    assert token.startswith("atd_")
    assert "ne sera plus jamais affiché" in result.stderr
    response = api_client.get("/api/v1/moi", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["login"] == "agent.ceet"


def test_list_shows_the_tokens_without_their_secret(atd):
    token = atd("token", "create", "agent.ceet", "--nom", "intégration").stdout.strip()
    atd("token", "create", "agent.ceet", "--nom", "tableau")
    atd("token", "revoke", "1")
    result = atd("token", "list", "agent.ceet")
    assert result.exit_code == 0, result.output
    header, first, second = result.stdout.splitlines()
    assert header.split() == ["id", "nom", "créé", "le", "révoqué", "le"]
    assert first.startswith("1") and "intégration" in first and first.endswith("UTC")
    assert second.startswith("2") and "tableau" in second and second.endswith("—")
    assert token not in result.stdout


def test_list_says_when_the_user_has_no_token(atd):
    result = atd("token", "list", "agent.ceet")
    assert result.exit_code == 0
    assert result.stdout == "Aucun jeton pour agent.ceet.\n"


def test_revoked_token_no_longer_opens_the_api(atd, api_client):
    token = atd("token", "create", "agent.ceet").stdout.strip()
    result = atd("token", "revoke", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Jeton 1 de agent.ceet révoqué.\n"
    response = api_client.get("/api/v1/moi", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "create", "inconnu"), "Erreur : Utilisateur inconnu : inconnu\n"),
        (("token", "list", "inconnu"), "Erreur : Utilisateur inconnu : inconnu\n"),
        (("token", "revoke", "42"), "Erreur : Jeton inconnu : 42\n"),
    ],
)
def test_unknown_login_or_token_exits_1_with_one_line(atd, args, message):
    result = atd(*args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert result.stdout == ""
