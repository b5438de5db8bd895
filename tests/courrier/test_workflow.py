"""The explicit state machine: allowed moves, refused moves with a French message, events."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.audit import Event
from courrier import workflow
from courrier.errors import ForbiddenTransition


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("enregistre", "imputer", "impute"),
        ("impute", "prendre_en_charge", "en_traitement"),
        ("en_traitement", "demander_avis", "en_attente_avis"),
        ("en_attente_avis", "avis_rendus", "en_traitement"),
        ("en_traitement", "repondre", "repondu"),
        ("en_attente_avis", "repondre", "repondu"),
        ("en_traitement", "classer_sans_suite", "traite_sans_suite"),
        ("repondu", "clore", "clos"),
        ("traite_sans_suite", "clore", "clos"),
        ("clos", "rouvrir", "en_traitement"),
        ("impute", "annuler", "annule"),
        ("en_traitement", "reimputer", "impute"),
    ],
)
def test_incoming_moves_follow_the_machine(status, action, expected):
    assert workflow.next_status("arrivee", status, action) == expected
    assert workflow.next_status("interne", status, action) == expected


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("enregistre", "clore"),
        ("enregistre", "repondre"),
        ("impute", "clore"),
        ("clos", "annuler"),
        ("annule", "rouvrir"),
        ("annule", "imputer"),
        ("repondu", "demander_avis"),
    ],
)
def test_forbidden_incoming_moves_are_refused(status, action):
    with pytest.raises(ForbiddenTransition):
        workflow.next_status("arrivee", status, action)


def test_refusal_says_what_was_asked_and_what_is_possible_in_french():
    with pytest.raises(ForbiddenTransition) as caught:
        workflow.next_status("arrivee", "enregistre", "clore", "CEET-A-2026-000001")
    message = str(caught.value)
    assert "« Clore » impossible" in message
    assert "CEET-A-2026-000001" in message
    assert "« Enregistré »" in message
    assert "Imputer" in message and "Annuler" in message


def test_outgoing_circuit_visa_then_signature_then_sending():
    status = "en_preparation"
    for action in ("demander_visa", "viser", "signer", "envoyer", "clore"):
        status = workflow.next_status("depart", status, action)
    assert status == "clos"


def test_outgoing_can_be_sent_without_the_circuit_but_not_signed_without_it():
    assert workflow.next_status("depart", "en_preparation", "envoyer") == "envoye"
    with pytest.raises(ForbiddenTransition):
        workflow.next_status("depart", "en_preparation", "signer")


def test_routing_a_departure_is_not_part_of_its_machine():
    with pytest.raises(ForbiddenTransition, match="de ce sens"):
        workflow.next_status("depart", "en_preparation", "imputer")


def test_final_statuses_allow_nothing_but_reopening():
    assert workflow.allowed_actions("arrivee", "annule") == []
    assert workflow.allowed_actions("arrivee", "clos") == ["rouvrir"]
    assert workflow.allowed_actions("depart", "annule") == []


def _events(session, action):
    return session.scalar(select(func.count()).select_from(Event).where(Event.action == action))


def test_every_allowed_move_writes_a_step_and_an_event(world):
    courrier = world.register()
    before = _events(world.session, "courrier.annuler")
    workflow.apply(world.session, courrier, world.bo, "annuler", "Doublon")
    world.session.flush()
    assert courrier.status == "annule"
    assert courrier.cancelled_at is not None
    assert _events(world.session, "courrier.annuler") == before + 1
    last = courrier.steps[-1]
    assert (last.action, last.status_from, last.status_to, last.note) == (
        "annuler", "enregistre", "annule", "Doublon"
    )


def test_a_refused_move_changes_nothing_and_writes_no_event(world):
    courrier = world.register()
    steps = len(courrier.steps)
    events = world.session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(ForbiddenTransition):
        workflow.apply(world.session, courrier, world.bo, "clore")
    world.session.flush()
    assert courrier.status == "enregistre"
    assert len(courrier.steps) == steps
    assert world.session.scalar(select(func.count()).select_from(Event)) == events
