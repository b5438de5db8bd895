"""Image files (PNG, JPEG, TIFF with any number of pages): every page goes to tesseract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence

from ged.errors import ExtractionFailed
from ged.extraction.pages import PageOutcome, PageReader

A4_WIDTH_INCHES = 8.27


def resolution(image: Image.Image) -> int:
    """The scan's dpi: as recorded when plausible, else estimated from an A4 page's width."""
    dpi = image.info.get("dpi")
    if dpi and 100 <= float(dpi[0]) <= 1200:
        return round(float(dpi[0]))
    return max(70, min(600, round(min(image.size) / A4_WIDTH_INCHES)))


class ImageExtractor:
    kinds: tuple[str, ...] = ("png", "jpeg", "tiff")

    def page_count(self, path: Path) -> int:
        with Image.open(path) as image:
            return getattr(image, "n_frames", 1)

    def pages(self, path: Path, reader: PageReader) -> Iterator[PageOutcome]:
        try:
            image = Image.open(path)
        except Exception as exc:  # noqa: BLE001  (Pillow raises many kinds on a corrupt file)
            raise ExtractionFailed(f"l'image est illisible ({exc}).") from exc
        with image:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                number = index + 1
                try:
                    # A phone records how it was held in EXIF instead of turning the pixels.
                    page = ImageOps.exif_transpose(frame)
                    page.load()
                except Exception as exc:  # noqa: BLE001
                    raise ExtractionFailed(f"page {number} : image illisible ({exc}).") from exc
                yield reader.read(number, page, resolution(frame), thumbnail=index == 0)
