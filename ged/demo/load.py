"""Fills the demo ministry's GED: born-digital PDFs, scanned letters, multi-page TIFFs, photos."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.identity import Entity
from ged import service
from ged.demo import letters as L
from ged.models import Document

DEMO_TAG = "démo"


def _title(lines: list[str]) -> str:
    subject = next((line for line in lines if line.startswith("Objet : ")), "Objet : Courrier")
    return subject.removeprefix("Objet : ")


def _samples(count: int, rng: random.Random) -> Iterator[tuple[str, str, bytes, list[str]]]:
    """(kind of document, file name, bytes, lines of its first letter), ``count`` of each kind."""
    for n in range(count):
        seed = 9000 + n
        lines = L.letter_lines(seed)
        yield "rapport", f"rapport-{n + 1:02d}.pdf", L.born_digital_pdf(
            [lines, L.letter_lines(seed + 500)]), lines
        page = L.render(lines)
        if n % 3 == 1:
            page = L.skewed(page, rng.uniform(-2, 2))
        elif n % 3 == 2:
            page = L.noisy(page, seed=seed)
        yield "courrier", f"scan-courrier-{n + 1:02d}.jpg", L.encode(page, "JPEG",
                                                                    quality=80), lines
        batch = [L.render(L.letter_lines(seed + 1000 + k)) for k in range(3)]
        yield "liasse", f"liasse-{n + 1:02d}.tif", L.tiff(batch), L.letter_lines(seed + 1000)
        photo = L.photo(L.render(lines), seed=seed).resize((1300, 1800))
        yield "courrier", f"photo-courrier-{n + 1:02d}.jpg", L.encode(photo, "JPEG", dpi=150,
                                                                     quality=70), lines


def load_demo_documents(session: Session, count: int = 24, seed: int = 0) -> int:
    """Add ``count`` documents of each kind to the ministry's entities; return how many.

    Idempotent: once the demo documents are there, nothing is added. Their reading is queued
    after the caller commits (so the demo's worker reads them while the demo starts).
    """
    already = session.scalar(select(func.count()).select_from(Document)
                             .where(Document.author == "Démonstration"))
    if already:
        return 0
    entities = list(session.scalars(
        select(Entity).where(Entity.active, Entity.type.in_(("ministere", "tutelle")))
        .order_by(Entity.id)
    ))
    if not entities:
        raise LookupError("load the demo ministry's inventory first")
    rng = random.Random(seed)
    added = 0
    for kind, filename, data, lines in _samples(count, rng):
        entity = entities[added % len(entities)]
        service.add_document(
            session, None, service.Upload(filename, io.BytesIO(data)), entity,
            title=_title(lines), doc_type=kind, author="Démonstration", tags=[DEMO_TAG],
            document_date=date(2025, 1, 6) + timedelta(days=rng.randrange(300)),
            confidentiality="confidentiel" if added % 11 == 5 else "normal",
        )
        added += 1
    return added
