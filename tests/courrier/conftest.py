"""A small ministry with a mail office, a service and its people, for the courrier tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.identity import Entity, RoleAssignment, User
from courrier import service
from courrier.correspondents import CorrespondentInput, find_or_create
from courrier.models import Correspondent, Courrier
from tests.conftest import fresh_postgres_database, fresh_sqlite_database
from tests.factories import make_entity, make_user


@dataclass
class World:
    """MDERM > CEET > (CEET-COM, CEET-JUR), and ARSE beside CEET."""

    session: Session
    entities: dict[str, Entity]
    bo: User  # bureau d'ordre of CEET
    chef: User  # chef of CEET-COM
    agent: User  # agent of CEET-COM
    agent2: User  # another agent of CEET-COM
    juriste: User  # agent of CEET-JUR
    dg: User  # responsable of CEET
    arse_bo: User  # bureau d'ordre of ARSE
    sender: Correspondent

    def register(self, **fields: object) -> Courrier:
        values: dict[str, object] = {
            "entity_code": "CEET", "subject": "Demande de raccordement", "sender": self.sender.id,
            "received_on": service.today() - timedelta(days=1), "letter_date": None,
        }
        values.update(fields)
        courrier = service.register(self.session, self.bo, service.Registration(**values))  # type: ignore[arg-type]
        # Flushed, so that the pages (another session on the same transaction) see it.
        self.session.flush()
        return courrier


def build_world(session: Session) -> World:
    mderm = make_entity(session, "MDERM", type="ministere")
    ceet = make_entity(session, "CEET", parent=mderm, type="tutelle")
    com = make_entity(session, "CEET-COM", parent=ceet, type="service")
    jur = make_entity(session, "CEET-JUR", parent=ceet, type="service")
    arse = make_entity(session, "ARSE", parent=mderm, type="tutelle")
    entities = {e.code: e for e in (mderm, ceet, com, jur, arse)}
    bo = make_user(session, ceet, ("bureau_ordre",), login="bo.ceet")
    chef = make_user(session, com, ("chef_service",), login="chef.com")
    agent = make_user(session, com, ("agent",), login="agent.com")
    agent2 = make_user(session, com, ("agent",), login="agent2.com")
    juriste = make_user(session, jur, ("agent",), login="juriste")
    dg = make_user(session, ceet, ("responsable",), login="dg.ceet")
    arse_bo = make_user(session, arse, ("bureau_ordre",), login="bo.arse")
    sender = find_or_create(session, bo, CorrespondentInput("Société Béton du Golfe"))
    session.flush()
    return World(session, entities, bo, chef, agent, agent2, juriste, dg, arse_bo, sender)


@pytest.fixture
def world(db_session: Session) -> World:
    return build_world(db_session)


def add_role(session: Session, user: User, entity: Entity, role: str) -> None:
    session.add(RoleAssignment(user_id=user.id, entity_id=entity.id, role=role))
    session.flush()


def yesterday() -> date:
    return service.today() - timedelta(days=1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def committed_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own, where commits are real (on both backends)."""
    if request.param == "sqlite":
        yield fresh_sqlite_database(tmp_path)
    else:
        with fresh_postgres_database() as url:
            yield url


def make_document(session: Session, entity: Entity, title: str = "Lettre signée") -> int:
    """A GED document row (its file is not needed to attach it to a courrier)."""
    from ged.models import Document

    document = Document(title=title, entity_id=entity.id)
    session.add(document)
    session.flush()
    return document.id
