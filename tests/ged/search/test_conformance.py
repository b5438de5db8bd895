"""The same French cases on every backend: accents, plurals, elisions, phrases, identifiers."""

from __future__ import annotations

from datetime import date

import pytest

from ged.search import service
from ged.search.backends.sql import RANK_WINDOW
from ged.search.types import Entry

RACCORDEMENT_NORMAL = {"Arrêté portant raccordement des quartiers", "Facture d'électricité"}
RACCORDEMENT_ALL = RACCORDEMENT_NORMAL | {"Note sur le raccordement du ministère",
                                          "Lettre réservée"}


@pytest.mark.parametrize(("query", "expected"), [
    ("echeance", {"Arrêté portant raccordement des quartiers", "Facture d'électricité"}),
    ("ÉCHÉANCES", {"Arrêté portant raccordement des quartiers", "Facture d'électricité"}),
    ("raccordements", RACCORDEMENT_ALL),
    ("arrete", {"Arrêté portant raccordement des quartiers"}),
    ("l'arrêté ministre", {"Arrêté portant raccordement des quartiers"}),
    ('"réseau CEET"', {"Arrêté portant raccordement des quartiers"}),
    ('"CEET réseau"', set()),
    ('"échéances de raccordement"', {"Arrêté portant raccordement des quartiers"}),
    # Every pair of it is in the text ("quartiers de", "de raccordement"), not in this order.
    ('"quartiers de raccordement"', set()),
    ("ceet-a-2026-00012*", {"Rapport annuel", "Compte rendu de réunion"}),
    ("raccordement -facture", RACCORDEMENT_ALL - {"Facture d'électricité"}),
    ('raccordement -"zone franche"', RACCORDEMENT_ALL - {"Lettre réservée"}),
    ("régul*", {"Rapport annuel"}),
    ("quart*", {"Arrêté portant raccordement des quartiers"}),
    ("CEET-A-2026-000123", {"Rapport annuel"}),
    ("ceet-a-2026-000124", {"Compte rendu de réunion"}),
    ("N°0457/MDERM", {"Rapport annuel"}),
    ("0457/MDERM", {"Rapport annuel"}),
    ("raccordement lomé mars", {"Arrêté portant raccordement des quartiers"}),
    ("introuvable", set()),
    ("-facture", set()),
    ('"', set()),
])
def test_french_queries_find_the_same_documents_on_every_backend(find, query, expected):
    assert find(query) == expected


def test_title_words_rank_above_body_words(db_session, corpus):
    found = service.search(db_session, None, "rapport")
    assert [hit.title for hit in found.results.hits][0] == "Rapport annuel"


def test_snippet_marks_the_matched_words_and_escapes_the_text(db_session, corpus):
    hits = service.search(db_session, None, "facture échéance").results.hits
    snippet = next(hit.snippet for hit in hits if hit.title == "Facture d'électricité")
    assert "<mark>Échéance</mark>" in snippet
    assert "<script>" not in snippet


@pytest.mark.parametrize(("filters", "expected"), [
    ({"doc_type": "facture"}, {"Facture d'électricité"}),
    ({"tags": ("ENERGIE",)}, {"Arrêté portant raccordement des quartiers"}),
    ({"date_from": date(2026, 1, 1)},
     RACCORDEMENT_ALL - {"Facture d'électricité"}),
    ({"date_to": date(2025, 12, 31)}, {"Facture d'électricité"}),
])
def test_filters_narrow_the_hits(find, filters, expected):
    assert find("raccordement", **filters) == expected


def test_entity_filter_keeps_that_entity(find, ministry):
    assert find("courrier", entity_ids=frozenset({ministry["ARSE"].id})) == {"Rapport annuel"}


def test_total_facets_and_pages_agree(db_session, corpus, ministry):
    first = service.search(db_session, None, "raccordement", per_page=3)
    second = service.search(db_session, None, "raccordement", page=2, per_page=3)
    results = first.results
    assert results.total == 4 and first.pages == 2
    assert len(results.hits) == 3 and len(second.results.hits) == 1
    assert {h.record_id for h in results.hits}.isdisjoint(h.record_id for h in second.results.hits)
    assert dict(results.facets["entity"]) == {ministry["CEET"].id: 4}
    assert dict(results.facets["year"]) == {2026: 3, 2025: 1}
    assert dict(results.facets["doc_type"]) == {"arrete": 1, "facture": 1, "note": 1, "lettre": 1}


def test_many_matches_are_counted_exactly_and_titles_come_first(db_session, backend, ministry):
    """GIVEN more matches than the ranking window, a few with the word in their title
    WHEN searched THEN the total and facets count every match, and the first page shows the
    title matches, newest first where their rank ties."""
    ceet = ministry["CEET"].id
    many = RANK_WINDOW + 50
    backend.upsert(db_session, [Entry(
        kind="document", record_id=100_000 + n, entity_id=ceet, confidentiality="normal",
        title=f"Note de service {n}", body="Suivi des travaux de raccordement du quartier.",
        doc_type="note", record_date=date(2026, 1, 1 + n % 28)) for n in range(many)])
    titled = [Entry(kind="document", record_id=200_000 + n, entity_id=ceet,
                    confidentiality="normal", title=f"Raccordement de la zone {n}",
                    body="Compte rendu.", doc_type="rapport", record_date=date(2025, 6, 1 + n))
              for n in range(3)]
    backend.upsert(db_session, titled)
    db_session.flush()
    results = service.search(db_session, None, "raccordement", per_page=5).results
    assert results.total == many + 3
    assert dict(results.facets["doc_type"]) == {"note": many, "rapport": 3}
    assert [hit.record_id for hit in results.hits[:3]] == [200_002, 200_001, 200_000]
    second = service.search(db_session, None, "raccordement", page=2, per_page=5).results
    assert {h.record_id for h in results.hits}.isdisjoint(h.record_id for h in second.hits)


def test_title_matches_fill_the_window_before_newer_body_matches(db_session, backend, ministry):
    """GIVEN more title matches than the ranking window, and newer records matching by body only
    WHEN the first page and the page just past the title matches are read
    THEN the first holds title matches only, and the later one the body matches, newest first."""
    ceet = ministry["CEET"].id
    titled = RANK_WINDOW + 10
    backend.upsert(db_session, [Entry(
        kind="document", record_id=300_000 + n, entity_id=ceet, confidentiality="normal",
        title=f"Raccordement du lot {n}", body="Compte rendu.", doc_type="rapport",
        record_date=date(2024, 1 + n % 12, 1 + n % 28)) for n in range(titled)])
    backend.upsert(db_session, [Entry(
        kind="document", record_id=400_000 + n, entity_id=ceet, confidentiality="normal",
        title=f"Note {n}", body="Suivi du raccordement.", doc_type="note",
        record_date=date(2026, 3, 1 + n)) for n in range(10)])
    db_session.flush()
    first = service.search(db_session, None, "raccordement", per_page=10).results
    assert first.total == titled + 10
    assert all(300_000 <= hit.record_id < 400_000 for hit in first.hits)
    past = service.search(db_session, None, "raccordement", page=titled // 10 + 1,
                          per_page=10).results
    assert [hit.record_id for hit in past.hits] == [400_000 + n for n in range(9, -1, -1)]
