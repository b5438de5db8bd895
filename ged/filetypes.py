"""Which files the GED accepts, decided by their content and never by their name.

PDF, PNG, JPEG and TIFF are accepted; an empty file, any other type (whatever its name says),
an encrypted PDF, a PDF without a page, or a file past the size or pixel limits is refused with
a reason in French.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageSequence

from ged.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedPdf,
    PdfWithoutPage,
    TooManyPixels,
    UnknownFileType,
)
from ged.pdfium_lock import LOCK

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}
ACCEPTED = "PDF, PNG, JPEG ou TIFF"
ENCRYPTED = "Le PDF est protégé par un mot de passe : enregistrez-en une copie sans protection."


@dataclass(frozen=True)
class FileType:
    kind: str
    media_type: str
    pages: int


def sniff(head: bytes) -> str | None:
    """The kind of file these first bytes begin, or None."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


def _pages_by_pdfminer(path: Path) -> int:
    """Why pdfium refused a PDF: pdfium's own error code can be stale, pdfminer's answer is not."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage

    try:
        with path.open("rb") as fh:
            return sum(1 for _ in PDFPage.get_pages(fh))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise EncryptedPdf(ENCRYPTED) from None
    except Exception:  # noqa: BLE001  (pdfminer raises many kinds on a broken file)
        raise CorruptFile("Le PDF est endommagé ou illisible.") from None


def _pdf_pages(path: Path) -> int:
    with LOCK:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError:
            document = None
        if document is not None:
            try:
                return len(document)
            finally:
                document.close()
    return _pages_by_pdfminer(path)


def _image_pages(path: Path, kind: str, max_pixels: int) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != _PIL_FORMATS[kind]:
                    raise UnknownFileType(
                        f"Le contenu du fichier n'est pas un {kind.upper()} valide."
                    )
                pages = 0
                for frame in ImageSequence.Iterator(image):
                    pages += 1
                    if frame.width * frame.height > max_pixels:
                        raise _too_many_pixels(max_pixels)
                return pages
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except UnknownFileType:
        raise
    except TooManyPixels:
        raise
    except Exception:  # noqa: BLE001  (Pillow raises many kinds on a broken file)
        raise CorruptFile("L'image est endommagée ou illisible.") from None


def _too_many_pixels(max_pixels: int) -> TooManyPixels:
    return TooManyPixels(f"L'image dépasse {max_pixels // 1_000_000} millions de pixels par "
                         "page : numérisez-la à une résolution plus basse.")


def inspect(path: Path, max_pixels: int) -> FileType:
    """Check a stored-to-be file and say what it is.

    Raises:
        RefusedFile: one of its subclasses, with the reason in French.
    """
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise EmptyFile("Le fichier est vide.")
    kind = sniff(head)
    if kind is None:
        raise UnknownFileType(f"Type de fichier non accepté : seuls les fichiers {ACCEPTED} "
                              "sont acceptés (le type est reconnu au contenu, pas au nom).")
    pages = _pdf_pages(path) if kind == "pdf" else _image_pages(path, kind, max_pixels)
    if pages == 0:
        raise PdfWithoutPage("Le PDF ne contient aucune page.")
    return FileType(kind, MEDIA_TYPES[kind], pages)
