"""Builders of test data: a small ministry tree, users holding roles, démarches."""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from core.identity import Demarche, Entity, RoleAssignment, User

_seq = count(1)
PASSWORD = "mot-de-passe-solide"
# Cheap hashes keep the suite fast; the real cost is tested in tests/core/test_auth.py.
_HASH = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")


def make_entity(session: Session, code: str | None = None, parent: Entity | None = None,
                type: str | None = None, name: str | None = None) -> Entity:
    code = code or f"ENT{next(_seq)}"
    entity = Entity(
        code=code,
        name=name or f"Entité {code}",
        type=type or ("ministere" if parent is None else "tutelle"),
        parent_id=parent.id if parent else None,
        delays={"normale": 30, "urgente": 8, "tres_urgente": 4},
    )
    session.add(entity)
    session.flush()
    return entity


def make_user(session: Session, entity: Entity, roles: tuple[str, ...] = ("agent",),
              login: str | None = None, must_change_password: bool = False) -> User:
    login = login or f"user{next(_seq)}"
    user = User(
        login=login,
        name=f"Utilisateur {login}",
        email=f"{login}@example.tg",
        entity_id=entity.id,
        password_hash=_HASH,
        must_change_password=must_change_password,
    )
    user.roles = [RoleAssignment(entity_id=entity.id, role=role) for role in roles]
    session.add(user)
    session.flush()
    return user


def make_ministry(session: Session) -> dict[str, Entity]:
    """MDERM with CEET and ARSE under it, and a service under CEET."""
    mderm = make_entity(session, "MDERM", type="ministere")
    ceet = make_entity(session, "CEET", parent=mderm, type="tutelle")
    arse = make_entity(session, "ARSE", parent=mderm, type="tutelle")
    ceet_com = make_entity(session, "CEET-COM", parent=ceet, type="service")
    return {"MDERM": mderm, "CEET": ceet, "ARSE": arse, "CEET-COM": ceet_com}


def make_demarche(session: Session, entity: Entity, code: str | None = None,
                  active: bool = True) -> Demarche:
    code = code or f"{entity.code}-DEM{next(_seq)}"
    demarche = Demarche(
        code=code,
        title=f"Démarche {code}",
        entity_id=entity.id,
        audience=["citoyens", "entreprises"],
        description="Une démarche de test.",
        pieces=["Copie de la carte d'identité"],
        steps=["Dépôt", "Instruction"],
        cost_amount=25000,
        cost_currency="XOF",
        delay_days=15,
        online=True,
        active=active,
    )
    session.add(demarche)
    session.flush()
    return demarche
