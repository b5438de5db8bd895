"""Fixtures of the search tests: the engine under test and a small French corpus in it.

Every test runs on SQLite and PostgreSQL (``db_session``), and on Elasticsearch too when
``ATD_TEST_ELASTICSEARCH_URL`` points at a live server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.runtime import Runtime
from ged.models import Document, DocumentVersion, Page
from ged.search import index_document, service
from ged.search.types import Backend, Filters

ELASTICSEARCH_URL = os.environ.get("ATD_TEST_ELASTICSEARCH_URL", "")

# title, entity, confidentiality, type, date, tags, text
CORPUS: list[tuple[str, str, str, str, date, tuple[str, ...], str]] = [
    ("Arrêté portant raccordement des quartiers", "CEET", "normal", "arrete", date(2026, 3, 10),
     ("énergie",), "L'arrêté du ministre fixe les échéances de raccordement au réseau CEET "
     "pour les quartiers de Lomé en mars 2026."),
    ("Facture d'électricité", "CEET", "normal", "facture", date(2025, 4, 1), ("finances",),
     "Facture des raccordements effectués par la CEET. Échéance : 30 avril. <script>x</script>"),
    ("Rapport annuel", "ARSE", "normal", "rapport", date(2026, 1, 15), (),
     "Rapport sur la régulation du secteur, référence N°0457/MDERM, suite au courrier "
     "CEET-A-2026-000123 du directeur."),
    ("Note sur le raccordement du ministère", "CEET", "confidentiel", "note", date(2026, 2, 2), (),
     "Les coûts de raccordement restent à arbitrer."),
    ("Lettre réservée", "CEET", "secret", "lettre", date(2026, 2, 3), (),
     "Le raccordement de la zone franche est suspendu."),
    ("Compte rendu de réunion", "CEET-COM", "normal", "rapport", date(2025, 11, 20), (),
     "Relevé des décisions ; voir le courrier CEET-A-2026-000124 et la note 0458/MDERM."),
]


def add_document(session: Session, entity_id: int, title: str, text: str, **fields: Any
                 ) -> Document:
    """A document whose current version was read, as extraction leaves it, waiting for the index."""
    document = Document(title=title, entity_id=entity_id, current_number=1, **fields)
    version = DocumentVersion(number=1, filename="lettre.pdf", kind="pdf",
                              media_type="application/pdf", size=1, sha256="0" * 64,
                              status="terminee", page_count=1, pages_done=1)
    version.pages = [Page(number=1, text=text, source="texte")]
    document.versions = [version]
    session.add(document)
    session.flush()
    index_document(session, document.id)
    return document


@pytest.fixture(params=["db", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine_name(request: pytest.FixtureRequest, runtime: Runtime) -> str:
    if request.param == "elasticsearch":
        if not ELASTICSEARCH_URL:
            pytest.skip("ATD_TEST_ELASTICSEARCH_URL is not set")
        runtime.settings = replace(runtime.settings, search="elasticsearch",
                                   elasticsearch_url=ELASTICSEARCH_URL)
    return str(request.param)


@pytest.fixture
def backend(db_session: Session, engine_name: str) -> Backend:
    found = service.backend_for(db_session)
    found.clear(db_session)
    return found


@pytest.fixture
def corpus(db_session: Session, ministry: dict[str, Any], backend: Backend) -> dict[str, int]:
    """The corpus indexed; document ids by title."""
    ids = {}
    for title, entity, level, doc_type, day, tags, text in CORPUS:
        document = add_document(db_session, ministry[entity].id, title, text,
                                confidentiality=level, doc_type=doc_type, document_date=day,
                                tags=list(tags))
        ids[title] = document.id
    service.index_pending(db_session, backend)
    db_session.flush()
    return ids


@pytest.fixture
def find(db_session: Session, corpus: dict[str, int]) -> Callable[..., set[str]]:
    """The titles found for a query (by the operator unless a user is given)."""

    def _find(text: str, user: Any = None, **filters: Any) -> set[str]:
        found = service.search(db_session, user, text, Filters(**filters), per_page=50)
        return {hit.title for hit in found.results.hits}

    return _find
