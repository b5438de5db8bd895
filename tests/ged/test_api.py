"""The GED's JSON API: upload, read, versions, text, progress and downloads, with permissions."""

from __future__ import annotations

from io import BytesIO

import pytest

from core.auth import create_token
from tests.ged.conftest import sample


@pytest.fixture
def bearer(db_session, ministry):
    def headers(login: str = "agent.ceet") -> dict[str, str]:
        _token, clear = create_token(db_session, login, "tests")
        db_session.commit()  # its event first: requests append to the same log
        return {"Authorization": f"Bearer {clear}"}

    return headers


def post(client, headers, name: str, **fields: str):
    data = {"fichier": (BytesIO(sample(name).read_bytes()), name), "entite": "CEET", **fields}
    return client.post("/api/v1/documents", data=data, headers=headers,
                       content_type="multipart/form-data")


def test_upload_read_and_download_through_the_api(client, bearer, jobs):
    headers = bearer()
    created = post(client, headers, "liasse.tif", titre="Liasse de courriers", type="courrier")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["titre"], body["statut"], body["versions"][0]["type"]) == (
        "Liasse de courriers", "en_attente", "tiff")
    jobs.run_all()
    doc = f"/api/v1/documents/{body['id']}"
    assert client.get(f"{doc}/progression", headers=headers).get_json()["fini"] is True
    text = client.get(f"{doc}/texte", headers=headers).get_json()
    assert [p["rotation"] for p in text["pages"]] == [0, 180, 0]
    assert all(p["source"] == "ocr" and p["confiance"] > 80 for p in text["pages"])
    original = client.get(f"{doc}/versions/1/original", headers=headers)
    assert original.data == sample("liasse.tif").read_bytes()
    assert original.headers["Content-Type"] == "image/tiff"
    searchable = client.get(f"{doc}/versions/1/recherchable", headers=headers)
    assert searchable.headers["Content-Type"] == "application/pdf"


def test_new_version_and_metadata_change(client, bearer, jobs):
    headers = bearer()
    doc_id = post(client, headers, "lettre-propre.png").get_json()["id"]
    data = {"fichier": (BytesIO(sample("nee-numerique.pdf").read_bytes()), "v2.pdf")}
    version = client.post(f"/api/v1/documents/{doc_id}/versions", data=data, headers=headers,
                          content_type="multipart/form-data")
    assert version.status_code == 201 and version.get_json()["numero"] == 2
    changed = client.patch(f"/api/v1/documents/{doc_id}", headers=headers,
                           json={"titre": "Courrier révisé", "etiquettes": ["urgent"]})
    assert changed.status_code == 200
    assert (changed.get_json()["titre"], changed.get_json()["etiquettes"]) == (
        "Courrier révisé", ["urgent"])
    listed = client.get(f"/api/v1/documents/{doc_id}/versions", headers=headers).get_json()
    assert [v["numero"] for v in listed] == [1, 2]


def test_bad_requests_get_a_json_error_in_french(client, bearer):
    headers = bearer()
    missing = client.post("/api/v1/documents", data={"entite": "CEET"}, headers=headers)
    assert missing.status_code == 400 and "fichier" in missing.get_json()["error"]
    encrypted = post(client, headers, "chiffre.pdf")
    assert encrypted.status_code == 400
    assert encrypted.get_json()["error"].startswith("Le PDF est protégé par un mot de passe")
    unknown = client.patch("/api/v1/documents/1", headers=headers, json={"couleur": "bleu"})
    assert unknown.status_code in (400, 404)


def test_other_entity_and_missing_token_are_refused(client, bearer):
    doc_id = post(client, bearer(), "lettre-propre.png").get_json()["id"]
    other = bearer("agent.arse")
    assert client.get(f"/api/v1/documents/{doc_id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/documents/{doc_id}").status_code == 401
    listed = client.get("/api/v1/documents", headers=other).get_json()
    assert listed == []


def test_supervisor_may_read_but_not_upload(client, bearer):
    refused = post(client, bearer("sup.ceet"), "lettre-propre.png")
    assert refused.status_code == 403
