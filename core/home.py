"""What the home page and the menu show to each role, computed from the user's entities."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import permissions
from core.dotted import resolve
from core.identity import ROLE_LABELS, Demarche, Entity, RoleAssignment, User


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (label, url)


# The menu: (label, path, actions of which one is needed somewhere; none: any logged-in user).
MENU: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Accueil", "/", ()),
    ("Courrier", "/courriers", ()),
    ("Arrivées", "/arrivees", ("enregistrer_courrier",)),
    ("Documents", "/documents", ()),
    ("Recherche", "/recherche", ()),
    ("Démarches", "/demarches", ()),
    ("Connecteurs", "/connecteurs", ("gerer_demarches", "superviser")),
    ("Supervision", "/supervision/", ("superviser",)),
    ("Mot de passe", "/mot-de-passe", ()),
)
# Sections that other packages add to the home page; each returns a Section or None.
SECTION_PROVIDERS = ("courrier.home.home_section", "supervision.home.home_section")


def navigation(session: Session, user: User) -> list[tuple[str, str]]:
    """The menu entries this user may open."""
    grants = permissions.grants(session, user)
    return [
        (label, path)
        for label, path, actions in MENU
        if not actions or any(grants.entities_for(a) for a in actions)
    ]


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
    grants = permissions.grants(session, user)
    visible = grants.entities_for("voir")
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
    administered = grants.entities_for("administrer")
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
    for path in SECTION_PROVIDERS:
        section = resolve(path)(session, user)
        if section is not None:
            sections.append(section)
    if grants.entities_for("suivre_plan"):
        from supervision.plan.service import plan_summary_lines

        sections.append(
            Section("Plan de déploiement en quatre semaines", plan_summary_lines(session))
        )
    return sections
