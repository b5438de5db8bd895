"""The chrono register in CSV, Excel and PDF, and the routing slip with its codes."""

from __future__ import annotations

import io

import pytest

from courrier import registers, routing, service, slip
from courrier.errors import CourrierAccessDenied, InvalidCourrier
from courrier.routing import RoutingInput
from tests.factories import make_user


def year_register(world, actor, direction="arrivee"):
    start, end = registers.year_bounds(service.today().year)
    return registers.build(world.session, actor, "CEET", direction, start, end)


def test_register_lists_every_number_with_routing_and_outcome(world):
    first = world.register(subject="Raccordement du lycée")
    routing.route(world.session, world.bo, first.id,
                  RoutingInput("attribution", "CEET-COM", "agent.com"))
    cancelled = world.register(subject="Doublon")
    service.cancel(world.session, world.bo, cancelled.id, "Enregistré deux fois")
    secret = world.register(subject="Affaire sensible", confidentiality="confidentiel")
    clerk = make_user(world.session, world.entities["CEET"], ("agent",))
    register = year_register(world, clerk)
    assert [r.chrono for r in register.rows] == [first.chrono, cancelled.chrono, secret.chrono]
    assert register.rows[0].routed_to == "Utilisateur agent.com (CEET-COM)"
    assert register.rows[0].outcome == "Imputé"
    assert register.rows[1].outcome == "Annulé : Enregistré deux fois"
    assert register.rows[2].subject == registers.MASKED  # a clerk of CEET may not read it
    assert year_register(world, world.bo).rows[2].subject == "Affaire sensible"


def test_register_as_csv_opens_in_a_french_spreadsheet(world):
    courrier = world.register()
    data = registers.render(year_register(world, world.bo), "csv")
    text = data.decode("utf-8")
    assert text.startswith("\ufeffN°;Date;Correspondant;Objet")
    assert f"{courrier.chrono};" in text and "Société Béton du Golfe" in text


def test_register_as_xlsx_has_a_title_a_header_and_the_rows(world):
    from openpyxl import load_workbook

    courrier = world.register()
    book = load_workbook(io.BytesIO(registers.render(year_register(world, world.bo), "xlsx")))
    sheet = book.active
    assert sheet["A1"].value.startswith("Registre chrono du courrier arrivée — CEET")
    assert sheet["A2"].value == "N°"
    assert sheet["A3"].value == courrier.chrono


def test_register_as_pdf_is_a_pdf_with_the_numbers(world):
    import pdfplumber

    courrier = world.register()
    data = registers.render(year_register(world, world.bo), "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = pdf.pages[0].extract_text()
    assert courrier.chrono in text and "Registre chrono" in text


def test_register_refuses_unknown_entity_format_and_foreign_users(world):
    start, end = registers.year_bounds(2026)
    with pytest.raises(InvalidCourrier, match="Entité inconnue"):
        registers.build(world.session, world.bo, "NOPE", "arrivee", start, end)
    with pytest.raises(CourrierAccessDenied):
        registers.build(world.session, world.arse_bo, "CEET", "arrivee", start, end)
    with pytest.raises(InvalidCourrier, match="Format inconnu"):
        registers.render(year_register(world, world.bo), "docx")


def test_routing_slip_carries_the_number_in_text_and_codes(world):
    import pdfplumber

    courrier = world.register()
    routing.route(world.session, world.bo, courrier.id, RoutingInput("attribution", "CEET-COM"))
    data = slip.routing_slip(courrier, "http://intranet/courrier/1")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        assert len(page.rects) > 20  # the QR modules and the barcode bars are drawn
    assert "FICHE DE LIAISON" in text and courrier.chrono in text
    assert "Entité CEET-COM" in text
