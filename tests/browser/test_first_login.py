"""A demo user logs in with their one-time password, chooses their own, and sees their home."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_demo_user_changes_one_time_password_and_sees_home(demo_server, page):
    """GIVEN the demo ministry started by `atd demo`
    WHEN the CEET mail office logs in with the printed one-time password
    THEN it must choose a password of its own, and then lands on its home page."""
    login = "bo.ceet"
    assert login in demo_server.passwords, demo_server.passwords
    page.goto(demo_server.url + "/")
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(demo_server.passwords[login])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mot-de-passe")
    assert "provisoire" in page.content()

    new_password = "mon-mot-de-passe-a-moi"
    page.get_by_label("Mot de passe actuel").fill(demo_server.passwords[login])
    page.get_by_label("Nouveau mot de passe (10 caractères au moins)").fill(new_password)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(new_password)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(demo_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    assert "Bureau d'ordre — CEET" in page.content()
    screenshot(page, "accueil-bureau-ordre")


def test_wrong_password_shows_a_french_error(demo_server, page):
    page.goto(demo_server.url + "/connexion")
    page.get_by_label("Identifiant").fill("admin")
    page.get_by_label("Mot de passe").fill("certainement-pas")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").inner_text() == "Identifiant ou mot de passe incorrect."
