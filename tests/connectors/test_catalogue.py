"""The démarche catalogue pages: read for every role, edit and publish for its managers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from connectors.catalogue import service
from connectors.portal.models import OutboxMessage
from core.audit import Event
from core.errors import PermissionDenied
from tests.core.web_helpers import csrf_from, log_in
from tests.factories import make_demarche, make_ministry, make_user


@pytest.fixture
def ministry(db_session):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    make_user(db_session, tree["CEET"], roles=("responsable",), login="resp")
    make_user(db_session, tree["CEET"], roles=("agent",), login="agent")
    make_user(db_session, tree["ARSE"], roles=("responsable",), login="arse")
    return tree, demarche


def edit_form(**changes):
    form = {
        "titre": "Demande de raccordement basse tension", "entite": "CEET",
        "public": ["citoyens"], "description": "Raccorder un logement.",
        "pieces": "Copie de la carte d'identité\nPlan de situation",
        "etapes": "Dépôt\nÉtude\nRaccordement", "cout": "25 000", "devise": "XOF",
        "delai_jours": "15", "en_ligne": "oui", "url": "https://ceet.tg/raccordement",
    }
    form.update(changes)
    return form


def test_every_role_reads_the_catalogue_with_completeness_and_publication_state(client,
                                                                                ministry):
    log_in(client, "agent")
    page = client.get("/demarches").get_data(as_text=True)
    assert "CEET-RACC" in page and "Complète" in page and "Non publiée" in page
    view = client.get("/demarches/CEET-RACC").get_data(as_text=True)
    assert "Copie de la carte d" in view
    assert "Publier sur le portail" not in view and "Modifier" not in view


def test_a_demarche_outside_the_users_entities_is_not_found(client, ministry):
    log_in(client, "arse")
    assert client.get("/demarches/CEET-RACC").status_code == 404


def test_manager_edits_a_demarche_and_its_version_goes_up(client, db_session, ministry):
    _tree, demarche = ministry
    log_in(client, "resp")
    token = csrf_from(client, "/demarches/CEET-RACC/modifier")
    answer = client.post("/demarches/CEET-RACC/modifier",
                         data={**edit_form(), "csrf_token": token})
    assert answer.status_code == 302
    db_session.expire_all()
    assert demarche.version == 2 and demarche.cost_amount == 25000
    assert demarche.steps == ["Dépôt", "Étude", "Raccordement"]
    event = db_session.scalars(select(Event).where(Event.action == "demarche.modifiee")).one()
    assert "steps" in event.data["modifications"]


def test_invalid_edit_is_refused_with_every_reason_and_changes_nothing(client, db_session,
                                                                       ministry):
    _tree, demarche = ministry
    log_in(client, "resp")
    token = csrf_from(client, "/demarches/CEET-RACC/modifier")
    answer = client.post("/demarches/CEET-RACC/modifier", data={
        **edit_form(titre="", cout="beaucoup", url=""), "csrf_token": token})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "le titre est obligatoire" in text and "le coût doit être" in text
    assert "une démarche en ligne doit donner son adresse" in text
    db_session.expire_all()
    assert demarche.version == 1


def test_agent_may_not_edit(db_session, ministry):
    tree, _demarche = ministry
    agent = make_user(db_session, tree["CEET"], roles=("agent",))
    with pytest.raises(PermissionDenied):
        service.update(db_session, agent, "CEET-RACC", service.DemarcheInput(
            title="x", entity_code="CEET"))


def test_manager_may_not_move_a_demarche_to_an_entity_he_does_not_manage(db_session, ministry):
    tree, _demarche = ministry
    resp = make_user(db_session, tree["CEET"], roles=("responsable",))
    with pytest.raises(PermissionDenied):
        service.update(db_session, resp, "CEET-RACC", service.DemarcheInput(
            title="x", entity_code="ARSE"))


def test_incomplete_demarche_page_says_what_is_missing_and_refuses_publication(
        client, db_session, ministry):
    _tree, demarche = ministry
    demarche.steps, demarche.delay_days = [], None
    db_session.flush()
    log_in(client, "resp")
    page = client.get("/demarches/CEET-RACC").get_data(as_text=True)
    assert "il manque les étapes, le délai de traitement" in page
    token = csrf_from(client, "/demarches/CEET-RACC")
    answer = client.post("/demarches/CEET-RACC/publier", data={"csrf_token": token})
    assert answer.status_code == 400
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_publish_then_edit_queues_one_message_per_content_version(client, db_session, ministry):
    log_in(client, "resp")
    token = csrf_from(client, "/demarches/CEET-RACC")
    client.post("/demarches/CEET-RACC/publier", data={"csrf_token": token})
    client.post("/demarches/CEET-RACC/publier", data={"csrf_token": token})  # same content
    client.post("/demarches/CEET-RACC/modifier", data={**edit_form(), "csrf_token": token})
    client.post("/demarches/CEET-RACC/modifier", data={**edit_form(), "csrf_token": token})
    messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.version, m.status) for m in messages] == [(1, "remplace"), (2, "a_envoyer")]
    assert "À publier" in client.get("/demarches/CEET-RACC").get_data(as_text=True)


def test_catalogue_exports_as_schema_org_government_service(client, ministry):
    log_in(client, "agent")
    answer = client.get("/demarches/catalogue.jsonld")
    assert answer.mimetype == "application/ld+json"
    document = json.loads(answer.get_data())
    [node] = document["@graph"]
    assert document["@context"] == "https://schema.org"
    assert node["@type"] == "GovernmentService" and node["identifier"] == "CEET-RACC"
    assert node["offers"] == {"@type": "Offer", "price": 25000, "priceCurrency": "XOF"}
    assert node["provider"]["parentOrganization"]["identifier"] == "MDERM"
    assert node["availableChannel"][-1]["processingTime"] == "P15D"
    assert [s["name"] for s in node["subjectOf"]["step"]] == ["Dépôt", "Instruction"]
    single = json.loads(client.get("/demarches/CEET-RACC.jsonld").get_data())
    assert single["@context"] == "https://schema.org" and single["name"] == node["name"]
