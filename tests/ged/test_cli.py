"""``atd ged``: add, show, verify and retry from the command line, on a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from core.cli import cli
from core.settings import env_name
from ged.storage import FileStore
from tests.factories import make_ministry
from tests.ged.conftest import TRUTHS, sample


@pytest.fixture
def atd(make_runtime):
    """Run ``atd …`` against a fresh database holding the test ministry (in-process jobs)."""
    runtime = make_runtime()
    with runtime.session() as session:
        make_ministry(session)
    env = {env_name(key): str(getattr(runtime.settings, key))
           for key in ("database_url", "storage_dir", "instance_dir", "secret_key")}
    env["ATD_REDIS_URL"] = ""

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    run.store = FileStore(runtime.settings.storage_dir)
    return run


def ids_of(output: str) -> list[str]:
    return [line.split("\t")[0] for line in output.splitlines()]


def test_add_prints_one_id_and_file_per_line_and_waits_for_the_reading(atd):
    files = [str(sample("lettre-propre.png")), str(sample("nee-numerique.pdf"))]
    result = atd("ged", "add", *files, "--entite", "CEET", "--type", "courrier", "--wait")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("\t")[1] for line in lines] == files
    shown = json.loads(atd("ged", "show", ids_of(result.stdout)[0], "--json").stdout)
    assert (shown["statut"], shown["type"], shown["entite"]) == ("terminee", "courrier", "CEET")


def test_show_text_separates_pages_with_a_form_feed(atd):
    [doc_id] = ids_of(atd("ged", "add", str(sample("nee-numerique.pdf")), "--entite", "CEET",
                          "--wait").stdout)
    text = atd("ged", "show", doc_id, "--text").stdout
    assert text.count("\f") == 1
    assert [p.split()[:3] for p in text.split("\f")] == [
        p.split()[:3] for p in TRUTHS["nee-numerique.pdf"].split("\f")]


def test_add_with_wait_exits_non_zero_when_a_reading_fails(atd):
    result = atd("ged", "add", str(sample("image-tronquee.png")), "--entite", "CEET", "--wait")
    assert result.exit_code == 1
    assert "Échec de lecture du document" in result.stderr and "illisible" in result.stderr


def test_refused_file_is_reported_and_the_others_are_added(atd):
    result = atd("ged", "add", str(sample("chiffre.pdf")), str(sample("lettre-propre.png")),
                 "--entite", "CEET")
    assert result.exit_code == 1
    assert "chiffre.pdf : Le PDF est protégé par un mot de passe" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_unknown_entity_is_one_french_line(atd):
    result = atd("ged", "add", str(sample("lettre-propre.png")), "--entite", "NULLE")
    assert result.exit_code == 1 and "Entité inconnue : NULLE." in result.stderr


def test_verify_passes_then_names_an_altered_file(atd):
    atd("ged", "add", str(sample("lettre-propre.png")), "--entite", "CEET", "--wait")
    assert atd("ged", "verify").exit_code == 0
    address = next(atd.store.addresses())
    path = atd.store.path(address)
    path.chmod(0o600)
    path.write_bytes(b"altered")
    result = atd("ged", "verify")
    assert result.exit_code == 1 and f"altéré : {address}" in result.stderr


def test_retry_runs_a_failed_reading_again(atd):
    [doc_id] = ids_of(atd("ged", "add", str(sample("image-tronquee.png")), "--entite",
                          "CEET").stdout)
    result = atd("ged", "retry", doc_id)
    assert "relancée" in result.stdout and result.exit_code == 1  # the file is still broken
    shown = json.loads(atd("ged", "show", doc_id, "--json").stdout)
    assert shown["statut"] == "echec"
