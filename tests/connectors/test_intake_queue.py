"""The mail office turns a waiting scan or e-mail into a registered courrier, or discards it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connectors.errors import IntakeItemHandled, IntakeItemNotFound, InvalidIntakeAction
from connectors.intake import hotfolder, mail, queue
from connectors.intake.models import IntakeItem
from courrier import forms, scans
from courrier import service as courriers
from courrier.correspondents import CorrespondentInput
from courrier.models import Courrier
from tests.connectors.test_mailbox import message
from tests.core.web_helpers import csrf_from, log_in
from tests.factories import make_ministry, make_user

SAMPLES = Path(__file__).resolve().parents[1] / "ged" / "samples"


@pytest.fixture
def tree(db_session):
    found = make_ministry(db_session)
    db_session.flush()
    return found


@pytest.fixture
def clerk(db_session, tree):
    return make_user(db_session, tree["CEET"], ("bureau_ordre",), login="bo.ceet")


@pytest.fixture
def scan_item(runtime, db_session, tree, tmp_path) -> IntakeItem:
    """A scan dropped in CEET's hot folder, waiting."""
    folder = tmp_path / "scanner" / "CEET"
    folder.mkdir(parents=True)
    path = folder / "scan-001.png"
    path.write_bytes((SAMPLES / "lettre-propre.png").read_bytes())
    os.utime(path, (time.time() - 60, time.time() - 60))
    hotfolder.scan(runtime, folder.parent)
    db_session.expire_all()
    return db_session.scalars(select(IntakeItem).where(IntakeItem.source == "scanner")).one()


@pytest.fixture
def mail_item(db_session, tree) -> IntakeItem:
    """An e-mail with a PDF attachment, waiting in CEET's queue."""
    raw = message(files=("nee-numerique.pdf",))
    mail.take_message(db_session, raw, tree["CEET"])
    return db_session.scalars(select(IntakeItem).where(IntakeItem.source == "courriel")).one()


def registration(item: IntakeItem, **changes: str) -> courriers.Registration:
    return forms.registration({**queue.prefill(item), **changes})


def test_email_registers_as_courrier_email_with_its_sender_and_attachment(db_session, clerk,
                                                                          mail_item):
    courrier = queue.register(db_session, clerk, mail_item.id, registration(mail_item))
    assert (courrier.channel, courrier.direction, courrier.subject) == (
        "email", "arrivee", "Demande de raccordement")
    assert (courrier.sender.name, courrier.sender.email) == ("Afi Mensah",
                                                             "afi.mensah@example.tg")
    assert [a.document_id for a in courrier.attachments] == mail_item.document_ids
    assert courrier.letter_date.isoformat() == "2026-11-30"
    assert (mail_item.status, mail_item.courrier_id) == ("enregistre", courrier.id)
    assert queue.waiting(db_session, clerk) == []


def test_scan_registers_as_courrier_physique_with_the_scan_attached(db_session, clerk,
                                                                    scan_item):
    assert queue.prefill(scan_item)["canal"] == "physique"
    reg = registration(scan_item, objet="Facture contestée", expediteur="Béton du Golfe")
    courrier = queue.register(db_session, clerk, scan_item.id, reg)
    assert courrier.channel == "physique" and courrier.chrono.startswith("CEET-A-")
    assert [a.document_id for a in courrier.attachments] == scan_item.document_ids
    assert scans.waiting(db_session, clerk) == []


def test_an_item_is_registered_once_even_when_two_clerks_press_the_key(db_session, tree, clerk,
                                                                       mail_item):
    other = make_user(db_session, tree["CEET"], ("bureau_ordre",))
    queue.register(db_session, clerk, mail_item.id, registration(mail_item))
    with pytest.raises(IntakeItemHandled):
        queue.register(db_session, other, mail_item.id, registration(mail_item))
    with pytest.raises(IntakeItemHandled):
        queue.discard(db_session, other, mail_item.id, "Doublon")
    assert db_session.scalar(select(func.count()).select_from(Courrier)) == 1


def test_discard_needs_a_reason_and_takes_the_scan_out_of_the_courrier_form(db_session, clerk,
                                                                            scan_item):
    with pytest.raises(InvalidIntakeAction):
        queue.discard(db_session, clerk, scan_item.id, "  ")
    assert [d.id for d in scans.waiting(db_session, clerk)] == scan_item.document_ids
    queue.discard(db_session, clerk, scan_item.id, "Page blanche")
    assert (scan_item.status, scan_item.details["motif"]) == ("ecarte", "Page blanche")
    assert queue.waiting(db_session, clerk) == [] and scans.waiting(db_session, clerk) == []


def test_another_entitys_mail_office_neither_sees_nor_handles_the_item(db_session, tree,
                                                                       mail_item):
    arse = make_user(db_session, tree["ARSE"], ("bureau_ordre",))
    agent = make_user(db_session, tree["CEET"], ("agent",))
    for user in (arse, agent):
        assert queue.waiting(db_session, user) == []
        with pytest.raises(IntakeItemNotFound):
            queue.register(db_session, user, mail_item.id, registration(mail_item))


def test_scan_picked_in_the_courrier_form_no_longer_waits_in_the_queue(db_session, clerk,
                                                                       scan_item):
    courriers.register(db_session, clerk, courriers.Registration(
        entity_code="CEET", subject="Pris depuis le formulaire",
        sender=CorrespondentInput("Béton du Golfe"),
        document_ids=tuple(scan_item.document_ids)))
    assert queue.waiting(db_session, clerk) == []


def test_queue_page_previews_and_registers_in_a_few_keystrokes(client, db_session, clerk,
                                                               mail_item, scan_item):
    """GIVEN an e-mail and a scan waiting WHEN the clerk opens the queue, the e-mail, and
    submits its prefilled form THEN it is registered and the scan opens next."""
    log_in(client, "bo.ceet")
    listing = client.get("/arrivees").get_data(as_text=True)
    assert "Demande de raccordement" in listing and "scan-001" in listing
    url = f"/arrivees/{mail_item.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Demande de raccordement"' in page and 'value="Afi Mensah"' in page
    assert '<option value="email" selected>' in page and "Je sollicite" in page
    assert f"/documents/{mail_item.document_ids[0]}/versions/1/vignette" in page
    form = dict(queue.prefill(mail_item), csrf_token=csrf_from(client, url))
    answer = client.post(url + "/enregistrer", data=form)
    assert answer.status_code == 302 and answer.location.endswith(f"/arrivees/{scan_item.id}")
    db_session.expire_all()
    assert mail_item.status == "enregistre"
    courrier = db_session.get(Courrier, mail_item.courrier_id)
    assert courrier.chrono in client.get(answer.location).get_data(as_text=True)
    handled = client.get(url).get_data(as_text=True)
    assert "déjà été traitée : Enregistré" in handled and f"/courriers/{courrier.id}" in handled


def test_refused_registration_shows_the_reason_and_the_item_still_waits(client, db_session,
                                                                        clerk, scan_item):
    log_in(client, "bo.ceet")
    url = f"/arrivees/{scan_item.id}"
    answer = client.post(url + "/enregistrer", data={
        **queue.prefill(scan_item), "objet": "", "csrf_token": csrf_from(client, url)})
    assert answer.status_code == 400 and "objet est obligatoire" in answer.get_data(as_text=True)
    db_session.expire_all()
    assert scan_item.status == "en_attente"


def test_discard_from_the_page_goes_to_the_queue(client, db_session, clerk, scan_item):
    log_in(client, "bo.ceet")
    url = f"/arrivees/{scan_item.id}"
    answer = client.post(url + "/ecarter", data={"motif": "Doublon",
                                                 "csrf_token": csrf_from(client, url)})
    assert answer.status_code == 302 and answer.location.endswith("/arrivees")
    db_session.expire_all()
    assert scan_item.status == "ecarte"


def test_queue_is_in_the_menu_of_the_mail_office_only(client, db_session, tree, clerk):
    make_user(db_session, tree["CEET"], ("agent",), login="agent.ceet")
    log_in(client, "bo.ceet")
    assert 'href="/arrivees"' in client.get("/").get_data(as_text=True)
    client.post("/deconnexion", data={"csrf_token": csrf_from(client, "/")})
    log_in(client, "agent.ceet")
    assert 'href="/arrivees"' not in client.get("/").get_data(as_text=True)
    assert client.get("/arrivees").status_code == 403
