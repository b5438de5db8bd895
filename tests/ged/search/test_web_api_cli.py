"""The search page, ``GET /api/v1/search`` and ``atd search``, in French, with permissions."""

from __future__ import annotations

import json

import pytest

from core.auth import create_token
from tests.core.web_helpers import log_in
from tests.factories import make_ministry
from tests.ged.search.conftest import add_document


@pytest.fixture
def indexed(db_session, corpus):
    db_session.commit()
    return corpus


def test_page_shows_highlighted_hits_and_facets_in_french(client, indexed):
    log_in(client, "agent.ceet")
    page = client.get("/recherche?q=echeances").get_data(as_text=True)
    assert "2 résultat(s)" in page
    assert "<mark>échéances</mark>" in page
    assert "Entité" in page and "Année" in page
    assert "Note sur le raccordement" not in client.get("/recherche?q=raccordement").get_data(
        as_text=True)


def test_page_facet_link_filters_on_the_entity(client, indexed):
    log_in(client, "agent.ceet")
    page = client.get("/recherche?q=courrier&entite=CEET-COM").get_data(as_text=True)
    assert "1 résultat(s) dans CEET-COM" in page and "Compte rendu de réunion" in page


def test_empty_page_shows_only_the_box(client, indexed):
    log_in(client, "agent.ceet")
    page = client.get("/recherche").get_data(as_text=True)
    assert 'role="search"' in page and "résultat(s)" not in page


def test_api_answers_hits_facets_and_pages(client, db_session, indexed):
    _token, clear = create_token(db_session, "resp.ceet", "tests")
    db_session.commit()
    body = client.get("/api/v1/search?q=raccordement&par_page=2",
                      headers={"Authorization": f"Bearer {clear}"}).get_json()
    assert (body["total"], body["pages"], len(body["resultats"])) == (4, 2, 2)
    assert body["facettes"]["entite"] == [{"valeur": "CEET", "nombre": 4}]
    assert {"nature", "id", "lien", "titre", "entite", "date", "score", "extrait"} == set(
        body["resultats"][0])


@pytest.mark.parametrize(("query", "message"), [
    ("q=x&du=hier", "Date invalide"),
    ("q=x&par_page=1000", "par_page"),
    ("q=x&nature=dossier", "Nature inconnue"),
])
def test_api_refuses_bad_parameters_in_french(client, db_session, indexed, query, message):
    _token, clear = create_token(db_session, "agent.ceet", "tests")
    db_session.commit()
    answer = client.get(f"/api/v1/search?{query}", headers={"Authorization": f"Bearer {clear}"})
    assert answer.status_code == 400 and message in answer.get_json()["error"]


@pytest.fixture
def atd(make_runtime):
    """``atd …`` on a fresh database holding two indexed documents."""
    runtime = make_runtime()
    with runtime.session() as session:
        tree = make_ministry(session)
        add_document(session, tree["CEET"].id, "Arrêté de raccordement",
                     "L'arrêté CEET-A-2026-000123 fixe les échéances.")
        add_document(session, tree["ARSE"].id, "Rapport", "Les échéances de la régulation.")
    runtime.queue.wait()
    env = {"ATD_DATABASE_URL": runtime.settings.database_url, "ATD_REDIS_URL": "",
           "ATD_INSTANCE_DIR": str(runtime.settings.instance_dir),
           "ATD_SECRET_KEY": "secret-for-tests-only"}
    from click.testing import CliRunner

    from core.cli import cli

    return lambda *args: CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_searches_with_entity_filter_and_json(atd):
    out = atd("search", "echeance", "--entite", "ARSE", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [hit["titre"] for hit in data["resultats"]] == ["Rapport"]
    plain = atd("search", "CEET-A-2026-000123")
    assert "1 résultat(s)" in plain.output and "[CEET]-[A]-[2026]-[000123]" in plain.output


def test_cli_reindex_rebuilds_and_search_still_finds(atd):
    out = atd("search", "reindex")
    assert out.exit_code == 0 and "2 document(s) et courrier(s) indexé(s)" in out.output
    assert "2 résultat(s)" in atd("search", "échéances").output
