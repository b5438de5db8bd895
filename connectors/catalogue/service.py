"""Reading and editing the démarche catalogue, with the permissions and the event of each change.

An edit bumps the démarche's version (the portal publication is keyed on it) and, when the
démarche is published, queues its new content for the portal in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from connectors.errors import DemarcheNotFound, InvalidDemarche
from connectors.portal import publication
from core import audit, permissions
from core.directory import visible_demarches
from core.identity import Demarche, Entity, User, entity_by_code

AUDIENCES = ("citoyens", "entreprises", "administrations", "diaspora")
TITLE_MAX = 300
URL_MAX = 500


@dataclass
class DemarcheInput:
    """The edit form of a démarche, as typed: lists one item per line."""

    title: str
    entity_code: str
    description: str = ""
    audience: list[str] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    cost_amount: str = "0"
    cost_currency: str = "XOF"
    delay_days: str = ""
    online: bool = False
    online_url: str = ""


def catalogue(session: Session, user: User, entity_code: str | None = None) -> list[Demarche]:
    """The active démarches the user may see (of ``entity_code`` and below, if given)."""
    return visible_demarches(session, user, entity_code)


def get(session: Session, user: User, code: str) -> Demarche:
    """The démarche, if the user may see its entity (else not found, whether it exists or not)."""
    query = select(Demarche).where(Demarche.code == code).options(selectinload(Demarche.entity))
    demarche = session.scalars(query).first()
    if demarche is None or not permissions.may(session, user, "voir", demarche.entity_id):
        raise DemarcheNotFound(f"Démarche introuvable : {code}.")
    return demarche


def may_manage(session: Session, user: User, demarche: Demarche) -> bool:
    return permissions.may(session, user, "gerer_demarches", demarche.entity_id)


def managed_entities(session: Session, user: User) -> list[Entity]:
    """Entities where the user may manage démarches (the edit form's choices)."""
    ids = permissions.entities_for(session, user, "gerer_demarches")
    query = select(Entity).where(Entity.id.in_(ids), Entity.active.is_(True))
    return list(session.scalars(query.order_by(Entity.code)))


def _lines(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


def _number(text: str, what: str, problems: list[str], allow_empty: bool) -> int | None:
    cleaned = text.strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if not cleaned and allow_empty:
        return None
    if not cleaned.isdigit():
        problems.append(f"{what} doit être un nombre entier positif")
        return None
    return int(cleaned)


def _validated(session: Session, data: DemarcheInput) -> dict[str, Any]:
    """The new values by column, or InvalidDemarche listing every problem."""
    problems: list[str] = []
    title = data.title.strip()
    if not title:
        problems.append("le titre est obligatoire")
    elif len(title) > TITLE_MAX:
        problems.append(f"le titre dépasse {TITLE_MAX} caractères")
    entity = entity_by_code(session, data.entity_code.strip())
    if entity is None or not entity.active:
        problems.append(f"entité inconnue : « {data.entity_code} »")
    unknown = [a for a in data.audience if a not in AUDIENCES]
    if unknown:
        problems.append(f"public inconnu : {', '.join(unknown)}")
    cost = _number(data.cost_amount or "0", "le coût", problems, allow_empty=False)
    delay = _number(data.delay_days, "le délai", problems, allow_empty=True)
    currency = data.cost_currency.strip().upper() or "XOF"
    if len(currency) != 3 or not currency.isalpha():
        problems.append("la devise doit être un code de trois lettres (XOF)")
    url = data.online_url.strip()
    if url and (not url.startswith(("http://", "https://")) or len(url) > URL_MAX):
        problems.append("l'adresse en ligne doit être une URL http(s)")
    if data.online and not url:
        problems.append("une démarche en ligne doit donner son adresse")
    if problems:
        raise InvalidDemarche("Modification refusée : " + " ; ".join(problems) + ".")
    assert entity is not None
    return {
        "title": title, "entity_id": entity.id, "description": data.description.strip(),
        "audience": [a for a in AUDIENCES if a in data.audience],
        "pieces": _lines(data.pieces), "steps": _lines(data.steps),
        "cost_amount": cost or 0, "cost_currency": currency, "delay_days": delay,
        "online": data.online, "online_url": url or None,
    }


def update(session: Session, user: User, code: str, data: DemarcheInput) -> list[str]:
    """Apply the edit; return the names of the fields that changed (empty: nothing changed).

    Raises:
        DemarcheNotFound: no such démarche visible to the user.
        PermissionDenied: the user may not manage démarches of its entity or of the new one.
        InvalidDemarche: a value is wrong (every problem listed).
    """
    demarche = get(session, user, code)
    permissions.require(session, user, "gerer_demarches", demarche.entity_id)
    values = _validated(session, data)
    permissions.require(session, user, "gerer_demarches", values["entity_id"])
    changes = {
        name: [getattr(demarche, name), value]
        for name, value in values.items()
        if getattr(demarche, name) != value
    }
    if not changes:
        return []
    for name, (_before, value) in changes.items():
        setattr(demarche, name, value)
    demarche.version += 1  # the portal publication is keyed on the version
    session.flush()
    session.refresh(demarche, ["entity"])
    audit.record(session, user, "demarche.modifiee", "demarche", demarche.id, demarche.entity_id,
                 {"code": demarche.code, "version": demarche.version, "modifications": changes})
    publication.demarches_changed(session, [demarche.code])
    return list(changes)


def publish(session: Session, user: User, code: str) -> bool:
    """Put the démarche on the portal; False when the portal already has this content.

    Raises:
        IncompleteDemarche: pièces, étapes or delay missing.
    """
    demarche = get(session, user, code)
    permissions.require(session, user, "gerer_demarches", demarche.entity_id)
    queued = publication.publish(session, demarche) is not None
    audit.record(session, user, "demarche.publication_demandee", "demarche", demarche.id,
                 demarche.entity_id, {"code": demarche.code, "version": demarche.version,
                                      "envoi": queued})
    return queued
