"""The searchable PDF of a scanned document: OCR'd pages from tesseract, text pages as they were."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium

from ged.pdfium_lock import LOCK


def assemble(
    original: Path, kind: str, pages: Sequence[tuple[int, Path | None]], out: Path
) -> None:
    """Write ``out`` from each page's tesseract PDF, or the original PDF's page when it had text.

    Args:
        pages: (page number, tesseract's PDF of the page or None), in page order.
    """
    if len(pages) == 1 and pages[0][1] is not None:
        shutil.copyfile(pages[0][1], out)  # one scanned page: tesseract's PDF is the document
        return
    with LOCK:
        result = pdfium.PdfDocument.new()
        source = pdfium.PdfDocument(original) if kind == "pdf" else None
        try:
            for number, page_pdf in pages:
                if page_pdf is not None:
                    single = pdfium.PdfDocument(page_pdf)
                    result.import_pages(single)
                    single.close()
                elif source is not None:
                    result.import_pages(source, [number - 1])
            result.save(out)
        finally:
            if source is not None:
                source.close()
            result.close()
