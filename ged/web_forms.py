"""Parsing what pages and the API send: list filters and document metadata, French field names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.forms import parse_day
from ged import service
from ged.models import STATUSES
from ged.queries import Filters

# French names people and API clients use -> the service's field names.
FIELDS = {
    "titre": "title",
    "type": "doc_type",
    "classement": "classification",
    "confidentialite": "confidentiality",
    "etiquettes": "tags",
    "metadonnees": "extra",
    "auteur": "author",
    "date_document": "document_date",
}


def metadata_from(data: Mapping[str, Any], strict: bool = False) -> dict[str, Any]:
    """The metadata fields present in ``data``; with ``strict``, any other key is refused."""
    if strict:
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise ValidationError(f"Champ inconnu : {unknown[0]} (attendus : {', '.join(FIELDS)}).")
    return {FIELDS[key]: data[key] for key in FIELDS if key in data}


def _day(value: str | None, name: str) -> date | None:
    return parse_day(value, f"Date invalide pour « {name} » : utilisez AAAA-MM-JJ.")


def filters_from(session: Session, args: Mapping[str, str]) -> tuple[Filters, int]:
    """List filters and page number from query parameters (entite, type, statut, du, au, q)."""
    code = args.get("entite") or None
    status = args.get("statut") or None
    if status is not None and status not in STATUSES:
        raise ValidationError(f"Statut inconnu : {status}.")
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        raise ValidationError("Numéro de page invalide.") from None
    filters = Filters(
        entity_id=service.resolve_entity(session, code).id if code else None,
        doc_type=args.get("type") or None,
        status=status,
        since=_day(args.get("du"), "du"),
        until=_day(args.get("au"), "au"),
        text=(args.get("q") or "").strip() or None,
    )
    return filters, page
