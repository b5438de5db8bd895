"""The JSON API: a letter registered, routed, given an opinion, answered, sent and closed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import Event
from core.auth import create_token
from courrier import service
from courrier.models import Courrier
from tests.courrier.test_web import small_pdf


@pytest.fixture
def api(client, world):
    tokens = {}

    def call(login, method, path, **kwargs):
        if login not in tokens:
            tokens[login] = create_token(world.session, login, "tests")[1]
            world.session.flush()
        headers = {"Authorization": f"Bearer {tokens[login]}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call


def test_letter_goes_all_the_way_through_the_api(api, world):
    created = api("bo.ceet", "POST", "/courriers", json={
        "entite": "CEET", "objet": "Demande de raccordement", "expediteur_id": world.sender.id,
        "date_reception": (service.today() - timedelta(days=1)).isoformat(),
        "priorite": "urgente", "reference": "N°12/BG"})
    assert created.status_code == 201, created.get_json()
    letter = created.get_json()
    assert letter["chrono"].startswith("CEET-A-") and letter["statut"] == "enregistre"
    number = letter["id"]
    detail = api("bo.ceet", "GET", f"/courriers/{number}").get_json()
    assert detail["echeance"] and detail["actions_possibles"] == ["annuler"]
    # Its indexing job runs after the commit: until then the search does not know it yet.
    assert detail["indexation"] == "a_indexer"

    routed = api("bo.ceet", "POST", f"/courriers/{number}/imputations", json={
        "type": "attribution", "entite": "CEET-COM", "agent": "agent.com"})
    assert routed.status_code == 201 and routed.get_json()["agent"] == "agent.com"
    asked = api("agent.com", "POST", f"/courriers/{number}/imputations", json={
        "type": "avis", "entite": "CEET-COM", "agent": "agent2.com", "instruction": "Tarif ?"})
    assert asked.status_code == 201, asked.get_json()
    given = api("agent2.com", "POST", f"/courriers/{number}/avis", json={
        "demande": asked.get_json()["id"], "avis": "Tarif social applicable."})
    assert given.status_code == 200 and given.get_json()["avis"] == "Tarif social applicable."

    reply = api("agent.com", "POST", f"/courriers/{number}/reponse", data={
        "objet": "Réponse à votre demande", "signee": "1",
        "fichiers": (io.BytesIO(small_pdf()), "reponse-signee.pdf")})
    assert reply.status_code == 201, reply.get_json()
    departure = reply.get_json()
    assert departure["chrono"].startswith("CEET-D-") and departure["liens"][0]["id"] == number
    sent = api("agent.com", "POST", f"/courriers/{departure['id']}/actions",
               json={"action": "envoyer"})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["statut"] == "envoye"
    closed = api("bo.ceet", "GET", f"/courriers/{number}").get_json()
    assert closed["statut"] == "clos"
    assert [s["action"] for s in closed["historique"]][:2] == ["enregistrer", "imputer"]


def test_listing_by_inbox_and_filters(api, world):
    world.register(subject="Coupure de courant", priority="tres_urgente")
    world.register(subject="Facture")
    inbox = api("bo.ceet", "GET", "/courriers?corbeille=a_imputer").get_json()
    assert inbox["total"] == 2 and inbox["total_exact"] is True
    found = api("bo.ceet", "GET", "/courriers?priorite=tres_urgente").get_json()
    assert [c["objet"] for c in found["courriers"]] == ["Coupure de courant"]
    counts = api("bo.ceet", "GET", "/courriers/corbeilles").get_json()
    assert counts["a_imputer"] == 2 and set(counts) == {
        "a_imputer", "a_traiter", "avis", "en_retard", "en_copie", "traites"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"entite": "CEET", "expediteur_id": 1}, 400, "l'objet est obligatoire"),
        ({"entite": "NOPE", "objet": "x", "expediteur_id": 1}, 400, "Entité inconnue"),
        ({"entite": "CEET", "objet": "x", "expediteur_id": 9999}, 404, "Correspondant inconnu"),
        ({"entite": "CEET", "objet": "x", "expediteur_id": 1, "date_reception": "2999-01-01"},
         400, "futur"),
        ({"entite": "CEET", "objet": "x", "expediteur_id": 1, "date_reception": "hier"},
         400, "Date de réception invalide"),
    ],
)
def test_bad_registrations_get_a_json_error_and_nothing_is_stored(api, world, body, status,
                                                                 message):
    response = api("bo.ceet", "POST", "/courriers", json=body)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert world.session.scalars(select(Courrier)).first() is None


def test_forbidden_transition_is_a_409(api, world):
    courrier = world.register()
    response = api("bo.ceet", "POST", f"/courriers/{courrier.id}/actions",
                   json={"action": "clore"})
    assert response.status_code == 409
    assert "« Clore » impossible" in response.get_json()["error"]


def test_routing_outside_the_entity_is_a_403_with_an_event(api, world):
    courrier = world.register()
    response = api("bo.ceet", "POST", f"/courriers/{courrier.id}/imputations",
                   json={"type": "attribution", "entite": "ARSE"})
    assert response.status_code == 403
    assert "ARSE n'en fait pas partie" in response.get_json()["error"]
    event = world.session.scalars(
        select(Event).where(Event.action == "courrier.acces_refuse")).one()
    assert event.data["action"] == "imputer"
    world.session.expire_all()
    assert world.session.get(Courrier, courrier.id).status == "enregistre"


def test_reply_to_a_cancelled_courrier_is_refused(api, world):
    courrier = world.register()
    api("bo.ceet", "POST", f"/courriers/{courrier.id}/actions",
        json={"action": "annuler", "note": "Doublon"})
    response = api("bo.ceet", "POST", f"/courriers/{courrier.id}/reponse", json={})
    assert response.status_code == 400
    assert "annulé" in response.get_json()["error"]


def test_correspondents_are_searched_and_created_without_duplicates(api, world):
    found = api("bo.ceet", "GET", "/correspondants?q=golfe").get_json()
    assert [c["id"] for c in found] == [world.sender.id]
    again = api("bo.ceet", "POST", "/correspondants", json={"nom": "SOCIETE BETON DU GOLFE"})
    assert again.status_code == 201 and again.get_json()["id"] == world.sender.id


def test_a_disguised_scan_is_refused_with_a_json_error_and_takes_no_number(api, world):
    answer = api("bo.ceet", "POST", "/courriers", data={
        "entite": "CEET", "objet": "Lettre", "expediteur_id": str(world.sender.id),
        "fichiers": (io.BytesIO(b"MZ\x90\x00 not a letter"), "scan.pdf")})
    assert answer.status_code == 400, answer.get_json()
    assert "reconnu au contenu" in answer.get_json()["error"]
    assert world.session.scalars(select(Courrier)).first() is None
