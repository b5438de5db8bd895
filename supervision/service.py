"""What the room, the API and the command line ask of the supervision, permissions included."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.db import read_only
from core.errors import PermissionDenied
from core.identity import User
from core.runtime import Runtime, runtime_of
from supervision import feed, metrics, summary
from supervision.periods import parse_period, today
from supervision.scope import Scope, scope_for


@contextmanager
def reading(runtime: Runtime) -> Iterator[Session]:
    """A session of its own that only reads, opened after the fold so that it sees its counts
    (a SQLite reader keeps the snapshot of its first read)."""
    session = read_only(runtime.sessions())
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _viewer(session: Session, user: User | None) -> User | None:
    return session.get(User, user.id) if user is not None else None


def kpis(runtime: Runtime, user: User | None, code: str | None = None, du: str | None = None,
         au: str | None = None, on: date | None = None) -> dict[str, Any]:
    """Every figure the user may see (``user`` None: the whole ministry, for the command line).

    Raises:
        ValidationError: a malformed or too long period.
        NotFound, PermissionDenied: an unknown entity, or one the user does not supervise.
    """
    on = on or today()
    period = parse_period(du, au, on)
    with reading(runtime) as session:
        scope_for(session, _viewer(session, user), code)  # refuse before any write
    summary.catch_up(runtime)
    with reading(runtime) as session:
        scope = scope_for(session, _viewer(session, user), code)
        return metrics.compute(session, scope, period, on, summary.lag(session))


def scope(runtime: Runtime, user: User | None, code: str | None = None) -> Scope:
    with reading(runtime) as session:
        return scope_for(session, _viewer(session, user), code)


def latest_events(runtime: Runtime, user: User | None, code: str | None = None,
                  limit: int = 12) -> list[dict[str, Any]]:
    """The live feed of what the user supervises."""
    with reading(runtime) as session:
        watched = scope_for(session, _viewer(session, user), code)
        return feed.latest(session, watched.ids, limit)


def alert_lines(session: Session, user: User) -> list[str]:
    """The alerts of the user's entities, one French line each, for their home page (none for
    a user who supervises nothing)."""
    try:
        figures = kpis(runtime_of(session), user)
    except PermissionDenied:
        return []
    units = figures["entites"]
    return [f"{unit['code']} : {alert['message']}" for unit in units for alert in unit["alertes"]]
