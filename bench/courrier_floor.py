"""The floor under a courrier registration served by this stack: Flask under waitress running
the statements a registration through the toolkit runs, without the ORM and the domain code
above it, either through psycopg itself or through SQLAlchemy Core on the toolkit's own tables.

Usage (bench/courrier.py starts it): ``python bench/courrier_floor.py URL PORT [THREADS]
[psycopg|core]``.

It answers ``POST /api/v1/courriers`` as the toolkit does for the bench's body: the token and
its user, the entity, the user's roles, the entity tree, the sender, the holidays (due date in
working days), the event log's head locked, the counter row taken (a départ number, so that its
numbers are checked apart from the toolkit's arrivée ones), the courrier, its first step, the
event appended to the hash chain, one commit, the JSON answer; then, as the toolkit does when
Redis is configured (ATD_REDIS_URL, ATD_QUEUE_NAME), the courrier is marked for the search index
and the coalesced indexing job queued on rq, for the same ``atd worker`` to index it.
What this costs in CPU per registration is what the ORM, the domain code and the framework's
use could be brought down to at best, on the same machine in the same run: through psycopg,
with nothing of SQLAlchemy; through Core, with SQLAlchemy's statements, type handling and
connection pool but not its ORM.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

import psycopg
from flask import Flask, abort, jsonify, request
from psycopg.types.json import Json
from sqlalchemy import Table, bindparam, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import audit  # noqa: E402
from core.audit import AuditHead, Event  # noqa: E402
from core.auth import ApiToken, token_digest  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.identity import Entity, RoleAssignment, User  # noqa: E402
from core.jobs import RqQueue  # noqa: E402
from core.runtime import redis_client  # noqa: E402
from core.settings import load_settings  # noqa: E402
from courrier.calendar import WorkingCalendar  # noqa: E402
from courrier.chrono import format_chrono  # noqa: E402
from courrier.models import (  # noqa: E402
    AnnouncedHoliday,
    ChronoCounter,
    Correspondent,
    Courrier,
    Step,
)
from ged.search import INDEX_JOB  # noqa: E402

Row = tuple[Any, ...]

# The statements of a registration, by name, as psycopg runs them.
SQL = {
    "token_user": "SELECT u.id, u.login, u.name FROM api_token t JOIN user_account u"
                  " ON u.id = t.user_id WHERE t.token_hash = %(hash)s AND t.revoked_at IS NULL"
                  " AND u.active",
    "entity": "SELECT id, code FROM entity WHERE code = %(code)s AND active",
    "roles": "SELECT role, entity_id FROM role_assignment WHERE user_id = %(user_id)s",
    "tree": "SELECT id, parent_id FROM entity",
    "sender": "SELECT id, name, organisation, email FROM courrier_correspondent"
              " WHERE id = %(id)s AND active",
    "holidays": "SELECT day, name FROM courrier_holiday",
    "lock_log": "SELECT id FROM audit_head WHERE id = 1 FOR UPDATE",
    "take_number": "UPDATE courrier_chrono SET last = last + 1 WHERE entity_id = %(counter_entity)s"
                   " AND direction = 'depart' AND year = %(counter_year)s RETURNING last",
    "courrier": "INSERT INTO courrier (entity_id, direction, chrono, year, seq, registered_at,"
                " registered_by_id, received_on, sender_reference, subject, summary, sender_id,"
                " channel, priority, confidentiality, due_on, status, overdue, cancel_reason,"
                " updated_at, index_status, index_requested_at) VALUES (%(entity_id)s,"
                " %(direction)s, %(chrono)s, %(year)s, %(seq)s, %(registered_at)s,"
                " %(registered_by_id)s, %(received_on)s, %(sender_reference)s, %(subject)s,"
                " %(summary)s, %(sender_id)s, %(channel)s, %(priority)s, %(confidentiality)s,"
                " %(due_on)s, %(status)s, %(overdue)s, %(cancel_reason)s, %(updated_at)s,"
                " %(index_status)s, %(index_requested_at)s) RETURNING id",
    "step": "INSERT INTO courrier_step (courrier_id, at, actor_id, actor, action, note, data)"
            " VALUES (%(courrier_id)s, %(at)s, %(actor_id)s, %(actor)s, %(action)s, %(note)s,"
            " %(data)s)",
    "log_head": "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
    "move_head": "UPDATE audit_head SET seq = %(new_seq)s, hash = %(new_hash)s WHERE id = 1",
    "event": "INSERT INTO event (seq, created_at, actor_id, actor, action, object_type,"
             " object_id, entity_id, data, prev_hash, hash) VALUES (%(seq)s, %(created_at)s,"
             " %(actor_id)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s,"
             " %(entity_id)s, %(data)s, %(prev_hash)s, %(hash)s)",
}
JSON_PARAMS = frozenset({"data"})  # psycopg needs them wrapped; Core knows the column's type


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def core_statements() -> dict[str, Any]:
    """The same statements as SQLAlchemy Core constructs on the toolkit's tables."""
    token, user, entity = _table(ApiToken), _table(User), _table(Entity)
    roles, sender, holiday = _table(RoleAssignment), _table(Correspondent), _table(AnnouncedHoliday)
    head, counter = _table(AuditHead), _table(ChronoCounter)
    return {
        "token_user": select(user.c.id, user.c.login, user.c.name)
        .join_from(token, user, user.c.id == token.c.user_id)
        .where(token.c.token_hash == bindparam("hash"), token.c.revoked_at.is_(None),
               user.c.active),
        "entity": select(entity.c.id, entity.c.code)
        .where(entity.c.code == bindparam("code"), entity.c.active),
        "roles": select(roles.c.role, roles.c.entity_id)
        .where(roles.c.user_id == bindparam("user_id")),
        "tree": select(entity.c.id, entity.c.parent_id),
        "sender": select(sender.c.id, sender.c.name, sender.c.organisation, sender.c.email)
        .where(sender.c.id == bindparam("id"), sender.c.active),
        "holidays": select(holiday.c.day, holiday.c.name),
        "lock_log": select(head.c.id).where(head.c.id == 1).with_for_update(),
        "take_number": update(counter)
        .where(counter.c.entity_id == bindparam("counter_entity"),
               counter.c.direction == "depart", counter.c.year == bindparam("counter_year"))
        .values(last=counter.c.last + 1).returning(counter.c.last),
        "courrier": insert(_table(Courrier)).returning(_table(Courrier).c.id),
        "step": insert(_table(Step)),
        "log_head": select(head.c.seq, head.c.hash).where(head.c.id == 1).with_for_update(),
        "move_head": update(head).where(head.c.id == 1)
        .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")),
        "event": insert(_table(Event)),
    }


class Statements(Protocol):
    """One transaction's way of running the registration's statements by name."""

    def rows(self, name: str, **params: Any) -> list[Row]: ...

    def run(self, name: str, **params: Any) -> None: ...


class PsycopgStatements:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.cursor = cursor

    def rows(self, name: str, **params: Any) -> list[Row]:
        return self.cursor.execute(SQL[name], self._wrapped(params)).fetchall()

    def run(self, name: str, **params: Any) -> None:
        self.cursor.execute(SQL[name], self._wrapped(params))

    @staticmethod
    def _wrapped(params: dict[str, Any]) -> dict[str, Any]:
        return {k: Json(v) if k in JSON_PARAMS else v for k, v in params.items()}


class CoreStatements:
    def __init__(self, connection: Any, statements: dict[str, Any]) -> None:
        self.connection, self.statements = connection, statements

    def rows(self, name: str, **params: Any) -> list[Row]:
        return [tuple(row) for row in self.connection.execute(self.statements[name], params)]

    def run(self, name: str, **params: Any) -> None:
        self.connection.execute(self.statements[name], params)


def psycopg_transactions(dsn: str) -> Callable[[], Any]:
    """A transaction on this thread's own psycopg connection, as a context manager."""
    local = threading.local()

    @contextmanager
    def transaction() -> Iterator[Statements]:
        if getattr(local, "conn", None) is None:
            local.conn = psycopg.connect(dsn)
        with local.conn.transaction(), local.conn.cursor() as cursor:
            yield PsycopgStatements(cursor)

    return transaction


def core_transactions(url: str) -> Callable[[], Any]:
    """A transaction on a connection of the toolkit's own engine (its pool, its settings)."""
    engine, statements = make_engine(url), core_statements()

    @contextmanager
    def transaction() -> Iterator[Statements]:
        with engine.begin() as connection:
            yield CoreStatements(connection, statements)

    return transaction


def first(rows: list[Row]) -> Row | None:
    return rows[0] if rows else None


def register(db: Statements, body: dict[str, Any], bearer: str, index_status: str
             ) -> dict[str, Any]:
    """The registration's statements for the bench's body; the answer's fields."""
    user = first(db.rows("token_user", hash=token_digest(bearer)))
    entity = first(db.rows("entity", code=body["entite"]))
    if user is None or entity is None:
        abort(403)
    roles = db.rows("roles", user_id=user[0])
    tree = dict(db.rows("tree"))
    if not any(e == entity[0] or tree.get(entity[0]) == e for _r, e in roles):
        abort(403)
    sender = first(db.rows("sender", id=body["expediteur_id"]))
    if sender is None:
        abort(404)
    holidays: dict[date, str] = dict(db.rows("holidays"))
    today = date.today()
    due = WorkingCalendar(announced=holidays).add_working_days(today, 30)
    db.run("lock_log")
    seq = db.rows("take_number", counter_entity=entity[0], counter_year=today.year)[0][0]
    chrono = format_chrono(entity[1], "depart", today.year, seq)
    now = datetime.now(UTC)
    courrier_id = db.rows(
        "courrier", entity_id=entity[0], direction="depart", chrono=chrono, year=today.year,
        seq=seq, registered_at=now, registered_by_id=user[0], received_on=today,
        sender_reference=body["reference"], subject=body["objet"], summary="",
        sender_id=sender[0], channel="physique", priority=body["priorite"],
        confidentiality="normal", due_on=due, status="enregistre", overdue=False,
        cancel_reason="", updated_at=now, index_status=index_status,
        index_requested_at=now)[0][0]
    data = {"direction": "depart"}
    db.run("step", courrier_id=courrier_id, at=now, actor_id=user[0], actor=user[2],
           action="enregistrer", note="", data=data)
    head_seq, head_hash = db.rows("log_head")[0]
    # A transient Event only to hash it the log's own way; it is written by statement below.
    event = Event(seq=head_seq + 1, created_at=now, actor_id=user[0], actor=user[1],
                  action="courrier.enregistrer", object_type="courrier",
                  object_id=str(courrier_id), entity_id=entity[0],
                  data={"chrono": chrono, **data}, prev_hash=head_hash)
    event.hash = audit.digest(event)
    db.run("move_head", new_seq=event.seq, new_hash=event.hash)
    db.run("event", seq=event.seq, created_at=now, actor_id=event.actor_id, actor=event.actor,
           action=event.action, object_type=event.object_type, object_id=event.object_id,
           entity_id=event.entity_id, data=event.data, prev_hash=event.prev_hash,
           hash=event.hash)
    return {"id": courrier_id, "chrono": chrono, "entite": entity[1], "objet": body["objet"],
            "echeance": due.isoformat(), "enregistre_le": now.isoformat(),
            "expediteur": {"id": sender[0], "nom": sender[1]}}


def index_queue() -> RqQueue | None:
    """The toolkit's own rq queue, from the environment, when Redis is configured."""
    if not os.environ.get("ATD_REDIS_URL"):
        return None
    settings = load_settings()
    return RqQueue(SimpleNamespace(settings=settings, redis=redis_client(settings.redis_url)))


def create_floor_app(url: str, via: str = "psycopg") -> Flask:
    """The floor's application on the database of this SQLAlchemy URL."""
    app = Flask(__name__)
    queue = index_queue()
    index_status = "indexe" if queue is None else "a_indexer"
    if via == "core":
        transaction = core_transactions(url)
    else:
        transaction = psycopg_transactions(url.replace("postgresql+psycopg://", "postgresql://"))

    @app.post("/api/v1/courriers")
    def registration() -> tuple[object, int]:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with transaction() as db:
            answer = register(db, request.get_json(), bearer, index_status)
        if queue is not None:
            queue.submit(INDEX_JOB, (), {}, coalesce=True)
        return jsonify(answer), 201

    return app


if __name__ == "__main__":
    from waitress import serve

    url, port = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    via = sys.argv[4] if len(sys.argv) > 4 else "psycopg"
    serve(create_floor_app(url, via), host="127.0.0.1", port=port, threads=threads,
          ident=f"floor-{via}")
