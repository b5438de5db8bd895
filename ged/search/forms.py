"""Parsing the search page's and the API's parameters (French names) into filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.forms import parse_day
from ged import service as ged_service
from ged.search.models import KINDS
from ged.search.types import Filters

PER_PAGE_MAX = 100


@dataclass(frozen=True)
class Request:
    """What was asked: the text, the filters, the page."""

    text: str
    filters: Filters
    page: int
    per_page: int


def _day(value: str | None, name: str) -> date | None:
    return parse_day(value, f"Date invalide pour « {name} » : utilisez AAAA-MM-JJ.")


def _positive(value: str | None, name: str, default: int, ceiling: int) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        raise ValidationError(f"« {name} » doit être un nombre entier.") from None
    if not 1 <= number <= ceiling:
        raise ValidationError(f"« {name} » doit être entre 1 et {ceiling}.")
    return number


def request_from(session: Session, args: Mapping[str, str], per_page: int) -> Request:
    """Parameters: q, entite (code), nature (document, courrier), type, du, au, etiquette,
    statut, page, par_page."""
    code = args.get("entite") or None
    kind = args.get("nature") or None
    if kind is not None and kind not in KINDS:
        raise ValidationError(f"Nature inconnue : {kind} (attendues : {', '.join(KINDS)}).")
    entity_ids = frozenset({ged_service.resolve_entity(session, code).id}) if code else None
    tag = (args.get("etiquette") or "").strip()
    filters = Filters(
        entity_ids=entity_ids, kind=kind, doc_type=args.get("type") or None,
        date_from=_day(args.get("du"), "du"), date_to=_day(args.get("au"), "au"),
        tags=(tag,) if tag else (), status=args.get("statut") or None,
    )
    return Request(
        text=(args.get("q") or "").strip(), filters=filters,
        page=_positive(args.get("page"), "page", 1, 10_000),
        per_page=_positive(args.get("par_page"), "par_page", per_page, PER_PAGE_MAX),
    )
