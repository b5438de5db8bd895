"""GED metrics: documents and pages read over the period, and what waits to be read now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ged.models import UNREAD, Document, DocumentVersion
from supervision.metrics.stats import PerEntity, per_entity


def extraction_state(session: Session, ids: Collection[int]) -> PerEntity:
    """Versions waiting to be read and versions whose reading failed, per entity, right now."""
    if not ids:
        return {}
    rows = session.execute(
        select(Document.entity_id, DocumentVersion.status, func.count())
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.status.in_((*UNREAD, "echec")),
               Document.entity_id.in_(sorted(ids)))
        .group_by(Document.entity_id, DocumentVersion.status)
    )
    return per_entity(
        (entity_id, "en_echec" if status == "echec" else "en_attente_lecture", n)
        for entity_id, status, n in rows
    )


def block(flows: Counter[Any], state: Counter[Any]) -> dict[str, Any]:
    """The GED figures of one entity (or of a whole) over the period."""
    ocr_pages = flows[("pages_ocr", "")]
    confidence = flows[("confiance_ocr", "")]  # tenths of a point
    return {
        "documents": flows[("documents", "")],
        "versions_lues": flows[("versions_lues", "")],
        "pages": flows[("pages", "")],
        "pages_ocr": ocr_pages,
        "confiance_ocr_moyenne": round(confidence / 10 / ocr_pages, 1) if ocr_pages else None,
        "echecs": flows[("echecs_extraction", "")],
        "en_attente_lecture": state["en_attente_lecture"],
        "en_echec": state["en_echec"],
    }
