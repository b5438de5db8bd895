"""Files are accepted by their content, never their name, and refused with a French reason."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from ged import errors
from ged.filetypes import inspect
from tests.ged.conftest import sample

LIMIT = 80_000_000


@pytest.mark.parametrize(("name", "kind", "pages"), [
    ("lettre-propre.png", "png", 1),
    ("lettre-inclinee.jpg", "jpeg", 1),
    ("liasse.tif", "tiff", 3),
    ("nee-numerique.pdf", "pdf", 2),
    ("mixte.pdf", "pdf", 2),
])
def test_accepted_files_are_recognised_with_their_page_count(name, kind, pages):
    found = inspect(sample(name), LIMIT)
    assert (found.kind, found.pages) == (kind, pages)


def test_png_named_pdf_is_taken_for_what_it_contains(tmp_path):
    disguised = tmp_path / "scan.pdf"
    shutil.copy(sample("lettre-propre.png"), disguised)
    assert inspect(disguised, LIMIT).kind == "png"


@pytest.mark.parametrize(("name", "error", "reason"), [
    ("vide.pdf", errors.EmptyFile, "Le fichier est vide."),
    ("deguise.pdf", errors.UnknownFileType, "Type de fichier non accepté"),
    ("chiffre.pdf", errors.EncryptedPdf, "protégé par un mot de passe"),
    ("sans-page.pdf", errors.PdfWithoutPage, "aucune page"),
    ("tronque.pdf", errors.CorruptFile, "endommagé"),
])
def test_bad_files_are_refused_with_their_reason(name, error, reason):
    with pytest.raises(error, match=reason):
        inspect(sample(name), LIMIT)


def test_text_file_named_png_is_refused(tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("Ceci n'est pas une image.", encoding="utf-8")
    with pytest.raises(errors.UnknownFileType):
        inspect(fake, LIMIT)


def test_image_past_the_pixel_limit_is_refused_before_being_decoded(tmp_path):
    big = tmp_path / "bombe.png"
    Image.new("1", (12000, 12000)).save(big)  # a few kilobytes on disk, 144 Mpx once decoded
    assert big.stat().st_size < 100_000
    with pytest.raises(errors.TooManyPixels, match="millions de pixels"):
        inspect(big, LIMIT)


def test_every_refusal_is_a_validation_error_with_a_4xx_status():
    from core.errors import ValidationError

    for error in (errors.EmptyFile, errors.UnknownFileType, errors.EncryptedPdf,
                  errors.PdfWithoutPage, errors.CorruptFile, errors.FileTooLarge,
                  errors.TooManyPixels):
        assert issubclass(error, ValidationError) and 400 <= error.status < 500
