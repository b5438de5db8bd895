"""The mail office registers a letter at the desk: the cursor waits in the correspondent field,
the directory completes what is typed, Ctrl+Entrée saves, and the chrono number shows at once."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import first_login, screenshot

pytestmark = pytest.mark.browser
CHRONO = re.compile(r"\b[A-Z0-9-]+-A-\d{4}-\d{6}\b")


def test_a_letter_is_registered_from_the_keyboard_with_a_known_correspondent(demo_server, page):
    """GIVEN AT2ER's mail office on the registration form of the demo ministry
    WHEN it types the start of a known correspondent, then the object, and presses Ctrl+Entrée
    THEN the letter is numbered at once, sent by that correspondent, who is not duplicated."""
    first_login(page, demo_server, "bo.at2er", "bureau-d-ordre-at2er")
    page.goto(demo_server.url + "/courriers/nouveau")
    assert page.evaluate("document.activeElement.id") == "expediteur"

    page.keyboard.type("Mairie de L")
    page.locator('#liste-correspondants option[value="Mairie de Lomé"]').wait_for(state="attached")
    page.keyboard.type("omé")
    page.wait_for_function("document.getElementById('expediteur_id').value !== ''")
    page.focus("#objet")
    page.keyboard.type("Demande d'extension du réseau au quartier Agoè")
    page.keyboard.press("Control+Enter")

    page.wait_for_url("**dernier=*")
    last = page.locator("section.dernier").inner_text()
    number = CHRONO.search(last)
    assert number, last
    screenshot(page, "courrier-enregistre-au-clavier")
    page.get_by_role("link", name="Ouvrir le courrier").click()
    shown = page.content()
    assert number.group(0) in shown and "Mairie de Lomé" in shown
    found = page.request.get(demo_server.url + "/courriers/correspondants?q=Mairie de Lomé").json()
    assert [c["libelle"] for c in found].count("Mairie de Lomé") == 1
