"""Courriers as the index holds them: their words, and who may read them as reader tokens.

The tokens mirror courrier.access.visible_condition: ``u<id>`` a user, ``e<id>`` an entity
whose ``voir`` holders see normal courriers, ``o<id>`` an entity whose responsable or mail
office (held there, not inherited) sees even confidential ones, ``h<id>`` a service whose
chef sees what it holds before an agent does. A reader matches when one token is shared.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core import permissions
from core.identity import RoleAssignment, User
from courrier.models import Attachment, Correspondent, Courrier, Imputation
from ged.search import indexable_texts
from ged.search.types import Entry

OFFICE_ROLES, HEAD_ROLES = ("responsable", "bureau_ordre"), ("chef_service",)


def _named(correspondent: Correspondent | None) -> list[str]:
    return [correspondent.name, correspondent.organisation] if correspondent else []


def record_readers(courrier: Courrier, imputations: list[Imputation]) -> tuple[str, ...]:
    """The tokens of those who may read the courrier (courrier.access's rules)."""
    active = [i for i in imputations if i.active]
    readers = {f"u{courrier.holder_id}", f"u{courrier.registered_by_id}",
               f"o{courrier.entity_id}"}
    if courrier.holder_id is None and courrier.holder_entity_id is not None:
        readers.add(f"h{courrier.holder_entity_id}")
    readers |= {f"u{i.user_id}" for i in active if i.kind in ("copie", "avis") and i.user_id}
    if courrier.confidentiality == "normal":
        readers |= {f"e{courrier.entity_id}", f"e{courrier.holder_entity_id}"}
        # Routed here at any time, as visible_condition's routed_here (active or not).
        for imputation in imputations:
            readers |= {f"e{imputation.entity_id}", f"u{imputation.user_id}"}
    return tuple(sorted(r for r in readers if not r.endswith("None")))


def user_readers(session: Session, user: User) -> frozenset[str]:
    """The tokens the user reads with; none for an inactive account."""
    if not user.active:
        return frozenset()
    tokens = {f"u{user.id}"}
    tokens |= {f"e{e}" for e in permissions.entities_for(session, user, "voir")}
    held = session.execute(select(RoleAssignment.role, RoleAssignment.entity_id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role.in_(OFFICE_ROLES + HEAD_ROLES)))
    tokens |= {("o" if role in OFFICE_ROLES else "h") + str(entity) for role, entity in held}
    return frozenset(tokens)


def courrier_entries(session: Session, courrier_ids: list[int]) -> list[Entry]:
    """The courriers as the index should hold them (those that still exist), read in a few
    queries for the whole batch."""
    courriers = session.scalars(select(Courrier).where(Courrier.id.in_(courrier_ids)).options(
        selectinload(Courrier.sender), selectinload(Courrier.recipient)))
    # Queried, not the relationships: routing adds rows the loaded collections may not show.
    imputations: dict[int, list[Imputation]] = defaultdict(list)
    for imputation in session.scalars(select(Imputation).where(
            Imputation.courrier_id.in_(courrier_ids))):
        imputations[imputation.courrier_id].append(imputation)
    attached: dict[int, list[int]] = defaultdict(list)
    for courrier_id, document_id in session.execute(select(
            Attachment.courrier_id, Attachment.document_id).where(
            Attachment.courrier_id.in_(courrier_ids)).order_by(Attachment.id)):
        attached[courrier_id].append(document_id)
    texts = indexable_texts(session, (d for documents in attached.values() for d in documents))
    return [_entry(courrier, imputations[courrier.id],
                   [texts.get(document_id, "") for document_id in attached[courrier.id]])
            for courrier in courriers]


def _entry(courrier: Courrier, imputations: list[Imputation], texts: list[str]) -> Entry:
    words = [courrier.chrono, courrier.sender_reference, courrier.summary,
             *_named(courrier.sender), *_named(courrier.recipient), *texts]
    day = courrier.received_on or courrier.letter_date or courrier.registered_at.date()
    return Entry(
        kind="courrier", record_id=courrier.id, entity_id=courrier.entity_id,
        confidentiality=courrier.confidentiality, title=courrier.subject,
        body="\n".join(word for word in words if word), doc_type=f"courrier_{courrier.direction}",
        status=courrier.status, record_date=day, readers=record_readers(courrier, imputations),
    )


def attaching(session: Session, document_ids: list[int]) -> list[int]:
    """Courriers that carry these documents: their text changed with the documents'."""
    return list(session.scalars(select(Attachment.courrier_id).distinct().where(
        Attachment.document_id.in_(document_ids))))


def all_courrier_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Courrier.id).order_by(Courrier.id)))
