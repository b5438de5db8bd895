"""The inboxes and their counts follow a courrier along its way; search filters."""

from __future__ import annotations

from datetime import timedelta

from courrier import inboxes, routing, service
from courrier.inboxes import Filters
from courrier.routing import RoutingInput
from tests.statements import recorded_statements


def count(world, user, name):
    return inboxes.counts(world.session, user)[name]


def test_a_courrier_moves_from_inbox_to_inbox(world):
    courrier = world.register()
    assert count(world, world.bo, "a_imputer") == 1
    routing.route(world.session, world.bo, courrier.id, RoutingInput("attribution", "CEET-COM"))
    assert count(world, world.bo, "a_imputer") == 0
    assert count(world, world.chef, "a_imputer") == 1
    routing.route(world.session, world.chef, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    assert count(world, world.chef, "a_imputer") == 0
    assert inboxes.inbox(world.session, world.agent, "a_traiter").items == [courrier]
    assert count(world, world.agent2, "a_traiter") == 0
    service.take_charge(world.session, world.agent, courrier.id)
    service.file_without_reply(world.session, world.agent, courrier.id, "Déjà réglé")
    assert count(world, world.agent, "a_traiter") == 0
    assert count(world, world.agent, "traites") == 1


def test_opinions_and_copies_reach_the_people_named(world):
    courrier = world.register()
    routing.route(world.session, world.bo, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    routing.route(world.session, world.bo, courrier.id, RoutingInput("avis", "CEET-JUR", "juriste"))
    routing.route(world.session, world.bo, courrier.id, RoutingInput("copie", "CEET-COM"))
    assert count(world, world.juriste, "avis") == 1
    assert count(world, world.agent2, "en_copie") == 1  # copied to the whole service
    assert count(world, world.juriste, "en_copie") == 0


def test_overdue_inbox_shows_open_courriers_past_their_due_date(world):
    late = world.register(received_on=service.today() - timedelta(days=90))
    world.register()
    assert late.due_on < service.today()
    page = inboxes.inbox(world.session, world.bo, "en_retard")
    assert page.items == [late] and page.total == 1


def test_confidential_courriers_stay_out_of_other_peoples_lists(world):
    world.register(confidentiality="confidentiel", subject="Affaire sensible")
    world.register(subject="Affaire ordinaire")
    other_bo = world.arse_bo
    assert inboxes.search(world.session, other_bo, Filters()).total == 0
    assert inboxes.search(world.session, world.bo, Filters(text="affaire")).total == 2
    assert inboxes.search(world.session, world.dg, Filters(text="sensible")).total == 1


def test_search_filters_by_status_priority_correspondent_and_dates(world):
    urgent = world.register(priority="urgente", subject="Coupure au quartier Bè")
    world.register(subject="Facture contestée")
    assert inboxes.search(world.session, world.bo, Filters(priority="urgente")).items == [urgent]
    assert inboxes.search(world.session, world.bo, Filters(text="béton golfe")).total == 2
    assert inboxes.search(world.session, world.bo, Filters(text=urgent.chrono)).items == [urgent]
    assert inboxes.search(world.session, world.bo, Filters(status="clos")).total == 0
    tomorrow = service.today() + timedelta(days=1)
    assert inboxes.search(world.session, world.bo, Filters(date_from=tomorrow)).total == 0
    assert inboxes.search(world.session, world.bo, Filters(date_to=service.today())).total == 2
    by_sender = Filters(correspondent_id=world.sender.id, entity_code="CEET")
    assert inboxes.search(world.session, world.bo, by_sender).total == 2


def test_a_long_list_says_more_than_its_counted_total(world, monkeypatch):
    monkeypatch.setattr(inboxes, "COUNT_LIMIT", 3)
    for _ in range(5):
        world.register()
    found = inboxes.inbox(world.session, world.bo, "a_imputer", per_page=2)
    assert (found.total, found.total_exact, len(found.items)) == (3, False, 2)
    assert found.pages == 2  # page 1, and a next one: more than 3 are there
    third = inboxes.inbox(world.session, world.bo, "a_imputer", page=3, per_page=2)
    assert len(third.items) == 1 and third.pages == 3  # a short page is the last one
    assert count(world, world.bo, "a_imputer") == 5  # the inbox counts stay exact
    monkeypatch.setattr(inboxes, "COUNT_LIMIT", 5)
    found = inboxes.inbox(world.session, world.bo, "a_imputer", per_page=2)
    assert (found.total, found.total_exact, found.pages) == (5, True, 3)


def test_an_inbox_reads_the_users_roles_once(world):
    """GIVEN the mail office WHEN an inbox page and the six counts are asked THEN each reads
    the user's role assignments once, not once per question (visibility, routing, visa…)."""
    world.register()
    with recorded_statements(world.session.connection()) as statements:
        page = inboxes.inbox(world.session, world.bo, "a_imputer")
        inboxes.counts(world.session, world.bo)
    assert len(page.items) == 1
    assert len([s for s in statements if "FROM role_assignment" in s]) == 2, statements
