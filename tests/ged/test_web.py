"""The GED's pages: upload several files, filter the list, read a document, edit, download."""

from __future__ import annotations

import re
from io import BytesIO

from sqlalchemy import select

from core.audit import Event
from ged.models import Document
from tests.core.web_helpers import csrf_from, log_in
from tests.ged.conftest import sample


def files(*names: str) -> list[tuple[BytesIO, str]]:
    return [(BytesIO(sample(name).read_bytes()), name) for name in names]


def post_upload(client, names, **fields):
    token = csrf_from(client, "/documents/nouveau")
    data = {"csrf_token": token, "entite": "CEET", "fichiers": files(*names), **fields}
    return client.post("/documents/nouveau", data=data, content_type="multipart/form-data",
                       follow_redirects=True)


def test_several_files_are_uploaded_at_once_and_a_refused_one_says_why(client, db_session,
                                                                       ministry):
    log_in(client, "agent.ceet")
    page = post_upload(client, ["lettre-propre.png", "chiffre.pdf", "nee-numerique.pdf"],
                       type="courrier").get_data(as_text=True)
    assert "2 document(s) ajouté(s)" in page
    assert "chiffre.pdf : Le PDF est protégé par un mot de passe" in page
    titles = set(db_session.scalars(select(Document.title)))
    assert titles == {"lettre-propre", "nee-numerique"}


def test_document_page_shows_preview_text_per_page_confidence_and_downloads(client, ministry,
                                                                            add, jobs):
    document = add("mixte.pdf")
    jobs.run_all()
    log_in(client, "agent.ceet")
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Page 1 — texte du PDF" in page
    assert re.search(r"Page 2 — OCR, confiance \d+ %", page)
    assert f"/documents/{document.id}/versions/1/original?apercu=1" in page  # inline preview
    assert "PDF recherchable" in page
    assert "http://" not in page and "https://" not in page
    original = client.get(f"/documents/{document.id}/versions/1/original")
    assert original.data == sample("mixte.pdf").read_bytes()
    assert "attachment" in original.headers["Content-Disposition"]
    searchable = client.get(f"/documents/{document.id}/versions/1/recherchable")
    assert searchable.status_code == 200 and searchable.data.startswith(b"%PDF")


def test_progress_endpoint_follows_the_reading(client, ministry, add, jobs):
    document = add("lettre-propre.png")
    log_in(client, "agent.ceet")
    before = client.get(f"/documents/{document.id}/progression").get_json()
    assert (before["statut"], before["fini"], before["pages_lues"]) == ("en_attente", False, 0)
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert 'data-fini="false"' in page and "ged.js" in page
    jobs.run_all()
    after = client.get(f"/documents/{document.id}/progression").get_json()
    assert (after["statut"], after["fini"], after["pourcentage"]) == ("terminee", True, 100)


def test_list_filters_by_status_type_entity_and_date(client, ministry, add, jobs):
    add("lettre-propre.png", doc_type="courrier")
    add("nee-numerique.pdf", doc_type="rapport")
    log_in(client, "agent.ceet")

    def titles(query: str) -> set[str]:
        page = client.get(f"/documents?{query}").get_data(as_text=True)
        return set(re.findall(r'<a href="/documents/\d+">([^<]+)</a>', page))

    assert titles("") == {"lettre-propre", "nee-numerique"}
    assert titles("type=rapport") == {"nee-numerique"}
    assert titles("statut=terminee") == set()
    assert titles("entite=ARSE") == set()
    assert titles("du=2000-01-01&au=2000-12-31") == set()
    assert titles("q=LETTRE") == {"lettre-propre"}


def test_metadata_form_changes_the_document_and_records_it(client, db_session, ministry, add):
    document = add("lettre-propre.png")
    log_in(client, "chef.ceet")
    token = csrf_from(client, f"/documents/{document.id}")
    response = client.post(f"/documents/{document.id}/modifier", data={
        "csrf_token": token, "titre": "Demande de raccordement", "type": "courrier",
        "classement": "RACC-2025", "confidentialite": "normal", "etiquettes": "raccordement",
        "auteur": "Koffi Mensah", "date_document": "2025-02-27",
    }, follow_redirects=True)
    assert "Métadonnées enregistrées." in response.get_data(as_text=True)
    db_session.expire_all()
    assert (document.title, document.classification) == ("Demande de raccordement", "RACC-2025")
    assert db_session.scalars(select(Event).where(Event.action == "ged.document.modifie")).one()


def test_form_without_csrf_token_is_refused(client, ministry, add):
    document = add("lettre-propre.png")
    log_in(client, "chef.ceet")
    response = client.post(f"/documents/{document.id}/modifier", data={"titre": "Piraté"})
    assert response.status_code == 400


def test_document_of_another_entity_is_not_found(client, ministry, add):
    document = add("lettre-propre.png")
    log_in(client, "agent.arse")
    assert client.get(f"/documents/{document.id}").status_code == 404
    assert client.get(f"/documents/{document.id}/versions/1/original").status_code == 404
