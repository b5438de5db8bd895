"""The same French cases on every backend: accents, plurals, elisions, phrases, identifiers."""

from __future__ import annotations

from datetime import date

import pytest

from ged.search import service

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
