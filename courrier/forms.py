"""Reading what the pages and the API send into the services' inputs, with French errors.

Both the HTML forms and the JSON bodies use the same French field names, so one reader
serves both: ``values`` is a form or a decoded JSON object.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from core.forms import parse_day
from courrier.correspondents import CorrespondentInput
from courrier.errors import InvalidCourrier
from courrier.inboxes import Filters
from courrier.replies import ReplyInput
from courrier.routing import RoutingInput
from courrier.service import CorrespondentRef, Registration


def text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else str(value).strip()


def day(values: Mapping[str, Any], name: str, label: str) -> date | None:
    raw = text(values, name)
    return parse_day(raw, f"{label} invalide : « {raw} » (attendu AAAA-MM-JJ).", InvalidCourrier)


def integer(values: Mapping[str, Any], name: str, label: str) -> int | None:
    raw = text(values, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidCourrier(f"{label} invalide : « {raw} » (un nombre est attendu).") from None


def ids(values: Any, name: str) -> tuple[int, ...]:
    """A list of ids: a JSON array, repeated form fields, or one comma-separated field."""
    raw: Any = values.getlist(name) if hasattr(values, "getlist") else values.get(name)
    if raw is None:
        return ()
    items = raw if isinstance(raw, list | tuple) else [raw]
    found: list[int] = []
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                if not part.strip().isdigit():
                    raise InvalidCourrier(f"Numéro de document invalide : « {part.strip()} ».")
                found.append(int(part))
    return tuple(found)


def correspondent(values: Mapping[str, Any], prefix: str) -> CorrespondentRef:
    """``expediteur_id`` (an existing one), or ``expediteur`` (a name, found or created).

    In JSON, ``expediteur`` may also be an object ``{"nom", "type", "organisation", "email"}``.
    """
    known = integer(values, f"{prefix}_id", f"Numéro de {prefix}")
    if known is not None:
        return known
    raw = values.get(prefix)
    if isinstance(raw, Mapping):
        return correspondent_fields(raw)
    name = text(values, prefix)
    if not name:
        return None
    return CorrespondentInput(name=name, kind=text(values, f"{prefix}_type") or "organisation")


def correspondent_fields(values: Mapping[str, Any]) -> CorrespondentInput:
    """A new correspondent's fields: ``nom``, ``type``, ``organisation``, ``email``…"""
    return CorrespondentInput(
        name=text(values, "nom"), kind=text(values, "type") or "organisation",
        organisation=text(values, "organisation"), email=text(values, "email"),
        phone=text(values, "telephone"), address=text(values, "adresse"),
    )


def registration(values: Mapping[str, Any], document_ids: tuple[int, ...] = ()) -> Registration:
    return Registration(
        entity_code=text(values, "entite"),
        subject=text(values, "objet"),
        direction=text(values, "sens") or "arrivee",
        summary=text(values, "resume"),
        sender=correspondent(values, "expediteur"),
        recipient=correspondent(values, "destinataire"),
        received_on=day(values, "date_reception", "Date de réception"),
        letter_date=day(values, "date_lettre", "Date de la lettre"),
        sender_reference=text(values, "reference"),
        channel=text(values, "canal") or "physique",
        priority=text(values, "priorite") or "normale",
        confidentiality=text(values, "confidentialite") or "normal",
        document_ids=document_ids or ids(values, "documents"),
        follow_up_of=text(values, "suite_de"),
    )


def routing(values: Mapping[str, Any]) -> RoutingInput:
    return RoutingInput(
        kind=text(values, "type") or "attribution",
        entity_code=text(values, "entite"),
        agent_login=text(values, "agent") or None,
        instruction=text(values, "instruction"),
        due_on=day(values, "echeance", "Échéance de l'avis"),
        reason=text(values, "motif"),
    )


def reply(values: Mapping[str, Any], document_ids: tuple[int, ...] = ()) -> ReplyInput:
    signed = values.get("signee")
    return ReplyInput(
        subject=text(values, "objet"),
        summary=text(values, "resume"),
        recipient=correspondent(values, "destinataire"),
        document_ids=document_ids or ids(values, "documents"),
        signed=signed is True or str(signed).lower() in {"1", "true", "oui", "on"},
    )


def filters(values: Mapping[str, Any]) -> Filters:
    return Filters(
        text=text(values, "q"),
        status=text(values, "statut"),
        priority=text(values, "priorite"),
        direction=text(values, "sens"),
        entity_code=text(values, "entite"),
        correspondent_id=integer(values, "correspondant", "Correspondant"),
        date_from=day(values, "du", "Date de début"),
        date_to=day(values, "au", "Date de fin"),
    )


def page(values: Mapping[str, Any]) -> int:
    return max(integer(values, "page", "Page") or 1, 1)
