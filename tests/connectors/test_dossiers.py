"""Dossiers submitted on the simulator come back as routed courriers with their pièces."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.errors import DecisionConflict, InvalidDecision, PortalUnavailable
from connectors.portal import decisions
from connectors.portal.models import (
    OutboxMessage,
    PortalDossier,
    QuarantinedDossier,
    WebhookReceipt,
)
from connectors.portal.pull import pull
from connectors.portal.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from connectors.portal.state import CURSOR, get_state, set_state
from courrier.models import Courrier
from ged.models import Document
from tests.connectors.conftest import WEBHOOK_SECRET, portal_client, push
from tests.core.web_helpers import csrf_from, log_in
from tests.factories import make_demarche, make_ministry, make_user

SAMPLES = Path(__file__).resolve().parents[1] / "ged" / "samples"
PDF = (SAMPLES / "nee-numerique.pdf").read_bytes()


@pytest.fixture
def catalogue(db_session, sim_client):
    """A démarche of a service of CEET, known to the simulator and to the catalogue."""
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET-COM"], code="CEET-RACC")
    sim_client.put_demarche("CEET-RACC", 1, titre=demarche.title)
    return tree, demarche


def pull_now(db_session, runtime):
    db_session.flush()
    report = pull(runtime, portal_client(runtime))
    db_session.expire_all()
    return report


def imported(db_session) -> list[PortalDossier]:
    return list(db_session.scalars(select(PortalDossier).order_by(PortalDossier.id)))


def test_pulled_dossier_becomes_a_routed_courrier_with_its_pieces(db_session, portal_runtime,
                                                                  sim_client, catalogue):
    dossier = sim_client.submit("CEET-RACC", files={"cni.pdf": PDF}, objet="Raccordement")
    report = pull_now(db_session, portal_runtime)
    assert report.outcomes["importe"] == 1
    [link] = imported(db_session)
    courrier = db_session.get(Courrier, link.courrier_id)
    assert (courrier.direction, courrier.channel) == ("arrivee", "portail")
    assert courrier.chrono.startswith("CEET-A-")  # registered by CEET's mail office…
    assert courrier.holder_entity.code == "CEET-COM"  # …and routed to the démarche's service
    assert courrier.sender.name == "Afi Mensah"
    assert courrier.sender_reference == dossier["numero"]
    assert "objet : Raccordement" in courrier.summary
    [attachment] = courrier.attachments
    document = db_session.get(Document, attachment.document_id)
    assert document.versions[-1].sha256 == hashlib.sha256(PDF).hexdigest()
    # The citizen hears that the ministry registered it, with the chrono number.
    [message] = db_session.scalars(select(OutboxMessage)).all()
    assert message.payload == {"etat": "en_instruction", "motif": "",
                               "reference": courrier.chrono}


def test_second_pull_imports_nothing_again_and_the_cursor_persists(db_session, portal_runtime,
                                                                   sim_client, catalogue):
    sim_client.submit("CEET-RACC")
    pull_now(db_session, portal_runtime)
    cursor = get_state(db_session, CURSOR)
    assert cursor != "0"
    again = pull_now(db_session, portal_runtime)
    assert sum(again.outcomes.values()) == 0
    assert len(imported(db_session)) == 1


def test_pull_interrupted_mid_page_imports_each_dossier_exactly_once(db_session, portal_runtime,
                                                                     sim_client, catalogue):
    """GIVEN three dossiers WHEN the portal fails while the second one's pièce downloads
    THEN the first stays imported, the cursor stays before the page, and the next pull
    imports the other two without importing the first again."""
    for n in range(3):
        sim_client.submit("CEET-RACC", nom=f"Demandeur {n}", files={f"p{n}.pdf": PDF})
    real = portal_client(portal_runtime)

    class FailingOnce:
        downloads = 0

        def __getattr__(self, name):
            return getattr(real, name)

        def download(self, path, max_bytes):
            FailingOnce.downloads += 1
            if FailingOnce.downloads == 2:
                raise PortalUnavailable("coupure réseau")
            return real.download(path, max_bytes)

    db_session.flush()
    with pytest.raises(PortalUnavailable):
        pull(portal_runtime, FailingOnce())
    db_session.expire_all()
    assert len(imported(db_session)) == 1
    assert get_state(db_session, CURSOR, "0") == "0"
    report = pull_now(db_session, portal_runtime)
    assert (report.outcomes["importe"], report.outcomes["connu"]) == (2, 1)
    assert len({d.courrier_id for d in imported(db_session)}) == 3


def test_piece_whose_sha256_differs_is_quarantined_and_nothing_is_half_imported(
        db_session, portal_runtime, sim, sim_client, catalogue):
    dossier = sim_client.submit("CEET-RACC", files={"cni.pdf": PDF})
    sim.store._db.execute("UPDATE piece SET content = ? WHERE dossier_id = ?",
                          (b"%PDF-1.4 autre", dossier["id"]))
    courriers_before = db_session.scalars(select(Courrier)).all()
    report = pull_now(db_session, portal_runtime)
    assert report.outcomes["quarantaine"] == 1
    [kept] = db_session.scalars(select(QuarantinedDossier)).all()
    assert "SHA-256" in kept.reason and kept.portal_id == dossier["id"]
    assert db_session.scalars(select(Courrier)).all() == courriers_before
    assert imported(db_session) == []
    # Pulled again from the start, the same broken dossier is not quarantined twice.
    set_state(db_session, CURSOR, "0")
    pull_now(db_session, portal_runtime)
    assert len(db_session.scalars(select(QuarantinedDossier)).all()) == 1


def test_dossier_of_a_demarche_unknown_here_is_quarantined(db_session, portal_runtime,
                                                          sim_client, catalogue):
    sim_client.put_demarche("AUTRE-MINISTERE", 1)
    sim_client.submit("AUTRE-MINISTERE")
    report = pull_now(db_session, portal_runtime)
    assert report.outcomes["quarantaine"] == 1
    [kept] = db_session.scalars(select(QuarantinedDossier)).all()
    assert "démarche inconnue" in kept.reason


def webhook_headers(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None):
    timestamp = int(time.time()) if at is None else at
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, timestamp, body),
            "Content-Type": "application/json"}


@pytest.fixture
def webhook_runtime(portal_runtime):
    portal_runtime.settings = replace(portal_runtime.settings,
                                      portal_webhook_secret=WEBHOOK_SECRET)
    return portal_runtime


def test_signed_webhook_triggers_the_pull_that_imports_the_dossier(client, db_session,
                                                                   webhook_runtime, sim_client,
                                                                   catalogue):
    dossier = sim_client.submit("CEET-RACC")
    body = json.dumps({"id": "e1", "evenement": "dossier.depose", "dossier": dossier}).encode()
    answer = client.post("/api/v1/portail/webhook", data=body, headers=webhook_headers(body))
    assert answer.status_code == 202, answer.get_data(as_text=True)
    webhook_runtime.queue.run_all()
    db_session.expire_all()
    assert [d.portal_id for d in imported(db_session)] == [dossier["id"]]


@pytest.mark.parametrize("tamper,status", [
    ("signature", 401), ("secret", 401), ("old", 401), ("missing", 400),
])
def test_webhook_with_a_bad_signature_or_timestamp_is_refused_and_changes_nothing(
        client, db_session, webhook_runtime, tamper, status):
    body = b'{"id": "e2", "evenement": "dossier.depose"}'
    headers = webhook_headers(body, secret="autre" if tamper == "secret" else WEBHOOK_SECRET,
                              at=int(time.time()) - 3600 if tamper == "old" else None)
    if tamper == "signature":
        signature = headers[SIGNATURE_HEADER]
        # Another last hex digit, always (a fixed "00" was the signature itself 1 time in 256).
        headers[SIGNATURE_HEADER] = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    if tamper == "missing":
        del headers[SIGNATURE_HEADER]
    answer = client.post("/api/v1/portail/webhook", data=body, headers=headers)
    assert answer.status_code == status
    assert "refusé" in answer.get_json()["error"]
    assert webhook_runtime.queue.submitted == []
    assert db_session.scalars(select(WebhookReceipt)).all() == []


def test_replayed_webhook_body_is_refused_409(client, webhook_runtime):
    body = b'{"id": "e3", "evenement": "dossier.depose"}'
    first = client.post("/api/v1/portail/webhook", data=body, headers=webhook_headers(body))
    assert first.status_code == 202
    replay = client.post("/api/v1/portail/webhook", data=body, headers=webhook_headers(body))
    assert replay.status_code == 409
    assert len(webhook_runtime.queue.submitted) == 1


def test_decision_goes_back_to_the_portal_through_the_outbox(db_session, portal_runtime,
                                                             sim_client, catalogue):
    tree, _demarche = catalogue
    dossier = sim_client.submit("CEET-RACC")
    pull_now(db_session, portal_runtime)
    [link] = imported(db_session)
    head = make_user(db_session, tree["CEET"], roles=("chef_service",))
    with pytest.raises(InvalidDecision):
        decisions.decide(db_session, head, link.id, "refuse")
    decisions.decide(db_session, head, link.id, "refuse", "Plan de situation illisible")
    decisions.decide(db_session, head, link.id, "refuse", "Plan de situation illisible")
    with pytest.raises(DecisionConflict):
        decisions.decide(db_session, head, link.id, "accepte")
    push(db_session, portal_runtime)
    on_portal = sim_client.http.get(sim_client.url(f"/api/dossiers/{dossier['id']}")).json()
    assert on_portal["etat"] == "refuse"
    assert on_portal["decision"]["motif"] == "Plan de situation illisible"
    assert on_portal["decision"]["reference"].startswith("CEET-A-")
    # The portal's echo of our own decision changes nothing here.
    report = pull_now(db_session, portal_runtime)
    assert report.outcomes["connu"] == 1 and report.outcomes["mis_a_jour"] == 0


def test_connector_pages_show_the_state_and_take_the_decision(client, db_session, portal_runtime,
                                                              sim_client, catalogue):
    tree, _demarche = catalogue
    sim_client.submit("CEET-RACC")
    sim_client.put_demarche("AUTRE", 1)
    sim_client.submit("AUTRE")
    pull_now(db_session, portal_runtime)
    make_user(db_session, tree["CEET"], roles=("responsable",), login="resp")
    make_user(db_session, tree["CEET"], roles=("agent",), login="agent")
    log_in(client, "agent")
    assert client.get("/connecteurs").status_code == 403
    client.post("/deconnexion", data={"csrf_token": csrf_from(client, "/")})
    log_in(client, "resp")
    page = client.get("/connecteurs").get_data(as_text=True)
    assert "Dossiers en quarantaine" in page and "démarche inconnue" in page
    [link] = imported(db_session)
    assert link.number in client.get("/connecteurs/dossiers").get_data(as_text=True)
    url = f"/connecteurs/dossiers/{link.id}"
    token = csrf_from(client, url)
    refused = client.post(url + "/decision", data={"csrf_token": token, "decision": "refuse"})
    assert refused.status_code == 400 and "motivé" in refused.get_data(as_text=True)
    accepted = client.post(url + "/decision", data={"csrf_token": token, "decision": "accepte"})
    assert accepted.status_code == 302
    db_session.expire_all()
    assert link.state == "accepte"
