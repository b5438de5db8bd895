"""A demo user logs in with their one-time password, chooses their own, and sees their home."""

from __future__ import annotations

import pytest

from tests.browser.conftest import first_login, screenshot

pytestmark = pytest.mark.browser


def test_demo_user_changes_one_time_password_and_sees_home(demo_server, page):
    """GIVEN the demo ministry started by `atd demo`
    WHEN the CEET mail office logs in with the printed one-time password
    THEN it must choose a password of its own, and then lands on its home page."""
    first_login(page, demo_server, "bo.ceet", "mon-mot-de-passe-a-moi")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    assert "Bureau d'ordre — CEET" in page.content()
    screenshot(page, "accueil-bureau-ordre")


def test_wrong_password_shows_a_french_error(demo_server, page):
    page.goto(demo_server.url + "/connexion")
    page.get_by_label("Identifiant").fill("admin")
    page.get_by_label("Mot de passe").fill("certainement-pas")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
