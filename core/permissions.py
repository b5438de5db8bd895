"""The one place that answers "may this user see / act on this entity" for every feature.

A role is held in an entity and is valid for that entity and every entity below it. Features
name an action; ``ACTIONS`` says which roles allow it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import PermissionDenied
from core.identity import Entity, RoleAssignment, User

ALL_ROLES = frozenset(
    {"admin", "bureau_ordre", "chef_service", "agent", "responsable", "superviseur"}
)

ACTIONS: dict[str, frozenset[str]] = {
    # Seeing an entity's ordinary data: any role held there or above.
    "voir": ALL_ROLES,
    "administrer": frozenset({"admin"}),
    "superviser": frozenset({"superviseur", "responsable", "admin"}),
    "enregistrer_courrier": frozenset({"bureau_ordre", "admin"}),
    "imputer": frozenset({"bureau_ordre", "chef_service", "responsable", "admin"}),
    "traiter": frozenset({"agent", "chef_service", "responsable", "admin"}),
    "signer": frozenset({"responsable"}),
    # Courrier: the head of service initials a reply before the responsable signs it; the
    # admin sets the announced holidays and the entity's reminder rules.
    "viser": frozenset({"chef_service", "responsable"}),
    "parametrer_courrier": frozenset({"admin"}),
    "gerer_demarches": frozenset({"admin", "responsable"}),
    "suivre_plan": frozenset({"admin", "superviseur", "responsable"}),
}

_TREE_KEY = "atd.entity_children"


def _children(session: Session) -> dict[int, list[int]]:
    """Children of each entity, loaded once per session (the tree is small and rarely changes)."""
    cached = session.info.get(_TREE_KEY)
    if cached is None:
        cached = defaultdict(list)
        for entity_id, parent_id in session.execute(select(Entity.id, Entity.parent_id)):
            if parent_id is not None:
                cached[parent_id].append(entity_id)
        session.info[_TREE_KEY] = cached
    return cached


def forget_tree(session: Session) -> None:
    """Call after changing the tree inside a session that checked permissions before."""
    session.info.pop(_TREE_KEY, None)


def subtree(session: Session, entity_id: int) -> set[int]:
    """The entity and all entities below it."""
    children = _children(session)
    seen: set[int] = set()
    stack = [entity_id]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, ()))
    return seen


@dataclass(frozen=True)
class Grants:
    """The roles a user holds and where, read once: for a request that asks many questions
    (an inbox asks five), instead of one query per question."""

    session: Session
    user: User
    held: tuple[tuple[str, int], ...]  # (role, entity id), as assigned

    def roles_in(self, entity_id: int) -> set[str]:
        """The roles valid in this entity (held there or above)."""
        if not self.user.active:
            return set()
        return {role for role, held_in in self.held
                if entity_id in subtree(self.session, held_in)}

    def entities_for(self, action: str = "voir") -> set[int]:
        """Ids of every entity where the user may perform ``action``."""
        allowed = ACTIONS[action]
        result: set[int] = set()
        if self.user.active:
            for role, held_in in self.held:
                if role in allowed:
                    result |= subtree(self.session, held_in)
        return result

    def may(self, action: str, entity_id: int) -> bool:
        return bool(self.roles_in(entity_id) & ACTIONS[action])

    def held_exactly(self, roles: Iterable[str]) -> set[int]:
        """Entities where the user holds one of ``roles`` itself (not inherited from above)."""
        wanted = set(roles)
        return {held_in for role, held_in in self.held if role in wanted}


def grants(session: Session, user: User) -> Grants:
    rows = session.execute(
        select(RoleAssignment.role, RoleAssignment.entity_id).where(
            RoleAssignment.user_id == user.id
        )
    )
    return Grants(session, user, tuple((role, entity_id) for role, entity_id in rows))


def roles_in(session: Session, user: User, entity_id: int) -> set[str]:
    """The roles the user holds that are valid in this entity."""
    return grants(session, user).roles_in(entity_id)


def entities_for(session: Session, user: User, action: str = "voir") -> set[int]:
    """Ids of every entity where the user may perform ``action``; use it to filter queries."""
    return grants(session, user).entities_for(action)


def may(session: Session, user: User, action: str, entity_id: int) -> bool:
    return grants(session, user).may(action, entity_id)


def require(session: Session, user: User, action: str, entity_id: int) -> None:
    """Raise PermissionDenied unless the user may perform ``action`` in the entity."""
    if not may(session, user, action, entity_id):
        raise PermissionDenied("Vous n'avez pas les droits nécessaires pour cette entité.")


def has_any_role(session: Session, user: User, roles: Iterable[str]) -> bool:
    return bool(grants(session, user).held_exactly(roles))
