"""The correspondents directory: one row per real person or organisation, found as one types."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.identity import User
from courrier.errors import CorrespondentNotFound, InvalidCourrier
from courrier.models import CORRESPONDENT_KINDS, Correspondent

# Civilities and titles do not tell two people apart: "M. Koffi" is "Monsieur Koffi".
_CIVILITIES = frozenset(
    {"m", "mr", "mme", "mlle", "monsieur", "madame", "mademoiselle", "dr", "pr"}
)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
AUTOCOMPLETE_LIMIT = 10


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces, civilities dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = [w for w in _NOT_WORD.split(plain) if w]
    while len(words) > 1 and words[0] in _CIVILITIES:
        words.pop(0)
    return " ".join(words)


def identity_key(kind: str, name: str, organisation: str = "") -> str:
    return f"{kind}:{normalise(name)}|{normalise(organisation)}"


@dataclass(frozen=True)
class CorrespondentInput:
    name: str
    kind: str = "organisation"
    organisation: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""


def get(session: Session, correspondent_id: int) -> Correspondent:
    found = session.get(Correspondent, correspondent_id)
    if found is None or not found.active:
        raise CorrespondentNotFound(f"Correspondant inconnu : n°{correspondent_id}.")
    return found


def find_or_create(session: Session, actor: User, data: CorrespondentInput) -> Correspondent:
    """The correspondent with this identity, created when it is new (never twice)."""
    name = data.name.strip()
    if not normalise(name):
        raise InvalidCourrier("Le nom du correspondant est obligatoire.")
    if data.kind not in CORRESPONDENT_KINDS:
        raise InvalidCourrier(
            f"Type de correspondant inconnu : {data.kind} (personne ou organisation)."
        )
    key = identity_key(data.kind, name, data.organisation)
    existing = session.scalars(select(Correspondent).where(Correspondent.key == key)).first()
    if existing is not None:
        return existing
    created = Correspondent(
        kind=data.kind, name=name, organisation=data.organisation.strip(), key=key,
        email=data.email.strip(), phone=data.phone.strip(), address=data.address.strip(),
    )
    session.add(created)
    session.flush()
    audit.record(
        session, actor, "correspondant.cree", "correspondant", created.id, actor.entity_id,
        {"nom": created.label},
    )
    return created


def search(session: Session, term: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Correspondent]:
    """Correspondents whose name or organisation contains every word typed, best first."""
    words = normalise(term).split()
    if not words:
        return []
    query = select(Correspondent).where(Correspondent.active.is_(True))
    for word in words:
        query = query.where(Correspondent.key.contains(word, autoescape=True))
    # Names that start with the first word typed come first (the key is `kind:name|org`).
    starts = Correspondent.key.like(f"%:{words[0]}%")
    query = query.order_by(starts.desc(), Correspondent.name).limit(limit)
    return list(session.scalars(query))


def resolve(
    session: Session, actor: User, ref: int | CorrespondentInput | None
) -> Correspondent | None:
    """A correspondent named by its id (which must exist) or by its identity (found or created)."""
    if ref is None:
        return None
    if isinstance(ref, CorrespondentInput):
        return find_or_create(session, actor, ref)
    return get(session, ref)


def describe(correspondent: Correspondent) -> dict[str, object]:
    return {
        "id": correspondent.id,
        "type": correspondent.kind,
        "nom": correspondent.name,
        "organisation": correspondent.organisation,
        "libelle": correspondent.label,
        "email": correspondent.email,
    }

