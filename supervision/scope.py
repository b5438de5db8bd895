"""Which entities a supervisor watches: one card per entity, and the whole they add up to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import NotFound, PermissionDenied
from core.identity import Entity, User, entity_by_code, ministry
from core.permissions import entities_for, subtree

NOTHING_TO_SUPERVISE = (
    "La salle de supervision est réservée aux superviseurs, responsables et administrateurs."
)


@dataclass(frozen=True)
class Unit:
    """An entity as the room shows it: its card adds up everything below it."""

    id: int
    code: str
    name: str
    ids: frozenset[int]


@dataclass(frozen=True)
class Scope:
    whole: Unit  # what the user watches as a whole (the ministry, or their own entity)
    units: tuple[Unit, ...]  # one card each

    @property
    def ids(self) -> frozenset[int]:
        return self.whole.ids


def _unit(session: Session, entity: Entity, allowed: set[int]) -> Unit:
    ids = frozenset(subtree(session, entity.id) & allowed)
    return Unit(entity.id, entity.code, entity.name, ids)


def _children(session: Session, parent_id: int) -> list[Entity]:
    query = select(Entity).where(Entity.parent_id == parent_id, Entity.active.is_(True))
    return list(session.scalars(query.order_by(Entity.code)))


def scope_for(session: Session, user: User | None, code: str | None = None) -> Scope:
    """The entities the user supervises (everything for the command line: ``user`` None).

    With ``code``, the scope narrows to that entity.

    Raises:
        NotFound: ``code`` names no entity.
        PermissionDenied: the user supervises nothing, or not the entity named.
    """
    root = ministry(session)
    if root is None:
        raise NotFound("Aucun ministère n'a encore été chargé (atd onboard).")
    if user is None:
        allowed = subtree(session, root.id)
    else:
        allowed = entities_for(session, user, "superviser")
    if not allowed:
        raise PermissionDenied(NOTHING_TO_SUPERVISE)
    if code:
        entity = entity_by_code(session, code.strip())
        if entity is None:
            raise NotFound(f"Entité inconnue : {code}")
        if entity.id not in allowed:
            raise PermissionDenied(f"Vous ne supervisez pas l'entité {entity.code}.")
        top = [entity]
    else:
        # The topmost entities of what the user may supervise (their parents are outside it).
        rows = session.scalars(select(Entity).where(Entity.id.in_(allowed)).order_by(Entity.code))
        top = [e for e in rows if e.parent_id not in allowed]
    if len(top) == 1:
        whole = _unit(session, top[0], allowed)
        # The ministry's cards are its entities; any other entity is its own single card (its
        # services hold courriers but do not register them: they show in its throughput).
        below = _children(session, root.id) if top[0].id == root.id else []
        units = tuple(_unit(session, e, allowed) for e in below) or (whole,)
    else:
        ids = frozenset().union(*(subtree(session, e.id) for e in top)) & allowed
        whole = Unit(0, "ENSEMBLE", "Ensemble de mes entités", frozenset(ids))
        units = tuple(_unit(session, e, allowed) for e in top)
    return Scope(whole, units)
