"""Publishing démarches through the outbox to the simulator, over real HTTP, with failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from connectors.errors import IncompleteDemarche, PortalUnavailable
from connectors.portal import outbox, publication
from connectors.portal.client import HttpPortalClient
from connectors.portal.contract import content_hash, demarche_payload
from connectors.portal.models import OutboxMessage
from core.db import utcnow
from core.identity import Demarche
from tests.connectors.conftest import push
from tests.factories import make_demarche, make_ministry


def make_due_now(session):
    """Skip the backoff wait: every waiting message becomes due."""
    waiting = select(OutboxMessage).where(OutboxMessage.status == "a_envoyer")
    for message in session.scalars(waiting):
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.flush()


def test_publishing_a_demarche_sends_it_once_and_unchanged_content_is_never_sent_again(
        db_session, portal_runtime, sim_client):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    assert publication.publish(db_session, demarche) is not None
    report = push(db_session, portal_runtime)
    assert report.sent == 1
    stored = sim_client.http.get(sim_client.url("/api/demarches/CEET-RACC")).json()
    assert stored["titre"] == demarche.title
    assert stored["fournisseur"]["ministere"]["code"] == "MDERM"
    assert publication.state_of(db_session, demarche).status == "publiee"

    assert publication.publish(db_session, demarche) is None
    assert publication.demarches_changed(db_session, ["CEET-RACC"]) == 0
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 1]]


def test_a_change_to_a_published_demarche_queues_its_new_version(db_session, portal_runtime,
                                                                 sim_client):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    publication.publish(db_session, demarche)
    push(db_session, portal_runtime)
    demarche.cost_amount, demarche.version = 30000, 2
    assert publication.demarches_changed(db_session, ["CEET-RACC"]) == 1
    push(db_session, portal_runtime)
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 1], ["CEET-RACC", 2]]
    state = publication.state_of(db_session, demarche)
    assert (state.status, state.version) == ("publiee", 2)


def test_a_newer_change_supersedes_the_message_not_sent_yet(db_session, portal_runtime,
                                                            sim_client):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    first = publication.publish(db_session, demarche)
    demarche.title, demarche.version = "Nouveau titre", 2
    publication.demarches_changed(db_session, ["CEET-RACC"])
    assert first.status == "remplace"
    push(db_session, portal_runtime)
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 2]]


def test_unpublished_demarche_changes_queue_nothing(db_session, portal_runtime):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"])
    assert publication.demarches_changed(db_session, [demarche.code]) == 0
    assert publication.state_of(db_session, demarche).status == "non_publiee"


def test_incomplete_demarche_cannot_be_published_and_says_what_is_missing(db_session):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"])
    demarche.pieces, demarche.delay_days = [], None
    with pytest.raises(IncompleteDemarche) as caught:
        publication.publish(db_session, demarche)
    assert caught.value.missing == ["les pièces à fournir", "le délai de traitement"]
    assert "pièces à fournir" in str(caught.value)
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_server_errors_are_retried_with_backoff_until_the_message_goes_through(
        db_session, portal_runtime, sim_client):
    portal_runtime.settings = replace(portal_runtime.settings, portal_backoff_seconds=60)
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    message = publication.publish(db_session, demarche)
    sim_client.faults(error_rate=1)
    report = push(db_session, portal_runtime)
    assert (report.sent, report.retried) == (0, 1)
    assert message.status == "a_envoyer" and message.attempts == 1
    assert message.next_attempt_at > utcnow() + timedelta(seconds=25)  # 60 s ± 50 %
    assert "500" in publication.state_of(db_session, demarche).error
    sim_client.faults(error_rate=0)
    make_due_now(db_session)
    assert push(db_session, portal_runtime).sent == 1
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 1]]


def test_after_max_attempts_the_message_is_a_dead_letter_until_retried(
        db_session, portal_runtime, sim_client):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    message = publication.publish(db_session, demarche)
    sim_client.faults(error_rate=1)
    for _ in range(3):
        make_due_now(db_session)
        push(db_session, portal_runtime)
    assert message.status == "echec" and message.attempts == 3
    assert publication.state_of(db_session, demarche).status == "echec"
    assert outbox.counts(db_session).dead == 1
    # Republishing the same content does not queue it again: the dead letter stands for it.
    assert publication.publish(db_session, demarche) is None
    sim_client.faults(error_rate=0)
    assert outbox.retry_dead_letters(db_session) == 1
    assert push(db_session, portal_runtime).sent == 1
    assert publication.state_of(db_session, demarche).status == "publiee"


def test_refusal_by_the_portal_is_not_retried(db_session, portal_runtime, sim_client):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    sim_client.put_demarche("CEET-RACC", 5)  # the portal already holds a later version
    message = publication.publish(db_session, demarche)
    report = push(db_session, portal_runtime)
    assert report.dead == 1 and message.attempts == 1
    assert "409" in message.last_error


def test_success_the_client_never_heard_of_is_sent_again_harmlessly(db_session, portal_runtime,
                                                                    sim_client):
    """GIVEN a portal that stores the démarche and then answers 500 WHEN the message is
    retried THEN the portal answers "unchanged": one write, and the message is sent."""
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"], code="CEET-RACC")
    message = publication.publish(db_session, demarche)
    sim_client.faults(error_after_rate=1)
    push(db_session, portal_runtime)
    sim_client.faults(error_after_rate=0)
    make_due_now(db_session)
    push(db_session, portal_runtime)
    assert message.status == "envoye"
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 1]]


def test_unreachable_portal_stops_the_round_and_keeps_every_message(db_session, portal_runtime,
                                                                   sim_client):
    tree = make_ministry(db_session)
    for n in range(3):
        publication.publish(db_session, make_demarche(db_session, tree["CEET"], code=f"D{n}"))
    portal_runtime.settings = replace(portal_runtime.settings, portal_url="http://127.0.0.1:9")
    report = push(db_session, portal_runtime)
    # One message paid for the outage; the others were given back without an attempt.
    assert (report.sent, report.retried) == (0, 1)
    messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.attempts for m in messages] == [1, 0, 0]
    assert {m.status for m in messages} == {"a_envoyer"}


def test_expired_claim_of_a_crashed_sender_is_taken_again(db_session, portal_runtime):
    tree = make_ministry(db_session)
    publication.publish(db_session, make_demarche(db_session, tree["CEET"]))
    [claimed] = outbox.claim(db_session, 10, lease_seconds=60)
    assert outbox.claim(db_session, 10, lease_seconds=60) == []
    claimed.lease_until = utcnow() - timedelta(seconds=1)
    assert outbox.claim(db_session, 10, lease_seconds=60) == [claimed]


def test_client_turns_connection_failures_into_transient_errors():
    client = HttpPortalClient("http://127.0.0.1:9", "", 1.0)
    with pytest.raises(PortalUnavailable) as caught:
        client.put_demarche("X", {})
    assert caught.value.unreachable


def test_content_hash_ignores_the_version_alone(db_session):
    tree = make_ministry(db_session)
    demarche = make_demarche(db_session, tree["CEET"])
    before = content_hash(demarche_payload(demarche, tree["MDERM"]))
    demarche.version += 1
    assert content_hash(demarche_payload(demarche, tree["MDERM"])) == before
    demarche.title = "Autre"
    assert content_hash(demarche_payload(demarche, tree["MDERM"])) != before


def test_onboarding_change_of_a_published_demarche_queues_it_in_the_same_transaction(
        db_session, tmp_path):
    from core.onboarding import apply_inventory, load_inventory

    path = tmp_path / "inventaire.yaml"

    def onboard(cost: int) -> None:
        path.write_text(f"""
ministere: {{code: MDERM, nom: "Ministère"}}
entites: [{{code: CEET, nom: "CEET", type: tutelle}}]
demarches:
  - {{code: CEET-RACC, titre: "Raccordement", entite: CEET, pieces: [CNI],
      etapes: [Dépôt], cout: {{montant: {cost}}}, delai_jours: 15}}
""", encoding="utf-8")
        apply_inventory(db_session, load_inventory(path))

    onboard(25000)
    demarche = db_session.scalars(select(Demarche).where(Demarche.code == "CEET-RACC")).one()
    publication.publish(db_session, demarche)
    onboard(25000)  # unchanged: nothing new
    onboard(30000)
    messages = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.version, m.payload["cout"]["montant"]) for m in messages] == [
        (1, 25000), (2, 30000)]
