"""Documents as plain dicts: what the JSON API, the pages' polling and ``atd ged show`` say."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ged.models import STATUS_LABELS, Document, DocumentVersion, Page


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_json(page: Page) -> dict[str, Any]:
    return {
        "numero": page.number,
        "source": page.source,
        "confiance": page.confidence,
        "rotation": page.rotation,
        "secondes": page.seconds,
        "texte": page.text,
    }


def progress_json(version: DocumentVersion) -> dict[str, Any]:
    """How far the reading of a version is (polled by the document page while it runs)."""
    total = version.page_count or 0
    return {
        "statut": version.status,
        "libelle": STATUS_LABELS[version.status],
        "raison": version.reason,
        "pages_lues": version.pages_done,
        "pages": total,
        "pourcentage": round(100 * version.pages_done / total) if total else 0,
        "fini": version.status in ("terminee", "echec"),
    }


def version_json(version: DocumentVersion) -> dict[str, Any]:
    return {
        "numero": version.number,
        "fichier": version.filename,
        "type": version.kind,
        "type_mime": version.media_type,
        "taille": version.size,
        "sha256": version.sha256,
        "pages": version.page_count,
        "statut": version.status,
        "raison": version.reason,
        "pdf_recherchable": version.searchable_sha256 is not None,
        "cree_le": _iso(version.created_at),
        "termine_le": _iso(version.finished_at),
    }


def document_json(document: Document) -> dict[str, Any]:
    current = document.current
    return {
        "id": document.id,
        "titre": document.title,
        "entite": document.entity.code,
        "type": document.doc_type,
        "classement": document.classification,
        "confidentialite": document.confidentiality,
        "etiquettes": list(document.tags or []),
        "metadonnees": dict(document.extra or {}),
        "auteur": document.author,
        "date_document": _iso(document.document_date),
        "cree_le": _iso(document.created_at),
        "modifie_le": _iso(document.updated_at),
        "version_courante": document.current_number,
        "statut": current.status if current else None,
        "indexation": document.index_status,
        "versions": [version_json(v) for v in document.versions],
    }
