"""The figures follow the real courrier services: register, route, treat, close."""

from __future__ import annotations

from courrier import routing, service
from courrier.correspondents import CorrespondentInput
from supervision import service as supervision
from tests.factories import make_ministry, make_user


def test_registering_routing_and_treating_through_the_services_moves_the_figures(
        db_session, runtime):
    tree = make_ministry(db_session)
    bo = make_user(db_session, tree["CEET"], ("bureau_ordre",))
    chef = make_user(db_session, tree["CEET-COM"], ("chef_service",))
    sender = CorrespondentInput("Société Béton du Golfe")

    def register(channel):
        return service.register(db_session, bo, service.Registration(
            entity_code="CEET", subject="Demande de raccordement", sender=sender,
            channel=channel))

    first, _second = register("email"), register("physique")
    routing.route(db_session, bo, first.id, routing.RoutingInput("attribution", "CEET-COM"))
    service.file_without_reply(db_session, chef, first.id, "Doublon d'une demande traitée.")
    service.close(db_session, chef, first.id)
    db_session.flush()

    figures = supervision.kpis(runtime, None, "CEET")["ensemble"]["courrier"]
    assert (figures["enregistres"], figures["imputes"], figures["traites"]) == (2, 1, 1)
    assert figures["clos"] == 1 and figures["par_canal"]["email"] == 1
    assert figures["en_cours"] == 1 and figures["anciennete"]["0-7"] == 1
    assert figures["delai_traitement_jours"]["mediane"] == 0
    assert figures["par_service"][0]["code"] == "CEET-COM"


def test_a_history_dated_afterwards_is_counted_on_its_own_dates(db_session, runtime):
    """GIVEN a courrier registered, routed and treated now, then dated back 40 days as an
    imported register (or the demo's past months) is: its row and its steps, not its events
    WHEN the room counts it
    THEN it falls on its own days, with its own delays."""
    from datetime import timedelta

    tree = make_ministry(db_session)
    bo = make_user(db_session, tree["CEET"], ("bureau_ordre",))
    letter = service.register(db_session, bo, service.Registration(
        entity_code="CEET", subject="Ancienne demande",
        sender=CorrespondentInput("Mairie de Lomé")))
    routing.route(db_session, bo, letter.id, routing.RoutingInput("attribution", "CEET-COM"))
    service.file_without_reply(db_session, bo, letter.id, "Réglé.")
    db_session.flush()
    letter.registered_at -= timedelta(days=40)
    for step in letter.steps:
        step.at -= timedelta(days=40 if step.action in ("enregistrer", "imputer") else 33)
    db_session.flush()

    today = service.today()
    back = supervision.kpis(runtime, None, "CEET", du=(today - timedelta(days=45)).isoformat(),
                            au=(today - timedelta(days=20)).isoformat())
    mail = back["ensemble"]["courrier"]
    assert (mail["enregistres"], mail["imputes"], mail["traites"]) == (1, 1, 1)
    assert mail["delai_traitement_jours"]["mediane"] == 7
    recent = supervision.kpis(runtime, None, "CEET", du=(today - timedelta(days=5)).isoformat())
    assert recent["ensemble"]["courrier"]["enregistres"] == 0


def test_feed_leaves_out_routine_reading_but_shows_its_failures(db_session):
    from core import audit
    from supervision.feed import latest
    from tests.factories import make_ministry

    ceet = make_ministry(db_session)["CEET"]
    audit.record(db_session, None, "ged.extraction.terminee", "ged_version", 1, ceet.id)
    audit.record(db_session, None, "ged.extraction.echouee", "ged_version", 2, ceet.id)
    db_session.flush()
    assert [item["quoi"] for item in latest(db_session, {ceet.id})] == [
        "Lecture d'un document en échec"
    ]
