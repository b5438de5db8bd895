"""The pages: registration at the desk, inboxes, the courrier page and its actions, refusals."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from core.audit import Event
from courrier import routing
from courrier.models import Courrier
from courrier.routing import RoutingInput
from tests.core.web_helpers import csrf_from, log_in
from tests.statements import recorded_statements


def small_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Objet : demande de raccordement")
    page.save()
    return out.getvalue()


def post(client, path, data, page=None):
    token = csrf_from(client, page or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)


def test_registration_form_gives_the_number_at_once(client, world):
    log_in(client, "bo.ceet")
    form = client.get("/courriers/nouveau").get_data(as_text=True)
    assert 'autofocus' in form and "Ctrl+Entrée" in form
    response = post(client, "/courriers/nouveau", {
        "sens": "arrivee", "entite": "CEET", "expediteur": "Société Béton du Golfe",
        "objet": "Demande de raccordement", "priorite": "urgente",
        "fichiers": (io.BytesIO(small_pdf()), "lettre.pdf"),
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    number = re.search(r"CEET-A-\d{4}-000001", page)
    assert number, page
    assert "Imprimer la fiche de liaison" in page
    courrier = world.session.scalars(select(Courrier)).one()
    assert courrier.sender_id == world.sender.id  # the name found the existing correspondent
    assert [a.role for a in courrier.attachments] == ["scan"]


def test_bad_registration_is_refused_in_french_and_keeps_what_was_typed(client, world):
    log_in(client, "bo.ceet")
    token = csrf_from(client, "/courriers/nouveau")
    response = client.post("/courriers/nouveau", data={
        "csrf_token": token, "entite": "CEET", "expediteur": "Quelqu'un", "objet": "",
        "reference": "N°77/X"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "l&#39;objet est obligatoire" in page and "N°77/X" in page
    assert world.session.scalars(select(Courrier)).first() is None


def test_inboxes_show_counts_and_the_courrier(client, world):
    courrier = world.register()
    world.session.flush()
    log_in(client, "bo.ceet")
    page = client.get("/courriers").get_data(as_text=True)
    assert "À imputer" in page and courrier.chrono in page
    assert re.search(r"À imputer <span class=\"compte\">1</span>", page)


def test_route_then_the_agent_treats_from_the_courrier_page(client, world):
    courrier = world.register()
    log_in(client, "bo.ceet")
    page = post(client, f"/courriers/{courrier.id}/imputer",
                {"type": "attribution", "entite": "CEET-COM", "agent": "agent.com"},
                page=f"/courriers/{courrier.id}")
    assert "Imputation (attribution) enregistrée." in page.get_data(as_text=True)
    client.post("/deconnexion", data={"csrf_token": csrf_from(client, "/courriers")})
    log_in(client, "agent.com")
    shown = client.get(f"/courriers/{courrier.id}").get_data(as_text=True)
    assert "Prendre en charge" in shown and "Préparer la réponse" in shown
    done = post(client, f"/courriers/{courrier.id}/action",
                {"action": "classer_sans_suite", "note": "Déjà réglé par téléphone"},
                page=f"/courriers/{courrier.id}")
    text = done.get_data(as_text=True)
    assert "Traité sans suite" in text and "Déjà réglé par téléphone" in text


def test_forbidden_transition_is_shown_and_changes_nothing(client, world):
    courrier = world.register()
    log_in(client, "bo.ceet")
    page = post(client, f"/courriers/{courrier.id}/action", {"action": "clore"},
                page=f"/courriers/{courrier.id}").get_data(as_text=True)
    assert "« Clore » impossible" in page
    world.session.expire_all()
    assert world.session.get(Courrier, courrier.id).status == "enregistre"


def test_refusal_is_a_403_with_a_message_and_an_event(client, world):
    courrier = world.register()
    world.session.flush()
    log_in(client, "bo.arse")
    response = client.get(f"/courriers/{courrier.id}")
    assert response.status_code == 403
    assert "pas accès à ce courrier" in response.get_data(as_text=True)
    event = world.session.scalars(
        select(Event).where(Event.action == "courrier.acces_refuse")).one()
    assert event.actor == "bo.arse" and event.object_id == str(courrier.id)


def test_routing_slip_and_register_download(client, world):
    courrier = world.register()
    log_in(client, "bo.ceet")
    slip = client.get(f"/courriers/{courrier.id}/fiche.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")
    register = client.get("/courriers/registre?entite=CEET&format=csv")
    assert register.status_code == 200
    assert courrier.chrono in register.get_data(as_text=True)


def test_attachment_is_served_through_the_courrier(client, world):
    log_in(client, "bo.ceet")
    post(client, "/courriers/nouveau", {
        "entite": "CEET", "expediteur_id": str(world.sender.id), "objet": "Avec scan",
        "fichiers": (io.BytesIO(small_pdf()), "scan.pdf")})
    courrier = world.session.scalars(select(Courrier)).one()
    document = courrier.attachments[0].document_id
    response = client.get(f"/courriers/{courrier.id}/pieces/{document}/original?apercu=1")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_correspondent_autocomplete_answers_json(client, world):
    log_in(client, "bo.ceet")
    found = client.get("/courriers/correspondants?q=beton").get_json()
    assert found[0]["libelle"] == "Société Béton du Golfe"


def test_home_section_counts_the_inboxes(app, world):
    from courrier.home import home_section

    world.register()
    with app.test_request_context():
        section = home_section(world.session, world.bo)
        assert section is not None and "À imputer : 1" in section.lines
        assert home_section(world.session, world.juriste) is None


def test_a_list_past_the_count_limit_says_more_than(client, world, monkeypatch):
    from courrier import inboxes

    monkeypatch.setattr(inboxes, "COUNT_LIMIT", 1)
    world.register()
    world.register()
    log_in(client, "bo.ceet")
    page = client.get("/courriers?corbeille=a_imputer").get_data(as_text=True)
    assert "Page 1 (plus de 1 courriers)" in page and "Suivante" not in page  # the last page


def test_the_courrier_page_reads_the_users_roles_once_for_all_it_offers(client, world,
                                                                       connection):
    """GIVEN a courrier routed to a service, with an opinion asked of it WHEN its head opens the
    courrier's page THEN the role assignments are read once for what the page offers (actions,
    routing, reply, opinions, services), once for the visibility check, once for the menu."""
    courrier = world.register()
    routing.route(world.session, world.bo, courrier.id, RoutingInput("attribution", "CEET-COM"))
    routing.route(world.session, world.bo, courrier.id, RoutingInput("avis", "CEET-COM"))
    world.session.commit()
    log_in(client, "chef.com")
    with recorded_statements(connection) as statements:
        page = client.get(f"/courriers/{courrier.id}")
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    for offer in ("Classer sans suite", "Rendre l'avis", "<h3>Imputer</h3>", "<h3>Répondre</h3>"):
        assert offer in shown
    assert len([s for s in statements if "FROM role_assignment" in s]) == 3, statements
