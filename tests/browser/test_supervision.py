"""A supervisor watches the room move when a courrier is registered through the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

LOGIN = "superviseur"  # test_first_login changes bo.ceet's password: this test uses its own
PASSWORD = "salle-de-supervision-2026"
BO = "bo.at2er"


def api_token(demo_server, login: str) -> str:
    """``atd token create LOGIN`` run in the demo's folder, as an engineer would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATD_")}
    done = subprocess.run([sys.executable, "-m", "core.cli", "token", "create", login],
                          cwd=demo_server.workdir, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.strip().splitlines()[-1]


def register_courrier(demo_server, token: str) -> dict:
    body = json.dumps({"entite": "AT2ER", "objet": "Demande d'électrification du village",
                       "expediteur": "Chef du village de Kpalimé", "canal": "email"})
    request = urllib.request.Request(
        demo_server.url + "/api/v1/courriers", data=body.encode("utf-8"), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)


def log_in_first_time(page, demo_server) -> None:
    page.goto(demo_server.url + "/supervision/")
    page.wait_for_url("**/connexion**")
    page.get_by_label("Identifiant").fill(LOGIN)
    page.get_by_label("Mot de passe").fill(demo_server.passwords[LOGIN])
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/mot-de-passe")
    page.get_by_label("Mot de passe actuel").fill(demo_server.passwords[LOGIN])
    page.get_by_label("Nouveau mot de passe (10 caractères au moins)").fill(PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(demo_server.url + "/")


def registered(page, code: str) -> int:
    card = page.locator(f"#carte-{code}")
    return int(card.locator(".chiffre .valeur").first.inner_text())


def test_supervisor_sees_a_registration_reach_the_room_and_the_wall(demo_server, page):
    """GIVEN the demo ministry and its supervisor, logged in for the first time
    WHEN the AT2ER mail office registers a courrier through the API
    THEN the room's AT2ER card counts it within 10 seconds, and the wall mode shows the room."""
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(demo_server.url)
            or r.url.startswith("data:") else elsewhere.append(r.url))
    log_in_first_time(page, demo_server)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(demo_server.url + "/supervision/")
    page.get_by_role("heading", name="Salle de supervision").wait_for()
    page.locator("#carte-AT2ER").wait_for(timeout=20_000)
    page.locator("#salle-volumes .main-svg").first.wait_for(timeout=20_000)
    before = registered(page, "AT2ER")

    token = api_token(demo_server, BO)
    chrono = register_courrier(demo_server, token)["chrono"]
    started = time.monotonic()
    page.wait_for_function(
        "([code, n]) => { const c = document.querySelector('#carte-' + code + ' .valeur');"
        " return c && parseInt(c.textContent, 10) > n; }",
        arg=["AT2ER", before], timeout=10_000, polling=200)
    assert time.monotonic() - started <= 10
    page.get_by_text(chrono).first.wait_for(timeout=10_000)  # the live feed names it
    screenshot(page, "salle-de-supervision")

    page.goto(demo_server.url + "/supervision/mur")
    page.locator("#mur-titre").wait_for()
    page.wait_for_function("document.querySelector('#mur-titre').textContent.length > 0",
                           timeout=20_000)
    page.locator("#mur-volumes .main-svg").first.wait_for(timeout=20_000)
    assert " — " in page.locator("#mur-titre").inner_text()
    screenshot(page, "salle-de-supervision-mur")
    assert elsewhere == [], elsewhere  # every asset came from the application itself
