"""A dossier as the portal sends it, checked field by field before anything is imported."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from connectors.errors import MalformedDossier
from connectors.portal.models import DOSSIER_STATES

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PieceRef:
    name: str
    url: str
    sha256: str


@dataclass(frozen=True)
class DossierIn:
    portal_id: str
    number: str
    demarche_code: str
    state: str
    applicant_name: str
    applicant_email: str
    applicant_phone: str
    fields: dict[str, Any]
    pieces: tuple[PieceRef, ...]
    deposited_on: date


def _text(raw: dict[str, Any], key: str, problems: list[str], required: bool = True,
          limit: int = 300) -> str:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"« {key} » manquant")
        return ""
    if not isinstance(value, str):
        problems.append(f"« {key} » doit être un texte")
        return ""
    if len(value) > limit:
        problems.append(f"« {key} » dépasse {limit} caractères")
    return value.strip()


def _pieces(raw: Any, problems: list[str]) -> tuple[PieceRef, ...]:
    if not isinstance(raw, list):
        problems.append("« pieces » doit être une liste")
        return ()
    pieces = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            problems.append(f"pièce {n} illisible")
            continue
        name = _text(item, "nom", problems) or f"piece-{n}"
        url = _text(item, "fichier", problems, limit=1000)
        digest = str(item.get("sha256") or "").lower()
        if not _SHA256.match(digest):
            problems.append(f"pièce {n} : empreinte SHA-256 absente ou illisible")
        pieces.append(PieceRef(name, url, digest))
    return tuple(pieces)


def _deposited(raw: Any, problems: list[str]) -> date:
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        problems.append("« depose_le » n'est pas une date ISO 8601")
        return date.today()
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def parse(raw: Any) -> DossierIn:
    """The dossier, or MalformedDossier naming every problem found."""
    if not isinstance(raw, dict):
        raise MalformedDossier("Dossier illisible : ce n'est pas un objet JSON.")
    problems: list[str] = []
    applicant = raw.get("demandeur")
    if not isinstance(applicant, dict):
        problems.append("« demandeur » manquant")
        applicant = {}
    fields = raw.get("champs") or {}
    if not isinstance(fields, dict):
        problems.append("« champs » doit être un objet")
        fields = {}
    state = str(raw.get("etat") or "")
    if state not in DOSSIER_STATES:
        problems.append(f"état inconnu « {state} »")
    dossier = DossierIn(
        portal_id=_text(raw, "id", problems, limit=80),
        number=_text(raw, "numero", problems, limit=80),
        demarche_code=_text(raw, "demarche", problems, limit=60),
        state=state,
        applicant_name=_text(applicant, "nom", problems),
        applicant_email=_text(applicant, "email", problems, required=False, limit=254),
        applicant_phone=_text(applicant, "telephone", problems, required=False, limit=40),
        fields=fields,
        pieces=_pieces(raw.get("pieces", []), problems),
        deposited_on=_deposited(raw.get("depose_le"), problems),
    )
    if problems:
        raise MalformedDossier("Dossier mal formé : " + " ; ".join(problems) + ".")
    return dossier
