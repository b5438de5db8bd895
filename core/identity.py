"""The ministry's identity: entities as a tree, users, and the roles they hold in an entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow

ENTITY_TYPES = ("ministere", "tutelle", "direction", "cabinet", "service")
ROLES = ("admin", "bureau_ordre", "chef_service", "agent", "responsable", "superviseur")
ROLE_LABELS = {
    "admin": "Administrateur",
    "bureau_ordre": "Bureau d'ordre",
    "chef_service": "Chef de service",
    "agent": "Agent",
    "responsable": "Responsable",
    "superviseur": "Superviseur",
}
PRIORITIES = ("normale", "urgente", "tres_urgente")


class Entity(Base):
    """A node of the ministry's tree: the ministry itself, a tutelle entity, a direction…"""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"), index=True)
    # Processing delays in working days per priority, e.g. {"normale": 30, "urgente": 8}.
    delays: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Entity | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Entity {self.code}>"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on every password change so that older sessions stop being valid.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entity: Mapped[Entity] = relationship()
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id"
    )

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class RoleAssignment(Base):
    """A role held in an entity; it is valid for that entity and all its sub-entities."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "entity_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")
    entity: Mapped[Entity] = relationship()


class Demarche(Base):
    """A public service of the ministry's catalogue, as the inventory describes it."""

    __tablename__ = "demarche"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), index=True)
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String, default="")
    pieces: Mapped[list[str]] = mapped_column(JSON, default=list)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    cost_amount: Mapped[int] = mapped_column(Integer, default=0)
    cost_currency: Mapped[str] = mapped_column(String(3), default="XOF")
    delay_days: Mapped[int | None] = mapped_column(Integer)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    entity: Mapped[Entity] = relationship()


def ministry(session: Session) -> Entity | None:
    """The root of the tree (there is one ministry per instance)."""
    return session.scalars(
        select(Entity).where(Entity.type == "ministere", Entity.parent_id.is_(None))
    ).first()


def entity_by_code(session: Session, code: str) -> Entity | None:
    return session.scalars(select(Entity).where(Entity.code == code)).first()


def user_by_login(session: Session, login: str) -> User | None:
    return session.scalars(select(User).where(User.login == login)).first()


def public_user(user: User) -> dict[str, Any]:
    """What the API says of a user (never the password hash)."""
    return {
        "id": user.id,
        "login": user.login,
        "nom": user.name,
        "email": user.email,
        "entite": user.entity.code,
        "actif": user.active,
        "roles": [{"role": r.role, "entite": r.entity.code} for r in user.roles],
    }
