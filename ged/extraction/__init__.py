"""Text extraction: one extractor per kind of file, behind one small interface.

A new format is added by writing a class with ``kinds`` and ``pages()`` and listing it in
``EXTRACTORS``; the job (``ged.jobs``) does not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ged.extraction.pages import PageOutcome, PageReader


class Extractor(Protocol):
    """Reads the pages of one kind of file, in order, one at a time (memory stays flat)."""

    kinds: tuple[str, ...]

    def page_count(self, path: Path) -> int: ...

    def pages(self, path: Path, reader: PageReader) -> Iterator[PageOutcome]: ...


def extractor_for(kind: str) -> Extractor:
    from ged.extraction.image import ImageExtractor
    from ged.extraction.pdf import PdfExtractor

    for extractor in (PdfExtractor(), ImageExtractor()):
        if kind in extractor.kinds:
            return extractor
    raise LookupError(f"no extractor for {kind!r}")


__all__ = ["Extractor", "PageOutcome", "PageReader", "extractor_for"]
