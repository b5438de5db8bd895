"""The portal simulator keeps the contract of DESIGN.md over real HTTP, and fails on demand."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connectors.portal.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.connectors.conftest import SIM_TOKEN, WEBHOOK_SECRET, SimClient

ATD = str(Path(sys.executable).with_name("atd"))
PDF = b"%PDF-1.4\n% une piece\n"


def test_put_demarche_is_an_idempotent_versioned_upsert(sim_client):
    assert sim_client.put_demarche("CEET-RACC", 1).status_code == 201
    again = sim_client.put_demarche("CEET-RACC", 1)
    assert again.status_code == 200 and again.json()["resultat"] == "inchangee"
    newer = sim_client.put_demarche("CEET-RACC", 2, description="Nouveau texte")
    assert newer.json()["resultat"] == "mise_a_jour"
    stored = sim_client.http.get(sim_client.url("/api/demarches/CEET-RACC")).json()
    assert stored["version"] == 2 and stored["description"] == "Nouveau texte"
    assert sim_client.state()["ecritures"] == [["CEET-RACC", 1], ["CEET-RACC", 2]]


def test_put_of_an_older_version_or_other_content_at_same_version_is_a_conflict(sim_client):
    sim_client.put_demarche("ARSE-LIC", 3)
    assert sim_client.put_demarche("ARSE-LIC", 2).status_code == 409
    assert sim_client.put_demarche("ARSE-LIC", 3, description="autre").status_code == 409


def test_invalid_demarche_body_is_refused_with_a_reason(sim_client):
    answer = sim_client.http.put(sim_client.url("/api/demarches/X"), json={"code": "Y"})
    assert answer.status_code == 400
    assert "code" in answer.json()["error"]


def test_api_requires_the_bearer_token(sim):
    answer = requests.get(sim.url + "/api/demarches/X", timeout=10)
    assert answer.status_code == 401
    wrong = requests.get(sim.url + "/api/demarches/X", timeout=10,
                         headers={"Authorization": "Bearer faux"})
    assert wrong.status_code == 401


def test_citizen_dossier_with_files_is_listed_with_a_cursor_and_its_pieces_download(sim_client):
    sim_client.put_demarche("CEET-RACC", 1)
    first = sim_client.submit("CEET-RACC", files={"cni.pdf": PDF}, objet="Raccordement")
    second = sim_client.submit("CEET-RACC", nom="Kodjo Ameganvi")
    assert first["etat"] == "en_construction" and first["champs"] == {"objet": "Raccordement"}
    [piece] = first["pieces"]
    assert piece["sha256"] == hashlib.sha256(PDF).hexdigest()
    content = sim_client.http.get(sim_client.url(piece["fichier"]), timeout=10).content
    assert content == PDF

    page = sim_client.http.get(sim_client.url("/api/dossiers?limit=1"), timeout=10).json()
    assert [d["id"] for d in page["dossiers"]] == [first["id"]] and page["has_more"]
    rest = sim_client.http.get(sim_client.url(f"/api/dossiers?cursor={page['cursor']}"),
                               timeout=10).json()
    assert [d["id"] for d in rest["dossiers"]] == [second["id"]] and not rest["has_more"]
    empty = sim_client.http.get(sim_client.url(f"/api/dossiers?cursor={rest['cursor']}"),
                                timeout=10).json()
    assert empty["dossiers"] == [] and empty["cursor"] == rest["cursor"]


def test_decision_moves_the_dossier_after_the_cursor_and_is_idempotent(sim_client):
    sim_client.put_demarche("CEET-RACC", 1)
    dossier = sim_client.submit("CEET-RACC")
    cursor = dossier["curseur"]
    url = sim_client.url(f"/api/dossiers/{dossier['id']}/etat")
    refused = sim_client.http.put(url, json={"etat": "refuse"}, timeout=10)
    assert refused.status_code == 400  # a refusal must give its reason
    decided = sim_client.http.put(url, json={"etat": "accepte", "reference": "CEET-A-2025-1"})
    assert decided.status_code == 200 and decided.json()["decision"]["etat"] == "accepte"
    assert sim_client.http.put(url, json={"etat": "accepte"}).status_code == 200
    assert sim_client.http.put(url, json={"etat": "refuse", "motif": "x"}).status_code == 409
    changed = sim_client.http.get(sim_client.url(f"/api/dossiers?cursor={cursor}")).json()
    assert [d["etat"] for d in changed["dossiers"]] == ["accepte"]


def test_simulator_answers_500_to_the_share_of_requests_it_is_told_to(sim_client):
    sim_client.faults(error_rate=1)
    assert sim_client.put_demarche("A", 1).status_code == 500
    sim_client.faults(error_rate=0, error_after_rate=1)
    assert sim_client.put_demarche("A", 1).status_code == 500
    sim_client.faults(error_after_rate=0)
    # The second failure had stored it: the same version again is now "unchanged".
    assert sim_client.put_demarche("A", 1).json()["resultat"] == "inchangee"
    counts = sim_client.state()["requetes"]
    assert counts["PUT /api/demarches/<code> 500"] == 2


def test_simulator_refuses_connections_for_a_while_then_serves_again(sim_client):
    sim_client.faults(refuse_seconds=1.0)
    time.sleep(0.3)
    with pytest.raises(requests.ConnectionError):
        requests.get(sim_client.url("/citoyen/"), timeout=2)
    time.sleep(1.2)
    assert requests.get(sim_client.url("/citoyen/"), timeout=5).status_code == 200


def test_slow_simulator_makes_a_short_timeout_expire(sim_client):
    sim_client.faults(latency_ms=600)
    with pytest.raises(requests.Timeout):
        sim_client.http.get(sim_client.url("/api/demarches"), timeout=0.2)


def test_submission_sends_a_signed_webhook(make_sim):
    """GIVEN a simulator with a webhook URL WHEN a citizen submits THEN the receiver gets the
    dossier, with a signature that verifies with the shared secret."""
    received: list[tuple[dict[str, str], bytes]] = []
    receiver = make_sim(token="")  # any small HTTP server will do: reuse the simulator's app

    @receiver.app.post("/recepteur")
    def _receive():  # pragma: no cover - runs in the server thread
        from flask import request

        received.append((dict(request.headers), request.get_data()))
        return "", 204

    sender = make_sim(webhook_url=receiver.url + "/recepteur", webhook_secret=WEBHOOK_SECRET)
    client = SimClient(sender.url)
    client.put_demarche("CEET-RACC", 1)
    dossier = client.submit("CEET-RACC")
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    [(headers, body)] = received
    verify(WEBHOOK_SECRET, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body,
           time.time())
    event = json.loads(body)
    assert event["evenement"] == "dossier.depose" and event["dossier"]["id"] == dossier["id"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_atd_portal_sim_command_serves_the_contract(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATD_")}
    proc = subprocess.Popen(
        [ATD, "portal-sim", "--port", str(port), "--db", str(tmp_path / "sim.db"),
         "--token", SIM_TOKEN], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert "Simulateur du portail prêt" in (proc.stdout.readline() if proc.stdout else "")
        client = SimClient(f"http://127.0.0.1:{port}")
        assert client.put_demarche("CEET-RACC", 1).status_code == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (tmp_path / "sim.db").exists()
