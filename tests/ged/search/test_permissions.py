"""Permissions are part of the query: hits, totals and facets only count what one may read."""

from __future__ import annotations

import pytest

from ged import service as ged_service
from ged.search import service

NORMAL = {"Arrêté portant raccordement des quartiers", "Facture d'électricité"}
CONFIDENTIAL = "Note sur le raccordement du ministère"
SECRET = "Lettre réservée"


@pytest.mark.parametrize(("who", "expected"), [
    ("arse", set()),
    ("agent", NORMAL),
    ("superviseur", NORMAL),
    ("chef", NORMAL | {CONFIDENTIAL}),
    ("responsable", NORMAL | {CONFIDENTIAL, SECRET}),
])
def test_each_role_finds_only_the_levels_it_may_read(find, ministry, who, expected):
    assert find("raccordement", ministry[who]) == expected


def test_totals_and_facets_never_count_unreadable_documents(db_session, corpus, ministry):
    found = service.search(db_session, ministry["agent"], "raccordement").results
    assert found.total == 2
    assert dict(found.facets["entity"]) == {ministry["CEET"].id: 2}
    assert "note" not in dict(found.facets["doc_type"])


def test_other_entity_sees_nothing_even_when_filtering_on_it(find, ministry):
    assert find("raccordement", ministry["arse"], entity_ids=frozenset({ministry["CEET"].id})) \
        == set()


def test_a_role_above_reads_the_entities_below(find, ministry):
    """GIVEN an agent of CEET WHEN searching a word of a CEET-COM (service) document
    THEN it is found: a role is valid below its entity."""
    assert find("réunion", ministry["agent"]) == {"Compte rendu de réunion"}


def test_inactive_user_finds_nothing(db_session, find, ministry):
    ministry["responsable"].active = False
    db_session.flush()
    assert find("raccordement", ministry["responsable"]) == set()


def test_raising_confidentiality_hides_the_document_once_reindexed(db_session, find, corpus,
                                                                     ministry, backend):
    title = "Facture d'électricité"
    ged_service.update_metadata(db_session, ministry["responsable"], corpus[title],
                                confidentiality="confidentiel")
    service.index_pending(db_session, backend)
    assert title not in find("facture", ministry["agent"])
    assert title in find("facture", ministry["chef"])
