"""Courriers in the search: their words and attachments, their readers, their indexing jobs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from courrier import access, routing, service, workflow
from courrier.models import Courrier
from courrier.routing import RoutingInput
from ged.search import INDEX_JOB
from ged.search import service as search
from ged.search.present import hit_url
from ged.search.types import Backend, Filters
from tests.courrier.conftest import World, build_world
from tests.ged.search.conftest import add_document
from tests.statements import recorded_statements


@pytest.fixture
def world(db_session: Session, backend: Backend) -> World:
    """The courrier tests' ministry, over an empty index."""
    return build_world(db_session)


def indexed(world: World, backend: Backend, **fields: Any) -> int:
    """A courrier registered by CEET's mail office, then indexed; its id."""
    courrier = world.register(**fields)
    search.index_courriers(world.session, backend, [courrier.id])
    return courrier.id


def found(world: World, user: Any, text: str, **filters: Any) -> set[tuple[str, int]]:
    hits = search.search(world.session, user, text, Filters(**filters), per_page=50).results.hits
    return {(hit.kind, hit.record_id) for hit in hits}


def test_courrier_is_found_by_subject_chrono_reference_sender_and_attachment(world, backend):
    """GIVEN a registered courrier with a reference and an attached, read document
    WHEN searched by its words THEN it comes back as a courrier, linking to its page."""
    courrier = world.register(subject="Demande d'extension du réseau électrique",
                              sender_reference="N°0744/AT2ER")
    document = add_document(world.session, world.entities["CEET"].id, "Lettre",
                            "Le quartier d'Adidogomé attend son raccordement.")
    service.attach(world.session, world.bo, courrier, [document.id], "scan")
    search.index_documents(world.session, backend, [document.id])  # the courrier's text too
    expected = {("courrier", courrier.id)}
    for text in ("extensions électriques", courrier.chrono, "0744/AT2ER", "béton golfe"):
        assert found(world, world.dg, text) == expected, text
    assert found(world, world.dg, "adidogome") == expected | {("document", document.id)}
    assert found(world, world.dg, "adidogome", kind="courrier") == expected
    assert found(world, world.dg, "adidogome", kind="document") == {("document", document.id)}
    hit = search.search(world.session, world.dg, courrier.chrono).results.hits[0]
    assert hit_url(hit) == f"/courriers/{courrier.id}"


@pytest.mark.parametrize("level", ["normal", "confidentiel"])
def test_search_agrees_with_courrier_access_for_everyone(world, backend, level):
    """GIVEN a courrier routed to a service, with an agent asked for an opinion
    WHEN each user searches THEN they find it exactly when courrier.access lets them see it."""
    courrier_id = indexed(world, backend, subject="Facture de raccordement",
                          confidentiality=level)
    routing.route(world.session, world.bo, courrier_id, RoutingInput("attribution", "CEET-COM"))
    routing.route(world.session, world.bo, courrier_id,
                  RoutingInput("avis", "CEET-JUR", "juriste"))
    search.index_courriers(world.session, backend, [courrier_id])
    courrier = world.session.get(Courrier, courrier_id)
    users = (world.bo, world.chef, world.agent, world.agent2, world.juriste, world.dg,
             world.arse_bo)
    seen = {user.login for user in users if access.can_see(world.session, user, courrier)}
    assert {user.login for user in users if found(world, user, "facture")} == seen
    assert "bo.arse" not in seen and "juriste" in seen


def test_confidential_courrier_is_found_by_its_holder_not_by_a_colleague(world, backend):
    """GIVEN a confidential courrier attributed to an agent WHEN searched
    THEN the holder, the responsable and the mail office find it; another agent does not,
    and neither do the total and facets it sees."""
    courrier_id = indexed(world, backend, subject="Litige foncier réservé",
                          confidentiality="confidentiel")
    routing.route(world.session, world.bo, courrier_id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    search.index_courriers(world.session, backend, [courrier_id])
    for user in (world.agent, world.dg, world.bo):
        results = search.search(world.session, user, "litige foncier").results
        assert (results.total, [h.record_id for h in results.hits]) == (1, [courrier_id])
        assert dict(results.facets["entity"]) == {world.entities["CEET"].id: 1}
        assert dict(results.facets["doc_type"]) == {"courrier_arrivee": 1}
    for user in (world.agent2, world.juriste, world.arse_bo):
        results = search.search(world.session, user, "litige foncier").results
        assert (results.total, results.hits, results.facets["entity"]) == (0, [], [])
    assert found(world, None, "litige") == {("courrier", courrier_id)}


def test_every_courrier_change_is_indexed_after_its_commit(world, backend, jobs):
    """GIVEN a confidential courrier registered WHEN committed and its jobs run
    THEN it is found; once attributed, cancelled, its new holder finds it and its status
    follows, with no indexing call of the caller's own (the workflow asks for it)."""
    courrier = world.register(subject="Recours hiérarchique", confidentiality="confidentiel")
    assert found(world, world.bo, "recours") == set()  # nothing indexed inside the request
    world.session.commit()
    jobs.run_all()
    assert found(world, world.bo, "recours") == {("courrier", courrier.id)}
    assert found(world, world.agent, "recours") == set()
    routing.route(world.session, world.bo, courrier.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    world.session.commit()
    assert found(world, world.agent, "recours") == set()
    jobs.run_all()
    assert found(world, world.agent, "recours") == {("courrier", courrier.id)}
    service.cancel(world.session, world.bo, courrier.id, "Enregistré deux fois")
    world.session.commit()
    jobs.run_all()
    assert found(world, world.agent, "recours", status="annule") == {("courrier", courrier.id)}


def index_status(world: World, courrier_id: int) -> str | None:
    world.session.expire_all()
    return world.session.get(Courrier, courrier_id).index_status


def test_registration_carries_the_index_mark_in_its_insert(world, jobs):
    """GIVEN a courrier registered WHEN flushed THEN it is inserted already waiting for the
    index, with no UPDATE of its row; the commit queues the indexing job once."""
    with recorded_statements(world.session.connection()) as statements:
        courrier = world.register(subject="Demande de compteur")
    assert not [s for s in statements if s.startswith("UPDATE courrier ")], statements
    assert index_status(world, courrier.id) == "a_indexer"
    world.register(subject="Demande de branchement")
    world.session.commit()
    assert [path for path, *_ in jobs.submitted] == [INDEX_JOB]


def test_courrier_whose_indexing_failed_stays_waiting_and_the_retry_indexes_it(
        world, backend, jobs, runtime):
    """GIVEN a registered courrier WHEN the search engine cannot be reached at its indexing run
    THEN it stays ``a_indexer`` and a retry is queued; once the engine is back the retry
    indexes it."""
    courrier = world.register(subject="Recours gracieux")
    world.session.commit()
    reachable = runtime.settings
    runtime.settings = replace(reachable, search="elasticsearch",
                               elasticsearch_url="http://127.0.0.1:9")  # nothing listens
    jobs.run_next()
    assert [(path, attempt) for path, _, _, attempt in jobs.submitted] == [(INDEX_JOB, 2)]
    assert index_status(world, courrier.id) == "a_indexer"
    runtime.settings = reachable
    jobs.run_all()
    assert index_status(world, courrier.id) == "indexe"
    assert found(world, world.bo, "recours") == {("courrier", courrier.id)}


def test_consulting_a_piece_does_not_ask_for_indexing(world, backend, jobs):
    courrier = world.register(subject="Plainte d'un abonné")
    world.session.commit()
    jobs.run_all()
    workflow.record(world.session, courrier, world.bo, "piece_consultee", document=1)
    world.session.commit()
    assert jobs.submitted == []
    assert index_status(world, courrier.id) == "indexe"


def test_reindex_covers_courriers(world, backend):
    courrier = world.register(subject="Réclamation tarifaire")
    assert search.reindex(world.session, backend) == search.record_count(world.session)
    assert found(world, world.dg, "reclamation") == {("courrier", courrier.id)}
