"""``atd supervision``: the figures in a terminal or as JSON, thresholds, the full fold."""

from __future__ import annotations

import json

import pytest

from core.runtime import Runtime
from courrier import service
from courrier.correspondents import CorrespondentInput
from tests.conftest import atd_runner
from tests.factories import make_ministry, make_user


@pytest.fixture
def committed(make_runtime, fresh_database_url, tmp_path):
    """A ministry with one registered courrier, committed, and the command line on it."""
    runtime: Runtime = make_runtime()
    with runtime.session() as session:
        tree = make_ministry(session)
        bo = make_user(session, tree["CEET"], ("bureau_ordre",), login="bo.ceet")
        service.register(session, bo, service.Registration(
            entity_code="CEET", subject="Demande", sender=CorrespondentInput("Béton du Golfe"),
            channel="email"))
    return atd_runner(tmp_path, fresh_database_url)


def test_kpis_as_json_are_the_api_figures(committed):
    result = committed("supervision", "kpis", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["ensemble"]["code"] == "MDERM"
    ceet = next(u for u in figures["entites"] if u["code"] == "CEET")
    assert ceet["courrier"]["par_canal"]["email"] == 1 and ceet["courrier"]["en_cours"] == 1


def test_kpis_of_one_entity_in_french_lines(committed):
    result = committed("supervision", "kpis", "--entite", "CEET")
    assert result.exit_code == 0, result.output
    assert "CEET — Entité CEET" in result.output
    assert "Courrier : 1 enregistrés (email 1)" in result.output
    assert "ARSE" not in result.output


def test_unknown_entity_is_one_line_and_a_non_zero_exit(committed):
    result = committed("supervision", "kpis", "--entite", "NULLE")
    assert result.exit_code == 1
    assert result.output.strip() == "Erreur : Entité inconnue : NULLE"


def test_thresholds_are_set_and_shown(committed):
    result = committed("supervision", "seuils", "--entite", "CEET", "--set",
                       "part_en_retard_max=35,5")
    assert result.exit_code == 0, result.output
    assert "part_en_retard_max = 35,5" in result.output
    refused = committed("supervision", "seuils", "--set", "part_en_retard_max=150")
    assert refused.exit_code == 1 and "entre 0 et 100" in refused.output


def test_catch_up_folds_every_pending_event(committed):
    first = committed("supervision", "rattraper")
    assert first.exit_code == 0 and "événements repris" in first.output
    assert committed("supervision", "rattraper").output.startswith("0 événements")
