"""PDF pages: the text layer where a page carries real text, OCR of the rendered page elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image

from ged.errors import ExtractionFailed
from ged.extraction.pages import PageOutcome, PageReader, thumbnail_png
from ged.pdfium_lock import LOCK

OCR_DPI = 300
# Fewer letters than this (a page number, a stamp) and the page is a scan that needs OCR.
MIN_TEXT_LETTERS = 20
# Pages drawn far larger than A3 are rendered at a lower resolution to bound memory.
MAX_RENDER_PIXELS = 60_000_000


def has_real_text(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_LETTERS


def _scale(page: pdfium.PdfPage, dpi: int) -> float:
    width, height = page.get_size()  # in points
    scale = dpi / 72
    pixels = width * height * scale * scale
    if pixels > MAX_RENDER_PIXELS:
        scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
    return scale


class PdfExtractor:
    kinds: tuple[str, ...] = ("pdf",)

    def page_count(self, path: Path) -> int:
        with LOCK:
            document = pdfium.PdfDocument(path)
            try:
                return len(document)
            finally:
                document.close()

    def pages(self, path: Path, reader: PageReader) -> Iterator[PageOutcome]:
        try:
            plumber = pdfplumber.open(path)
            with LOCK:
                rendered = pdfium.PdfDocument(path)
        except Exception as exc:  # noqa: BLE001  (pdfminer and pdfium raise many kinds)
            raise ExtractionFailed(f"le PDF est illisible ({exc}).") from exc
        try:
            for index, page in enumerate(plumber.pages):
                yield self._page(index, page, rendered, reader)
                page.close()  # pdfplumber keeps every parsed object of a page until then
        finally:
            plumber.close()
            with LOCK:
                rendered.close()

    def _page(self, index: int, page: pdfplumber.page.Page, document: pdfium.PdfDocument,
              reader: PageReader) -> PageOutcome:
        number = index + 1
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001  (a broken text layer: read the page as an image)
            text = ""
        if has_real_text(text):
            thumbnail = None
            if index == 0:
                thumbnail = thumbnail_png(_render(document, index, None)[0])
            return PageOutcome(number, text, "texte", thumbnail=thumbnail)
        try:
            image, scale = _render(document, index, OCR_DPI)
        except pdfium.PdfiumError as exc:
            raise ExtractionFailed(f"page {number} : rendu impossible ({exc}).") from exc
        # The OCR itself runs outside the lock: only pdfium's own calls are serialised.
        return reader.read(number, image, round(scale * 72), thumbnail=index == 0)


def _render(document: pdfium.PdfDocument, index: int, dpi: int | None) -> tuple[Image.Image, float]:
    """The page as a grey PIL image (half size for a thumbnail when ``dpi`` is None)."""
    with LOCK:
        page = document[index]
        try:
            scale = 0.5 if dpi is None else _scale(page, dpi)
            bitmap = page.render(scale=scale, grayscale=True)
            # A copy, so that the image owns its pixels and the bitmap is freed under the lock.
            image = bitmap.to_pil().copy()
            bitmap.close()
        finally:
            page.close()
    return image, scale
