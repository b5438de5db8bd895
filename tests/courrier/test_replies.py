"""Replies: a linked départ with its own number, the visa and signature circuit, sending."""

from __future__ import annotations

import pytest

from courrier import replies, routing, service
from courrier.config import set_rules
from courrier.errors import CourrierAccessDenied, ForbiddenTransition, InvalidCourrier
from courrier.replies import ReplyInput
from courrier.routing import RoutingInput
from tests.courrier.conftest import make_document


def treated(world):
    courrier = world.register()
    routing.route(world.session, world.bo, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    return courrier


def test_reply_is_a_departure_with_its_own_number_linked_to_the_letter(world):
    incoming = treated(world)
    departure = replies.reply(world.session, world.agent, incoming.id, ReplyInput())
    year = service.today().year
    assert departure.chrono == f"CEET-D-{year}-000001"
    assert departure.direction == "depart" and departure.status == "en_preparation"
    assert departure.recipient_id == incoming.sender_id
    assert departure.subject == f"Réponse : {incoming.subject}"
    assert replies.answered_by(world.session, departure) == [incoming]
    assert replies.replies_to(world.session, incoming) == [departure]
    # Replying is the holder's first act: the letter is now in treatment.
    assert incoming.status == "en_traitement"


def test_full_circuit_visa_signature_sending_closes_the_letter(world):
    incoming = treated(world)
    departure = replies.reply(world.session, world.agent, incoming.id, ReplyInput(
        document_ids=(make_document(world.session, world.entities["CEET-COM"], "Projet"),)))
    replies.submit(world.session, world.agent, departure.id, "visa")
    with pytest.raises(CourrierAccessDenied):
        replies.visa(world.session, world.agent2, departure.id)
    replies.visa(world.session, world.chef, departure.id, "Bon pour signature")
    with pytest.raises(CourrierAccessDenied, match="responsable"):
        replies.sign(world.session, world.chef, departure.id)
    signed = make_document(world.session, world.entities["CEET"])
    replies.sign(world.session, world.dg, departure.id, (signed,))
    replies.send(world.session, world.agent, departure.id)
    assert departure.status == "envoye"
    assert incoming.status == "clos"
    assert [s.action for s in incoming.steps][-3:] == ["reponse_preparee", "repondre", "clore"]
    assert {a.role for a in departure.attachments} == {"projet", "lettre_signee"}


def test_sending_without_closing_when_the_entity_says_so(world):
    set_rules(world.session, None, world.entities["CEET"], close_on_send=False)
    incoming = treated(world)
    signed = make_document(world.session, world.entities["CEET-COM"])
    departure = replies.reply(world.session, world.agent, incoming.id,
                              ReplyInput(document_ids=(signed,), signed=True))
    replies.send(world.session, world.agent, departure.id)
    assert incoming.status == "repondu"
    service.close(world.session, world.agent, incoming.id)
    assert incoming.status == "clos"


def test_sending_needs_the_signed_letter(world):
    incoming = treated(world)
    departure = replies.reply(world.session, world.agent, incoming.id, ReplyInput())
    with pytest.raises(InvalidCourrier, match="lettre signée"):
        replies.send(world.session, world.agent, departure.id)
    assert departure.status == "en_preparation"


def test_send_back_needs_a_reason_and_returns_the_draft(world):
    incoming = treated(world)
    departure = replies.reply(world.session, world.agent, incoming.id, ReplyInput())
    replies.submit(world.session, world.agent, departure.id, "signature")
    with pytest.raises(InvalidCourrier, match="corriger"):
        replies.send_back(world.session, world.dg, departure.id, "")
    replies.send_back(world.session, world.dg, departure.id, "Préciser le montant")
    assert departure.status == "en_preparation"


def test_reply_to_a_cancelled_courrier_is_refused(world):
    incoming = world.register()
    service.cancel(world.session, world.bo, incoming.id, "Doublon")
    with pytest.raises(InvalidCourrier, match="annulé"):
        replies.reply(world.session, world.bo, incoming.id, ReplyInput())


def test_reply_before_routing_is_refused(world):
    incoming = world.register()
    with pytest.raises((ForbiddenTransition, CourrierAccessDenied)):
        replies.reply(world.session, world.bo, incoming.id, ReplyInput())


def test_only_the_holder_or_the_head_replies(world):
    incoming = treated(world)
    with pytest.raises(CourrierAccessDenied, match="détenteur"):
        replies.reply(world.session, world.agent2, incoming.id, ReplyInput())
    replies.reply(world.session, world.chef, incoming.id, ReplyInput())
