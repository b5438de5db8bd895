"""Who may see and act on a courrier: its entities, its holder, and the confidentiality rules.

A normal courrier is seen by everyone holding a role in its entity or in an entity it was
routed to. A confidential or secret one only by its holder, the people it was copied to or
whose opinion was asked, the entity's responsable and the mail office that registered it.
A refusal raises ``CourrierAccessDenied``; ``record_refusal`` writes its event once the
refused request's own work has been rolled back.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from core import audit, permissions
from core.identity import User
from courrier.errors import CourrierAccessDenied
from courrier.models import Courrier, Imputation

DENIED = "Vous n'avez pas accès à ce courrier."


def denied(courrier: Courrier | None, action: str, message: str = DENIED) -> CourrierAccessDenied:
    """The refusal to raise; it carries what ``record_refusal`` writes to the event log."""
    if courrier is None:
        return CourrierAccessDenied(message, action=action)
    return CourrierAccessDenied(message, courrier.id, courrier.entity_id, action)


def record_refusal(session: Session, user: User | None, exc: CourrierAccessDenied) -> None:
    """Write the refusal's event (call it after rolling back the refused work)."""
    audit.record(
        session, user, "courrier.acces_refuse", "courrier", exc.courrier_id, exc.entity_id,
        {"action": exc.action, "motif": str(exc)},
    )


def _named_in(user: User, kinds: tuple[str, ...]) -> ColumnElement[bool]:
    """The courrier was routed to the user by name with one of these instructions (active)."""
    return exists().where(
        Imputation.courrier_id == Courrier.id,
        Imputation.user_id == user.id,
        Imputation.kind.in_(kinds),
        Imputation.active.is_(True),
    )


def visible_condition(session: Session, user: User,
                      grants: permissions.Grants | None = None) -> ColumnElement[bool]:
    """A filter on ``Courrier`` keeping exactly what the user may see (``grants``: the user's,
    when the caller has read them already)."""
    if not user.active:
        return false()
    grants = grants or permissions.grants(session, user)
    seen = grants.entities_for("voir")
    routed_here = exists().where(
        Imputation.courrier_id == Courrier.id,
        or_(Imputation.user_id == user.id, Imputation.entity_id.in_(seen)),
    )
    normal = and_(
        Courrier.confidentiality == "normal",
        or_(
            Courrier.entity_id.in_(seen),
            Courrier.holder_entity_id.in_(seen),
            Courrier.holder_id == user.id,
            routed_here,
        ),
    )
    office = grants.held_exactly(("responsable", "bureau_ordre"))
    heads = grants.held_exactly(("chef_service",))
    restricted = or_(
        Courrier.holder_id == user.id,
        Courrier.registered_by_id == user.id,
        Courrier.entity_id.in_(office),
        # Routed to a service and not yet to an agent: its head holds it for now.
        and_(Courrier.holder_id.is_(None), Courrier.holder_entity_id.in_(heads)),
        _named_in(user, ("copie", "avis")),
    )
    return or_(normal, restricted)


def can_see(session: Session, user: User, courrier: Courrier) -> bool:
    query = select(Courrier.id).where(Courrier.id == courrier.id, visible_condition(session, user))
    return session.scalar(query) is not None


def require_visible(session: Session, user: User, courrier: Courrier, action: str = "voir") -> None:
    if not can_see(session, user, courrier):
        raise denied(courrier, action)


def require(session: Session, user: User, permission: str, courrier: Courrier, action: str,
            entity_ids: tuple[int | None, ...] = (), message: str = "") -> None:
    """The user sees the courrier and may ``permission`` in its entity or one of ``entity_ids``."""
    require_visible(session, user, courrier, action)
    candidates = [courrier.entity_id, *entity_ids]
    grants = permissions.grants(session, user)
    if not any(e is not None and grants.may(permission, e) for e in candidates):
        raise denied(courrier, action, message or "Vous n'avez pas les droits pour cette action.")


def is_holder(grants: permissions.Grants, courrier: Courrier) -> bool:
    """The user holds the attribution (by name, or as one who treats in the service held)."""
    if courrier.holder_id is not None:
        return courrier.holder_id == grants.user.id
    entity = courrier.holder_entity_id
    return entity is not None and grants.may("traiter", entity)


def is_head(grants: permissions.Grants, courrier: Courrier, permission: str = "imputer") -> bool:
    """The user may ``permission`` in the service holding the courrier (or its entity)."""
    return grants.may(permission, courrier.holder_entity_id or courrier.entity_id)


def require_treating(session: Session, user: User, courrier: Courrier, action: str) -> None:
    """The holder, or a head who may route in the holding service, may treat the courrier."""
    require_visible(session, user, courrier, action)
    grants = permissions.grants(session, user)
    if not (is_holder(grants, courrier) or is_head(grants, courrier)):
        raise denied(courrier, action, "Seul le détenteur du courrier ou son chef peut le traiter.")
