"""The floor under a courrier registration served by this stack: Flask under waitress and
psycopg, running the statements a registration through the toolkit runs, without the ORM and
the domain code above it.

Usage (bench/courrier.py starts it): ``python bench/courrier_floor.py DSN PORT [THREADS]``.

It answers ``POST /api/v1/courriers`` as the toolkit does for the bench's body: the token and
its user, the entity, the user's roles, the entity tree, the sender, the holidays (due date in
working days), the event log's head locked, the counter row taken (a départ number, so that its
numbers are checked apart from the toolkit's arrivée ones), the courrier, its first step, the
event appended to the hash chain, one commit, the JSON answer; then, as the toolkit does when
Redis is configured (ATD_REDIS_URL, ATD_QUEUE_NAME), the courrier is marked for the search index
and the coalesced indexing job queued on rq, for the same ``atd worker`` to index it.
What this costs in CPU per registration is what the ORM, the domain code and the framework's
use could be brought down to at best, on the same machine in the same run.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import psycopg
from flask import Flask, abort, jsonify, request
from psycopg.types.json import Json

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import audit  # noqa: E402
from core.audit import Event  # noqa: E402
from core.auth import token_digest  # noqa: E402
from core.jobs import RqQueue  # noqa: E402
from core.runtime import redis_client  # noqa: E402
from core.settings import load_settings  # noqa: E402
from courrier.calendar import WorkingCalendar  # noqa: E402
from courrier.chrono import format_chrono  # noqa: E402
from ged.search import INDEX_JOB  # noqa: E402


def index_queue() -> RqQueue | None:
    """The toolkit's own rq queue, from the environment, when Redis is configured."""
    if not os.environ.get("ATD_REDIS_URL"):
        return None
    settings = load_settings()
    return RqQueue(SimpleNamespace(settings=settings, redis=redis_client(settings.redis_url)))


def create_floor_app(dsn: str) -> Flask:
    app = Flask(__name__)
    local = threading.local()
    queue = index_queue()
    index_status = "indexe" if queue is None else "a_indexer"

    def connection() -> psycopg.Connection:
        if getattr(local, "conn", None) is None:
            local.conn = psycopg.connect(dsn)
        return local.conn

    @app.post("/api/v1/courriers")
    def register() -> tuple[object, int]:
        body = request.get_json()
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        conn = connection()
        with conn.transaction(), conn.cursor() as cur:
            user = cur.execute(
                "SELECT u.id, u.login, u.name FROM api_token t JOIN user_account u"
                " ON u.id = t.user_id WHERE t.token_hash = %s AND t.revoked_at IS NULL"
                " AND u.active", (token_digest(bearer),)).fetchone()
            entity = cur.execute("SELECT id, code FROM entity WHERE code = %s AND active",
                                 (body["entite"],)).fetchone()
            if user is None or entity is None:
                abort(403)
            roles = cur.execute("SELECT role, entity_id FROM role_assignment WHERE user_id = %s",
                                (user[0],)).fetchall()
            tree = dict(cur.execute("SELECT id, parent_id FROM entity").fetchall())
            if not any(e == entity[0] or tree.get(entity[0]) == e for _r, e in roles):
                abort(403)
            sender = cur.execute(
                "SELECT id, name, organisation, email FROM courrier_correspondent"
                " WHERE id = %s AND active", (body["expediteur_id"],)).fetchone()
            holidays = dict(cur.execute("SELECT day, name FROM courrier_holiday").fetchall())
            today = date.today()
            due = WorkingCalendar(announced=holidays).add_working_days(today, 30)
            cur.execute("SELECT id FROM audit_head WHERE id = 1 FOR UPDATE")
            seq = cur.execute(
                "UPDATE courrier_chrono SET last = last + 1 WHERE entity_id = %s"
                " AND direction = 'depart' AND year = %s RETURNING last",
                (entity[0], today.year)).fetchone()[0]
            chrono = format_chrono(entity[1], "depart", today.year, seq)
            now = datetime.now(UTC)
            courrier_id = cur.execute(
                "INSERT INTO courrier (entity_id, direction, chrono, year, seq, registered_at,"
                " registered_by_id, received_on, sender_reference, subject, summary, sender_id,"
                " channel, priority, confidentiality, due_on, status, overdue, cancel_reason,"
                " updated_at, index_status, index_requested_at) VALUES (%s, 'depart', %s, %s,"
                " %s, %s, %s, %s, %s, %s, '', %s, 'physique', %s, 'normal', %s, 'enregistre',"
                " false, '', %s, %s, %s) RETURNING id",
                (entity[0], chrono, today.year, seq, now, user[0], today, body["reference"],
                 body["objet"], sender[0], body["priorite"], due, now, index_status,
                 now)).fetchone()[0]
            data = {"direction": "depart"}
            cur.execute(
                "INSERT INTO courrier_step (courrier_id, at, actor_id, actor, action, note, data)"
                " VALUES (%s, %s, %s, %s, 'enregistrer', '', %s)",
                (courrier_id, now, user[0], user[2], Json(data)))
            head_seq, head_hash = cur.execute(
                "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetchone()
            # A transient Event only to hash it the log's own way; it is written by hand below.
            event = Event(seq=head_seq + 1, created_at=now, actor_id=user[0], actor=user[1],
                          action="courrier.enregistrer", object_type="courrier",
                          object_id=str(courrier_id), entity_id=entity[0],
                          data={"chrono": chrono, **data}, prev_hash=head_hash)
            event.hash = audit.digest(event)
            cur.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1",
                        (event.seq, event.hash))
            cur.execute(
                "INSERT INTO event (seq, created_at, actor_id, actor, action, object_type,"
                " object_id, entity_id, data, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s,"
                " %s, %s, %s, %s, %s)",
                (event.seq, now, event.actor_id, event.actor, event.action, event.object_type,
                 event.object_id, event.entity_id, Json(event.data), event.prev_hash,
                 event.hash))
        if queue is not None:
            queue.submit(INDEX_JOB, (), {}, coalesce=True)
        return jsonify(id=courrier_id, chrono=chrono, entite=entity[1], objet=body["objet"],
                       echeance=due.isoformat(), enregistre_le=now.isoformat(),
                       expediteur={"id": sender[0], "nom": sender[1]}), 201

    return app


if __name__ == "__main__":
    from waitress import serve

    dsn, port = sys.argv[1], int(sys.argv[2])
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    serve(create_floor_app(dsn), host="127.0.0.1", port=port, threads=threads, ident="floor")
