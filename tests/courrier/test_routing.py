"""Routing: one holder at a time, redirections with their reason, copies, opinions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from courrier import routing, service
from courrier.errors import (
    CourrierAccessDenied,
    ForbiddenTransition,
    InvalidCourrier,
    RoutingOutsideEntity,
)
from courrier.models import Imputation
from courrier.routing import RoutingInput


def attribute(world, courrier, to="CEET-COM", agent=None, by=None, reason=""):
    return routing.route(world.session, by or world.bo, courrier.id,
                         RoutingInput("attribution", to, agent, "Pour traitement", reason=reason))


def test_mail_office_routes_to_a_service_then_its_head_to_an_agent(world):
    courrier = world.register()
    attribute(world, courrier)
    assert (courrier.status, courrier.holder_entity_id, courrier.holder_id) == (
        "impute", world.entities["CEET-COM"].id, None)
    attribute(world, courrier, agent="agent.com", by=world.chef)
    assert courrier.holder_id == world.agent.id
    active = [i for i in courrier.imputations if i.kind == "attribution" and i.active]
    assert len(active) == 1 and active[0].user_id == world.agent.id
    assert [s.action for s in courrier.steps] == ["enregistrer", "imputer", "reimputer"]


def test_redirection_from_an_agent_keeps_its_reason(world):
    courrier = world.register()
    attribute(world, courrier, agent="agent.com")
    with pytest.raises(InvalidCourrier, match="motif de la réattribution"):
        attribute(world, courrier, agent="agent2.com", by=world.chef)
    attribute(world, courrier, agent="agent2.com", by=world.chef, reason="Agent en congé")
    ended = [i for i in courrier.imputations if i.kind == "attribution" and not i.active]
    assert ended[0].end_reason == "Agent en congé" and ended[0].ended_at is not None
    assert courrier.holder_id == world.agent2.id
    assert courrier.steps[-1].note == "Agent en congé"


def test_database_refuses_two_active_attributions(world):
    courrier = world.register()
    first = attribute(world, courrier)
    world.session.flush()
    savepoint = world.session.begin_nested()
    world.session.add(Imputation(courrier_id=courrier.id, kind="attribution",
                                 entity_id=first.entity_id, routed_by_id=world.bo.id))
    with pytest.raises(IntegrityError):
        world.session.flush()
    savepoint.rollback()


def test_routing_outside_ones_entity_is_refused(world):
    courrier = world.register()
    with pytest.raises(RoutingOutsideEntity, match="ARSE n'en fait pas partie"):
        attribute(world, courrier, to="ARSE")
    attribute(world, courrier)
    # The head of CEET-COM re-routes within the service only.
    with pytest.raises(RoutingOutsideEntity):
        attribute(world, courrier, to="CEET-JUR", by=world.chef)
    assert courrier.holder_entity_id == world.entities["CEET-COM"].id


def test_an_agent_of_another_service_cannot_hold_the_attribution(world):
    courrier = world.register()
    with pytest.raises(InvalidCourrier, match="n'est pas un agent actif de CEET-COM"):
        attribute(world, courrier, agent="juriste")


def test_a_plain_agent_cannot_route(world):
    courrier = world.register()
    attribute(world, courrier, agent="agent.com")
    with pytest.raises(CourrierAccessDenied, match="droits"):
        attribute(world, courrier, agent="agent2.com", by=world.agent, reason="Pas le temps")


def test_copy_informs_without_changing_status(world):
    courrier = world.register()
    attribute(world, courrier)
    routing.route(world.session, world.bo, courrier.id, RoutingInput("copie", "CEET-JUR"))
    assert courrier.status == "impute"
    assert [i.kind for i in courrier.imputations] == ["attribution", "copie"]


def test_opinion_asked_waits_then_resumes_when_answered(world):
    courrier = world.register()
    attribute(world, courrier, agent="agent.com")
    service.take_charge(world.session, world.agent, courrier.id)
    asked = routing.route(world.session, world.agent, courrier.id, RoutingInput(
        "avis", "CEET-COM", "agent2.com", "Votre avis sur le tarif"))
    assert courrier.status == "en_attente_avis"
    assert asked.due_on is not None and asked.due_on > service.today()
    routing.give_opinion(world.session, world.agent2, asked.id, "Favorable sous réserve.")
    assert courrier.status == "en_traitement"
    assert asked.answer == "Favorable sous réserve." and asked.answered_by_id == world.agent2.id
    assert [s.action for s in courrier.steps][-2:] == ["avis_rendu", "avis_rendus"]


def test_opinion_can_be_given_only_once_and_only_by_the_one_asked(world):
    courrier = world.register()
    attribute(world, courrier, agent="agent.com")
    asked = routing.route(world.session, world.bo, courrier.id, RoutingInput(
        "avis", "CEET-JUR", "juriste", "Avis juridique",
        due_on=service.today() + timedelta(days=3)))
    with pytest.raises(CourrierAccessDenied, match="pas été demandé à vous"):
        routing.give_opinion(world.session, world.agent2, asked.id, "Moi je pense…")
    routing.give_opinion(world.session, world.juriste, asked.id, "Conforme.")
    with pytest.raises(InvalidCourrier, match="déjà été rendu"):
        routing.give_opinion(world.session, world.juriste, asked.id, "Encore.")


def test_opinion_cannot_be_asked_before_attribution(world):
    courrier = world.register()
    with pytest.raises(ForbiddenTransition):
        routing.route(world.session, world.bo, courrier.id, RoutingInput("avis", "CEET-JUR"))


def test_opinion_deadline_in_the_past_is_refused(world):
    courrier = world.register()
    attribute(world, courrier)
    with pytest.raises(InvalidCourrier, match="passé"):
        routing.route(world.session, world.bo, courrier.id, RoutingInput(
            "avis", "CEET-JUR", due_on=service.today() - timedelta(days=1)))
