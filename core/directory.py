"""The ministry's directory as one user may read it: entities, users and démarches."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.errors import NotFound, PermissionDenied
from core.identity import Demarche, Entity, RoleAssignment, User, entity_by_code
from core.permissions import entities_for, require, subtree


def _entity(session: Session, code: str) -> Entity:
    entity = entity_by_code(session, code)
    if entity is None:
        raise NotFound(f"Entité inconnue : {code}")
    return entity


def _scope(session: Session, user: User, action: str, code: str | None) -> set[int]:
    """Ids of the entities where the user may ``action``, narrowed to ``code`` and below.

    Raises:
        NotFound: ``code`` names no entity.
        PermissionDenied: the user may not ``action`` in the entity named by ``code``.
    """
    allowed = entities_for(session, user, action)
    if code is None:
        return allowed
    entity = _entity(session, code)
    require(session, user, action, entity.id)
    return allowed & subtree(session, entity.id)


def visible_entities(session: Session, user: User) -> list[Entity]:
    """Every entity the user may see, by code."""
    ids = entities_for(session, user, "voir")
    query = select(Entity).where(Entity.id.in_(ids)).options(selectinload(Entity.parent))
    return list(session.scalars(query.order_by(Entity.code)))


def visible_entity(session: Session, user: User, code: str) -> Entity:
    """The entity named ``code``, when the user may see it."""
    entity = _entity(session, code)
    require(session, user, "voir", entity.id)
    return entity


def administered_users(session: Session, user: User, code: str | None = None) -> list[User]:
    """The users of the entities the user administers (``code`` and below when given), by login."""
    ids = _scope(session, user, "administrer", code)
    if not ids:
        raise PermissionDenied("La liste des utilisateurs est réservée aux administrateurs.")
    query = (
        select(User)
        .where(User.entity_id.in_(ids))
        .options(
            selectinload(User.entity),
            selectinload(User.roles).selectinload(RoleAssignment.entity),
        )
    )
    return list(session.scalars(query.order_by(User.login)))


def visible_demarches(session: Session, user: User, code: str | None = None) -> list[Demarche]:
    """The active démarches of the entities the user sees (``code`` and below if given), by code."""
    ids = _scope(session, user, "voir", code)
    query = (
        select(Demarche)
        .where(Demarche.entity_id.in_(ids), Demarche.active.is_(True))
        .options(selectinload(Demarche.entity))
    )
    return list(session.scalars(query.order_by(Demarche.code)))
