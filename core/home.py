"""What the home page shows to each role, computed from the user's entities."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import permissions
from core.identity import ROLE_LABELS, Demarche, Entity, RoleAssignment, User


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (label, url)


def _role_lines(session: Session, user: User) -> list[str]:
    rows = session.execute(
        select(RoleAssignment.role, Entity.code, Entity.name)
        .join(Entity, Entity.id == RoleAssignment.entity_id)
        .where(RoleAssignment.user_id == user.id)
        .order_by(Entity.code, RoleAssignment.role)
    )
    return [f"{ROLE_LABELS.get(role, role)} — {code} ({name})" for role, code, name in rows]


def _count(session: Session, model: type, ids: set[int]) -> int:
    if not ids:
        return 0
    column = model.entity_id if model is not Entity else Entity.id  # type: ignore[attr-defined]
    active = model.active  # type: ignore[attr-defined]
    return (
        session.scalar(select(func.count()).select_from(model).where(column.in_(ids), active)) or 0
    )


def home_sections(session: Session, user: User) -> list[Section]:
    """Sections of the home page, one per thing the user's roles let them do today."""
    sections = [Section("Mes rôles", _role_lines(session, user) or ["Aucun rôle attribué."])]
    visible = permissions.entities_for(session, user, "voir")
    demarches = _count(session, Demarche, visible)
    online = (
        session.scalar(
            select(func.count())
            .select_from(Demarche)
            .where(Demarche.entity_id.in_(visible), Demarche.active, Demarche.online)
        )
        or 0
        if visible
        else 0
    )
    sections.append(
        Section(
            "Démarches de mes entités",
            [f"{demarches} démarches au catalogue, dont {online} en ligne."],
        )
    )
    administered = permissions.entities_for(session, user, "administrer")
    if administered:
        sections.append(
            Section(
                "Administration",
                [
                    f"{_count(session, Entity, administered)} entités administrées.",
                    f"{_count(session, User, administered)} utilisateurs actifs dans ces entités.",
                ],
            )
        )
    if permissions.entities_for(session, user, "suivre_plan"):
        from supervision.plan.service import plan_summary_lines

        sections.append(
            Section("Plan de déploiement en quatre semaines", plan_summary_lines(session))
        )
    return sections
