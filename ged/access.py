"""Who may read or change a document: the entity's roles, narrowed by its confidentiality.

A role held in an entity is valid below it (see ``core.permissions``). Everyone with a role
reads ``normal`` documents; ``confidentiel`` ones are for heads (chef de service, responsable)
and administrators; ``secret`` ones for the responsables alone, not even the administrators.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import Session

from core import permissions
from core.errors import PermissionDenied
from core.identity import User
from ged.errors import DocumentNotFound
from ged.models import CONFIDENTIALITY, Document

READERS: dict[str, frozenset[str]] = {
    "normal": permissions.ALL_ROLES,
    "confidentiel": frozenset({"chef_service", "responsable", "admin"}),
    "secret": frozenset({"responsable"}),
}
WRITERS = frozenset({"bureau_ordre", "agent", "chef_service", "responsable", "admin"})
assert set(READERS) == set(CONFIDENTIALITY)


def _entities_with(session: Session, user: User, roles: frozenset[str]) -> set[int]:
    if not user.active:
        return set()
    found: set[int] = set()
    for assignment in user.roles:
        if assignment.role in roles:
            found |= permissions.subtree(session, assignment.entity_id)
    return found


def readable_levels(session: Session, user: User, entity_id: int) -> set[str]:
    roles = permissions.roles_in(session, user, entity_id)
    return {level for level, allowed in READERS.items() if roles & allowed}


def may_read(session: Session, user: User | None, document: Document) -> bool:
    """None is the command line's operator, who reads everything."""
    if user is None:
        return True
    return document.confidentiality in readable_levels(session, user, document.entity_id)


def require_read(session: Session, user: User | None, document: Document | None) -> Document:
    """The document, or DocumentNotFound: one may not learn that an unreadable one exists."""
    if document is None or not may_read(session, user, document):
        raise DocumentNotFound("Document introuvable.")
    return document


def require_write(
    session: Session, user: User | None, entity_id: int, confidentiality: str
) -> None:
    """Adding or changing a document: a writing role in the entity, and the right to read it."""
    if user is None:
        return
    if not permissions.roles_in(session, user, entity_id) & WRITERS:
        raise PermissionDenied("Vous n'avez pas le droit d'ajouter ou de modifier des documents "
                               "dans cette entité.")
    if confidentiality not in readable_levels(session, user, entity_id):
        raise PermissionDenied(f"Vous ne pouvez pas classer un document « {confidentiality} » : "
                               "vous n'auriez pas le droit de le lire.")


def readable_entities(session: Session, user: User) -> dict[str, set[int]]:
    """Per confidentiality level, the entities whose documents the user may read."""
    return {level: _entities_with(session, user, roles) for level, roles in READERS.items()}


def readable_clause(session: Session, user: User | None) -> ColumnElement[bool]:
    """A WHERE clause keeping the documents the user may read (for lists and counts)."""
    if user is None:
        return Document.id.is_not(None)
    parts = [and_(Document.confidentiality == level, Document.entity_id.in_(entities))
             for level, entities in readable_entities(session, user).items() if entities]
    return or_(*parts) if parts else false()


def writable_entity_ids(session: Session, user: User) -> set[int]:
    """The entities where the user may add documents (for the upload form's choices)."""
    return _entities_with(session, user, WRITERS)


def may_write(session: Session, user: User, document: Document) -> bool:
    roles = permissions.roles_in(session, user, document.entity_id)
    return bool(roles & WRITERS) and may_read(session, user, document)
