"""A small ministry whose courrier history is written by hand, date by date, for the metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core import audit
from core.audit import Event
from core.identity import Entity, User
from core.runtime import Runtime
from courrier.models import Courrier, Imputation
from tests.factories import make_entity, make_ministry, make_user

# "Today" of these tests: stocks (ages, overdue) are measured on it.
ON = date(2026, 3, 31)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def days_before(n: int, hour: int = 9) -> datetime:
    return at(ON - timedelta(days=n), hour)


@dataclass
class History:
    """MDERM > (CEET > CEET-COM, ARSE); courriers and their events dated as the test says."""

    session: Session
    runtime: Runtime
    entities: dict[str, Entity]
    bo: User
    _seq: Any = field(default_factory=lambda: count(1))

    def event(self, courrier: Courrier, action: str, when: datetime, **data: Any) -> Event:
        """An event of the courrier's history, dated ``when`` (the chain is not under test)."""
        event = audit.record(self.session, self.bo, action, "courrier", courrier.id,
                             courrier.entity_id, {"chrono": courrier.chrono, **data})
        event.created_at = when
        self.session.flush()
        return event

    def courrier(self, registered: datetime, entity: str = "CEET", channel: str = "physique",
                 due: date | None = None, status: str = "enregistre",
                 direction: str = "arrivee", holder: str | None = None) -> Courrier:
        """A courrier registered at ``registered`` (its registration event included)."""
        seq = next(self._seq)
        code = self.entities[entity].code
        courrier = Courrier(
            entity_id=self.entities[entity].id, direction=direction,
            chrono=f"{code}-{direction[0].upper()}-{registered.year}-{seq:06d}",
            year=registered.year, seq=seq, registered_at=registered,
            registered_by_id=self.bo.id, subject=f"Courrier {seq}", channel=channel,
            priority="normale", due_on=due, status=status,
            holder_entity_id=self.entities[holder].id if holder else None,
        )
        self.session.add(courrier)
        self.session.flush()
        self.event(courrier, "courrier.enregistrer", registered, direction=direction)
        return courrier

    def move(self, courrier: Courrier, action: str, when: datetime, de: str, vers: str) -> None:
        self.event(courrier, f"courrier.{action}", when, de=de, vers=vers)

    def route(self, courrier: Courrier, when: datetime) -> None:
        self.move(courrier, "imputer", when, "enregistre", "impute")

    def treat(self, courrier: Courrier, when: datetime, vers: str = "repondu") -> None:
        action = "repondre" if vers == "repondu" else "classer_sans_suite"
        self.move(courrier, action, when, "en_traitement", vers)

    def opinion(self, courrier: Courrier, service: str, asked: datetime,
                due: date | None = None) -> Imputation:
        imputation = Imputation(
            courrier_id=courrier.id, kind="avis", entity_id=self.entities[service].id,
            routed_by_id=self.bo.id, routed_at=asked, due_on=due, active=True,
        )
        self.session.add(imputation)
        self.session.flush()
        return imputation


@pytest.fixture
def history(db_session: Session, runtime: Runtime) -> History:
    entities = make_ministry(db_session)
    bo = make_user(db_session, entities["CEET"], ("bureau_ordre",), login="bo.ceet")
    return History(db_session, runtime, entities, bo)


@pytest.fixture
def march(history):
    """Four CEET courriers treated in March (one registered in February), one still open."""
    h = history
    c1 = h.courrier(at(date(2026, 3, 2)), due=date(2026, 3, 10), holder="CEET-COM")
    h.route(c1, at(date(2026, 3, 2), 13))
    h.treat(c1, at(date(2026, 3, 5)))
    c2 = h.courrier(at(date(2026, 3, 3)), channel="email", due=date(2026, 3, 15),
                    holder="CEET-COM")
    h.route(c2, at(date(2026, 3, 4)))
    h.treat(c2, at(date(2026, 3, 20)), vers="traite_sans_suite")
    c3 = h.courrier(at(date(2026, 3, 10)), channel="email", due=date(2026, 3, 20))
    h.route(c3, at(date(2026, 3, 10), 10))
    h.treat(c3, at(date(2026, 3, 11)))
    c4 = h.courrier(at(date(2026, 2, 20)), due=date(2026, 3, 1), holder="CEET-COM")
    h.treat(c4, at(date(2026, 3, 2)))
    h.move(c4, "clore", at(date(2026, 3, 3)), "repondu", "clos")
    h.courrier(at(date(2026, 3, 31)), channel="portail", due=date(2026, 4, 30))
    h.courrier(at(date(2026, 3, 12)), direction="depart", status="en_preparation")
    return h


def supervisor(session: Session, entity: Entity, role: str = "superviseur",
               login: str | None = None) -> User:
    return make_user(session, entity, (role,), login=login)


__all__ = ["ON", "History", "at", "days_before", "make_entity", "supervisor"]
