"""Login, logout, lock after repeated failures, CSRF, and the first-login password change."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.audit import Event
from core.identity import User
from tests.core.web_helpers import csrf_from, log_in
from tests.factories import PASSWORD, make_ministry, make_user


def _events(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Event))


def test_login_page_is_french_and_served_without_external_assets(client):
    page = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Identifiant" in page and "Mot de passe" in page
    assert "http://" not in page and "https://" not in page


def test_home_redirects_anonymous_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_valid_login_opens_the_home_page_of_the_user(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], roles=("agent",), login="awa")
    response = log_in(client, "awa")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Bonjour Utilisateur awa" in page
    assert "Agent — CEET" in page


def test_session_cookie_is_httponly_and_samesite(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="kofi")
    response = log_in(client, "kofi")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_wrong_password_is_refused_in_french_and_changes_nothing(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="ama")
    before = _events(db_session)
    response = log_in(client, "ama", "pas-le-bon")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    assert _events(db_session) == before


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="yao")
    for _ in range(5):
        assert log_in(client, "yao", "mauvais").status_code == 401
    response = log_in(client, "yao", PASSWORD)
    assert response.status_code == 429
    assert "bloqué temporairement" in response.get_data(as_text=True)


def test_form_without_csrf_token_is_refused(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="efua")
    response = client.post("/connexion", data={"login": "efua", "mot_de_passe": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_login_never_redirects_to_another_site(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="kwame")
    response = log_in(client, "kwame", suivant="//evil.example/")
    assert response.headers["Location"] == "/"


def test_first_login_forces_a_password_change_then_the_old_one_stops_working(client, db_session):
    """GIVEN a user with a one-time password
    WHEN they log in THEN every page leads to the password form until they choose their own."""
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="adjo", must_change_password=True)
    assert log_in(client, "adjo").headers["Location"] == "/mot-de-passe"
    assert client.get("/").headers["Location"] == "/mot-de-passe"
    token = csrf_from(client, "/mot-de-passe")
    new = "un-mot-de-passe-personnel"
    response = client.post(
        "/mot-de-passe",
        data={
            "csrf_token": token,
            "actuel": PASSWORD,
            "nouveau": new,
            "confirmation": new,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    user = db_session.scalars(select(User).where(User.login == "adjo")).one()
    db_session.refresh(user)
    assert not user.must_change_password
    client.post("/deconnexion", data={"csrf_token": csrf_from(client, "/")})
    assert log_in(client, "adjo", PASSWORD).status_code == 401
    assert log_in(client, "adjo", new).status_code == 302


def test_weak_or_mismatched_new_password_is_refused_with_its_reason(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="esi")
    log_in(client, "esi")
    token = csrf_from(client, "/mot-de-passe")
    short = client.post(
        "/mot-de-passe",
        data={"csrf_token": token, "actuel": PASSWORD, "nouveau": "court", "confirmation": "court"},
    )
    assert short.status_code == 400
    assert "au moins 10 caractères" in short.get_data(as_text=True)
    mismatch = client.post(
        "/mot-de-passe",
        data={
            "csrf_token": token,
            "actuel": PASSWORD,
            "nouveau": "abcdefghijk",
            "confirmation": "abcdefghijx",
        },
    )
    assert "ne sont pas identiques" in mismatch.get_data(as_text=True)
    wrong = client.post(
        "/mot-de-passe",
        data={
            "csrf_token": token,
            "actuel": "faux",
            "nouveau": "abcdefghijk",
            "confirmation": "abcdefghijk",
        },
    )
    assert "actuel est incorrect" in wrong.get_data(as_text=True)


def test_password_change_ends_the_other_sessions(app, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="akos")
    first, second = app.test_client(), app.test_client()
    log_in(first, "akos")
    log_in(second, "akos")
    new = "nouveau-secret-long"
    first.post(
        "/mot-de-passe",
        data={
            "csrf_token": csrf_from(first, "/mot-de-passe"),
            "actuel": PASSWORD,
            "nouveau": new,
            "confirmation": new,
        },
    )
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["CEET"], login="afi")
    log_in(client, "afi")
    assert client.get("/deconnexion").status_code == 405
    client.post("/deconnexion", data={"csrf_token": csrf_from(client, "/")})
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(client, db_session):
    tree = make_ministry(db_session)
    user = make_user(db_session, tree["CEET"], login="parti")
    user.active = False
    db_session.flush()
    assert log_in(client, "parti").status_code == 401


def test_home_page_shows_administration_only_to_admins(client, app, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["MDERM"], roles=("admin",), login="chef")
    make_user(db_session, tree["CEET"], roles=("agent",), login="agent1")
    log_in(client, "chef")
    assert "Administration" in client.get("/").get_data(as_text=True)
    other = app.test_client()
    log_in(other, "agent1")
    assert "Administration" not in other.get("/").get_data(as_text=True)


def test_unknown_page_answers_404_in_french(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable." in response.get_data(as_text=True)


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"


def test_menu_shows_supervision_only_to_those_who_supervise(client, app, db_session):
    tree = make_ministry(db_session)
    make_user(db_session, tree["MDERM"], roles=("superviseur",), login="sup")
    make_user(db_session, tree["CEET"], roles=("agent",), login="agent2")
    log_in(client, "sup")
    assert 'href="/supervision/"' in client.get("/").get_data(as_text=True)
    other = app.test_client()
    log_in(other, "agent2")
    page = other.get("/").get_data(as_text=True)
    assert 'href="/courriers"' in page and 'href="/supervision/"' not in page


@pytest.mark.redis
def test_readiness_checks_redis_when_it_is_configured(make_runtime, redis_url):
    from core.app import create_app

    ready = create_app(runtime=make_runtime(redis_url=redis_url)).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "ok"}
    down = create_app(runtime=make_runtime(redis_url="redis://127.0.0.1:1/0"))
    answer = down.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json()["checks"]["redis"] == "injoignable"
