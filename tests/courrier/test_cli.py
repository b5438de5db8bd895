"""``atd courrier``: the register file, the reminders pass, holidays, rules and the chrono check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from core.cli import cli
from core.db import make_engine, make_sessionmaker
from courrier import service
from tests.courrier.conftest import build_world


@pytest.fixture
def run(committed_url, tmp_path):
    engine = make_engine(committed_url)
    with make_sessionmaker(engine)() as session:
        world = build_world(session)
        world.register(subject="Demande de raccordement")
        world.register(subject="Réclamation", received_on=service.today() - timedelta(days=90))
        session.commit()
    engine.dispose()
    env = {"ATD_DATABASE_URL": committed_url, "ATD_INSTANCE_DIR": str(tmp_path / "instance"),
           "ATD_REDIS_URL": ""}

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def test_registre_writes_the_file_in_the_format_asked(run, tmp_path):
    out = tmp_path / "registre.csv"
    result = run("courrier", "registre", "--entite", "CEET", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "2 courrier(s)" in result.output
    assert out.read_bytes().decode("utf-8").count("CEET-A-") == 2


def test_registre_refuses_an_unknown_entity_in_one_line(run, tmp_path):
    result = run("courrier", "registre", "--entite", "NOPE", "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1
    assert "Entité inconnue" in result.output


def test_relances_marks_the_overdue_courrier(run):
    result = run("courrier", "relances")
    assert result.exit_code == 0, result.output
    assert "1 courrier(s) passé(s) en retard." in result.output
    again = run("courrier", "relances")
    assert "0 courrier(s) passé(s) en retard." in again.output


def test_feries_announces_a_feast_and_lists_the_year(run):
    result = run("courrier", "feries", "--annee", "2026", "--ajouter", "2026-05-27=Tabaski")
    assert result.exit_code == 0, result.output
    assert "27/05/2026  Tabaski" in result.output
    assert "06/04/2026  Lundi de Pâques" in result.output
    bad = run("courrier", "feries", "--ajouter", "27/05/2026=Tabaski")
    assert bad.exit_code == 1 and "Date invalide" in bad.output


def test_reglages_changes_the_rules_of_an_entity(run):
    result = run("courrier", "reglages", "--entite", "CEET", "--alerte-chef", "3",
                 "--sans-cloture-a-envoi")
    assert result.exit_code == 0, result.output
    assert "chef prévenu après 3 jour(s)" in result.output
    assert "clôture à l'envoi : non" in result.output


def test_verifier_reports_a_continuous_numbering(run):
    result = run("courrier", "verifier", "--entite", "CEET")
    assert result.exit_code == 0, result.output
    assert "arrivee" in result.output and "2 numéro(s), continue" in result.output
