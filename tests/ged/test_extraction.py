"""Real tesseract on the committed samples: the right text, page by page, the right way up."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from ged.demo import letters
from ged.demo.letters import character_error_rate
from ged.errors import ExtractionFailed
from ged.extraction import PageReader, extractor_for
from ged.extraction.orientation import guess, reduced
from ged.extraction.searchable import assemble
from ged.extraction.tesseract import Tesseract
from ged.filetypes import inspect
from tests.ged.conftest import TRUTHS, sample


def read(name: str, workdir: Path) -> list:
    kind = inspect(sample(name), 80_000_000).kind
    return list(extractor_for(kind).pages(sample(name), PageReader(Tesseract("fra"), workdir)))


def text_of(pages: list) -> str:
    return "\f".join(page.text for page in pages)


@pytest.mark.parametrize("name", ["lettre-propre.png", "lettre-basse-resolution.png"])
def test_clean_letters_are_read_with_at_most_one_percent_of_errors(name, tmp_path):
    pages = read(name, tmp_path)
    assert character_error_rate(TRUTHS[name], text_of(pages)) <= 0.01
    assert pages[0].source == "ocr" and pages[0].confidence > 80


@pytest.mark.parametrize(("name", "rotation"), [
    ("lettre-inclinee.jpg", 0),
    ("lettre-bruitee.jpg", 0),
    ("lettre-tournee-90.png", 270),
    ("lettre-tournee-180.jpg", 180),
    ("photo-lettre.jpg", 0),
])
def test_degraded_and_turned_letters_are_read_with_at_most_three_percent_of_errors(
    name, rotation, tmp_path
):
    pages = read(name, tmp_path)
    assert character_error_rate(TRUTHS[name], text_of(pages)) <= 0.03
    assert pages[0].rotation == rotation


def test_multipage_tiff_is_read_page_by_page_and_its_upside_down_page_turned(tmp_path):
    pages = read("liasse.tif", tmp_path)
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.rotation for p in pages] == [0, 180, 0]
    for truth, page in zip(TRUTHS["liasse.tif"].split("\f"), pages, strict=True):
        assert character_error_rate(truth, page.text) <= 0.03


def test_born_digital_pdf_uses_its_text_layer_and_runs_no_ocr(tmp_path):
    pages = read("nee-numerique.pdf", tmp_path)
    assert [(p.source, p.confidence, p.pdf) for p in pages] == [("texte", None, None)] * 2
    assert character_error_rate(TRUTHS["nee-numerique.pdf"], text_of(pages)) <= 0.001


def test_mixed_pdf_reads_its_text_page_as_text_and_its_scanned_page_by_ocr(tmp_path):
    pages = read("mixte.pdf", tmp_path)
    assert [p.source for p in pages] == ["texte", "ocr"]
    assert character_error_rate(TRUTHS["mixte.pdf"], text_of(pages)) <= 0.01
    assert pages[0].thumbnail is not None and pages[1].thumbnail is None


def test_searchable_pdf_keeps_text_pages_and_adds_an_ocr_layer_to_scans(tmp_path):
    pages = read("mixte.pdf", tmp_path)
    out = tmp_path / "recherchable.pdf"
    assemble(sample("mixte.pdf"), "pdf", [(p.number, p.pdf) for p in pages], out)
    with pdfplumber.open(out) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    truths = TRUTHS["mixte.pdf"].split("\f")
    assert len(texts) == 2
    assert character_error_rate(truths[0], texts[0]) <= 0.01
    assert character_error_rate(truths[1], texts[1]) <= 0.05  # the invisible OCR layer


def test_truncated_image_fails_with_a_reason(tmp_path):
    with pytest.raises(ExtractionFailed, match="illisible"):
        read("image-tronquee.png", tmp_path)


def test_tesseract_runs_with_one_openmp_thread():
    from ged.extraction.tesseract import ENV

    assert ENV["OMP_THREAD_LIMIT"] == "1"


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_orientation_is_guessed_from_the_ink_without_ocr(rotation):
    page = letters.render(letters.letter_lines(21), dpi=150)
    turned = page.rotate(rotation, expand=True)
    found = guess(reduced(turned))
    assert found.sure and (found.rotation + rotation) % 360 == 0


def test_blank_page_is_not_turned():
    assert guess(reduced(Image.new("L", (2480, 3508), 255))).sure is False


def test_transparent_png_is_read_on_white_paper(tmp_path):
    page = letters.render(letters.letter_lines(22))
    transparent = Image.new("LA", page.size)
    transparent.putalpha(page.point(lambda v: 255 - v))  # ink opaque, paper transparent
    path = tmp_path / "transparent.png"
    transparent.save(path, dpi=(300, 300))
    [read_page] = list(extractor_for("png").pages(path, PageReader(Tesseract("fra"), tmp_path)))
    truth = letters.ground_truth(letters.letter_lines(22))
    assert character_error_rate(truth, read_page.text) <= 0.01
