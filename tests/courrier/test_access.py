"""Who sees what: entities, routing, and the confidentiality rules."""

from __future__ import annotations

import pytest

from courrier import access, routing, service
from courrier.errors import CourrierAccessDenied
from courrier.routing import RoutingInput
from tests.courrier.conftest import add_role
from tests.factories import make_user


def route(world, courrier, kind="attribution", to="CEET-COM", agent=None):
    routing.route(world.session, world.bo, courrier.id, RoutingInput(kind, to, agent))


def sees(world, user, courrier):
    return access.can_see(world.session, user, courrier)


def test_normal_courrier_is_seen_in_its_entity_and_where_it_was_routed(world):
    courrier = world.register()
    assert sees(world, world.bo, courrier) and sees(world, world.dg, courrier)
    assert not sees(world, world.agent, courrier)
    route(world, courrier)
    assert sees(world, world.agent, courrier) and sees(world, world.agent2, courrier)
    assert not sees(world, world.juriste, courrier)
    assert not sees(world, world.arse_bo, courrier)


def test_another_entity_gets_a_403_with_a_clear_message(world):
    courrier = world.register()
    with pytest.raises(CourrierAccessDenied, match="pas accès à ce courrier") as caught:
        service.get(world.session, world.arse_bo, courrier.id)
    assert caught.value.status == 403
    assert (caught.value.courrier_id, caught.value.entity_id) == (courrier.id, courrier.entity_id)


def test_confidential_courrier_is_seen_only_by_the_people_the_rule_names(world):
    courrier = world.register(confidentiality="confidentiel")
    route(world, courrier, agent="agent.com")
    route(world, courrier, kind="copie", to="CEET-JUR", agent="juriste")
    minister = make_user(world.session, world.entities["MDERM"], ("responsable",))
    ceet_admin = make_user(world.session, world.entities["CEET"], ("admin",))
    seen = {u.login for u in (world.bo, world.agent, world.juriste, world.dg, world.agent2,
                              world.chef, minister, ceet_admin) if sees(world, u, courrier)}
    assert seen == {"bo.ceet", "agent.com", "juriste", "dg.ceet"}


def test_confidential_courrier_routed_to_a_service_is_seen_by_its_head_until_dispatched(world):
    courrier = world.register(confidentiality="secret")
    route(world, courrier)
    assert sees(world, world.chef, courrier)
    assert not sees(world, world.agent, courrier)
    routing.route(world.session, world.chef, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    assert sees(world, world.agent, courrier)
    assert not sees(world, world.chef, courrier)


def test_mail_office_of_another_entity_never_sees_a_confidential_one(world):
    courrier = world.register(confidentiality="confidentiel")
    add_role(world.session, world.arse_bo, world.entities["MDERM"], "bureau_ordre")
    assert not sees(world, world.arse_bo, courrier)
