"""Reading one page image: turn it upright, OCR it, and keep what the version needs of it."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ged.extraction.orientation import grey, guess, reduced
from ged.extraction.tesseract import Reading, Tesseract

# Below this mean word confidence a page may be turned the wrong way: ask tesseract's OSD.
POOR_CONFIDENCE = 70.0
THUMBNAIL_SIZE = (240, 340)
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


@dataclass
class PageOutcome:
    """What was read on one page."""

    number: int
    text: str
    source: str  # "texte" (the PDF's own text layer) or "ocr"
    confidence: float | None = None
    rotation: int = 0
    seconds: float = 0.0
    pdf: Path | None = None  # the page as image + OCR text layer, for the searchable PDF
    thumbnail: bytes | None = None  # PNG, first page only


def thumbnail_png(image: Image.Image) -> bytes:
    small = image.convert("L") if image.mode not in ("L", "RGB") else image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best splits ink from paper (Otsu's method, as tesseract uses)."""
    total = sum(histogram)
    weighted = sum(level * count for level, count in enumerate(histogram))
    below = below_weighted = 0
    best, threshold = -1.0, 128
    for level, count in enumerate(histogram):
        below += count
        if below == 0 or below == total:
            continue
        below_weighted += level * count
        mean_below = below_weighted / below
        mean_above = (weighted - below_weighted) / (total - below)
        spread = below * (total - below) * (mean_below - mean_above) ** 2
        if spread > best:
            best, threshold = spread, level
    return threshold


def binarised(image: Image.Image) -> Image.Image:
    if image.mode == "1":
        return image
    page = grey(image)
    threshold = otsu_threshold(page.histogram())
    return page.point([255 if level > threshold else 0 for level in range(256)], "1")


def turned(image: Image.Image, rotation: int) -> Image.Image:
    return image.transpose(_TRANSPOSE[rotation]) if rotation else image


class PageReader:
    """Reads page images with tesseract, in a working folder of its own."""

    def __init__(self, engine: Tesseract, workdir: Path, searchable: bool = True) -> None:
        self.engine = engine
        self.workdir = workdir
        self.searchable = searchable

    def _write(self, number: int, image: Image.Image, rotation: int) -> Path:
        # A bilevel page: tesseract skips its own thresholding and JPEG decoding (a tenth of
        # its time) and embeds the page in its PDF as CCITT G4, some 30 KB instead of 1 MB.
        path = self.workdir / f"page-{number:05d}-{rotation}.pbm"
        turned(binarised(image), rotation).save(path)
        return path

    def _read(self, number: int, path: Path, rotation: int, dpi: int) -> Reading:
        base = self.workdir / f"page-{number:05d}-{rotation}"
        return self.engine.read(path, base, dpi, pdf=self.searchable)

    def read(
        self, number: int, image: Image.Image, dpi: int, thumbnail: bool = False
    ) -> PageOutcome:
        """OCR a page image, turned upright first when its ink says it is not."""
        started = time.perf_counter()
        small = reduced(image)
        first = guess(small)
        rotation = first.rotation if first.sure else 0
        path = self._write(number, image, rotation)
        reading = self._read(number, path, rotation, dpi)
        if reading.words and (reading.confidence or 0) < POOR_CONFIDENCE:
            # The ink fooled the guess, or the page is hard: let OSD have a say.
            more = self.engine.orientation(path, dpi)
            if more:
                other = (rotation + more) % 360
                retry = self._read(number, self._write(number, image, other), other, dpi)
                if (retry.confidence or 0) > (reading.confidence or 0):
                    reading, rotation = retry, other
        return PageOutcome(
            number=number,
            text=reading.text,
            source="ocr",
            confidence=None if reading.confidence is None else round(reading.confidence, 1),
            rotation=rotation,
            seconds=round(time.perf_counter() - started, 3),
            pdf=reading.pdf,
            thumbnail=thumbnail_png(turned(small, rotation)) if thumbnail else None,
        )
