"""The fold of the event log into daily counts: each event is read once, in the log's order.

The log is append-only and its sequence numbers are given under one lock, in commit order, so
a cursor on ``seq`` never skips an event: whatever has a number at or below the head is
committed. Folding is idempotent per event because the cursor moves in the same transaction
as the counts it adds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, case, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.audit import AuditHead, Event
from core.db import read_only, utcnow
from core.runtime import Runtime
from courrier.models import Courrier, Step
from ged.models import Page
from supervision.models import DailyCount, FoldCursor, MonthlyCount

BATCH = 10_000
# A refresh of the room folds at most this many events; ``atd supervision rattraper`` folds
# the whole backlog once after an upgrade (minutes on millions of events).
REFRESH_LIMIT = 50_000
TREATED = ("repondu", "traite_sans_suite")
MAX_DAYS = 365  # a treatment that took longer counts as 365 days
MAX_HOURS = 720  # a first routing that took longer counts as 720 hours (30 days)
COURRIER_ACTIONS = (
    "courrier.enregistrer", "courrier.imputer", "courrier.repondre",
    "courrier.classer_sans_suite", "courrier.clore", "courrier.annuler",
)
GED_ACTIONS = ("ged.document.ajoute", "ged.extraction.terminee", "ged.extraction.echouee")

Key = tuple[int, date, str, str]


def _cursor(session: Session) -> FoldCursor:
    # Locked: two rooms refreshing at once fold each event once (the second waits, then sees
    # the moved cursor). populate_existing: re-read it after the wait.
    query = select(FoldCursor).where(FoldCursor.id == 1).with_for_update()
    cursor = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if cursor is None:
        cursor = FoldCursor(id=1, seq=0, updated_at=utcnow())
        session.add(cursor)
        session.flush()
    return cursor


def head_seq(session: Session) -> int:
    return session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0


def lag(session: Session) -> int:
    """How many events the daily counts have not folded yet."""
    folded = session.scalar(select(FoldCursor.seq).where(FoldCursor.id == 1)) or 0
    return max(0, head_seq(session) - folded)


class _Tally:
    """The counts one batch adds, keyed by (entity, day, metric, dimension)."""

    def __init__(self) -> None:
        self.counts: Counter[Key] = Counter()

    def add(self, entity_id: int | None, day: date, metric: str, dim: object = "",
            n: int = 1) -> None:
        if entity_id is not None and n:
            self.counts[(entity_id, day, metric, str(dim))] += n


# What the fold needs of a courrier: read as plain rows, not as objects to track.
_COURRIER = (Courrier.id, Courrier.entity_id, Courrier.direction, Courrier.channel,
             Courrier.registered_at, Courrier.due_on, Courrier.holder_entity_id)


def _courrier(tally: _Tally, action: str, at: datetime, target: str | None,
              courrier: Any) -> None:
    entity, day = courrier.entity_id, at.date()
    if action == "courrier.enregistrer":
        # The registration's own date: a register taken over from paper, or the demo's
        # history, is registered now but dated when the letter came in.
        registered = courrier.registered_at.date()
        tally.add(entity, registered, "depart" if courrier.direction == "depart" else
                  "enregistre", "" if courrier.direction == "depart" else courrier.channel)
        return
    if courrier.direction == "depart":
        return  # a départ's own circuit is not the treatment of incoming mail
    if action == "courrier.imputer":
        hours = int((at - courrier.registered_at).total_seconds() // 3600)
        tally.add(entity, day, "impute")
        tally.add(entity, day, "delai_imputation", min(max(hours, 0), MAX_HOURS))
    elif target in TREATED:
        days = (day - courrier.registered_at.date()).days
        tally.add(entity, day, "traite")
        tally.add(entity, day, "repondu", n=int(target == "repondu"))
        tally.add(entity, day, "delai_traitement", min(max(days, 0), MAX_DAYS))
        tally.add(entity, day, "a_temps", n=int(courrier.due_on is None or day <= courrier.due_on))
        tally.add(entity, day, "traite_service", courrier.holder_entity_id or "")
    elif target in ("clos", "annule"):
        tally.add(entity, day, target)


def _ocr_pages(session: Session, version_ids: Iterable[int]) -> dict[int, tuple[int, float]]:
    """OCR'd pages of each version, and the sum of their confidences."""
    ids = list(version_ids)
    if not ids:
        return {}
    is_ocr = case((Page.source == "ocr", 1), else_=0)
    confidence = case((Page.source == "ocr", func.coalesce(Page.confidence, 0.0)), else_=0.0)
    rows = session.execute(
        select(Page.version_id, func.sum(is_ocr), func.sum(confidence))
        .where(Page.version_id.in_(ids)).group_by(Page.version_id)
    )
    return {vid: (int(n or 0), float(total or 0.0)) for vid, n, total in rows}


def _ged(tally: _Tally, rows: Sequence[Any], ocr: dict[int, tuple[int, float]]) -> None:
    for row in rows:
        day = row.created_at.date()
        if row.action == "ged.document.ajoute":
            tally.add(row.entity_id, day, "documents")
        elif row.action == "ged.extraction.echouee":
            tally.add(row.entity_id, day, "echecs_extraction")
        else:
            pages, (ocr_pages, confidence) = int(row.pages or 0), ocr.get(
                int(row.object_id), (0, 0.0))
            tally.add(row.entity_id, day, "versions_lues")
            tally.add(row.entity_id, day, "pages", n=pages)
            tally.add(row.entity_id, day, "pages_ocr", n=ocr_pages)
            # Tenths of a point, so that the mean confidence is exact to the tenth.
            tally.add(row.entity_id, day, "confiance_ocr", n=round(confidence * 10))


def _history(session: Session, ids: Collection[int]) -> dict[tuple[int, str], list[datetime]]:
    """When each courrier took each counted step, from its own history (``courrier_step``)."""
    if not ids:
        return {}
    steps = [action.removeprefix("courrier.") for action in COURRIER_ACTIONS]
    rows = session.execute(
        select(Step.courrier_id, Step.action, Step.at)
        .where(Step.courrier_id.in_(ids), Step.action.in_(steps)).order_by(Step.at)
    )
    found: dict[tuple[int, str], list[datetime]] = {}
    for courrier_id, action, at in rows:
        found.setdefault((courrier_id, f"courrier.{action}"), []).append(at)
    return found


def _when(history: dict[tuple[int, str], list[datetime]], courrier_id: int, action: str,
          logged: datetime) -> datetime:
    """The time of the step an event reports: the latest such step not after the event.

    Live, the step is written a moment before its event, so this is the event's own time; a
    history written afterwards (an imported register, the demo's past months) keeps its dates.
    """
    times = history.get((courrier_id, action), [])
    index = bisect_right(times, logged)
    return times[index - 1] if index else logged


def _fold_batch(session: Session, after: int, upto: int) -> int:
    # Only the two values the fold reads from the JSON, extracted by the database.
    rows = session.execute(
        select(Event.seq, Event.action, Event.created_at, Event.object_id, Event.entity_id,
               Event.data["vers"].as_string().label("vers"),
               Event.data["pages"].as_integer().label("pages"))
        .where(Event.seq > after, Event.seq <= upto,
               Event.action.in_(COURRIER_ACTIONS + GED_ACTIONS))
    ).all()
    tally = _Tally()
    mail = [r for r in rows if r.action in COURRIER_ACTIONS]
    ids = {int(r.object_id) for r in mail}
    courriers = {c.id: c for c in session.execute(select(*_COURRIER).where(Courrier.id.in_(ids)))}
    history = _history(session, ids)
    for row in mail:
        courrier = courriers.get(int(row.object_id))
        if courrier is not None:
            at = _when(history, courrier.id, row.action, row.created_at)
            _courrier(tally, row.action, at, row.vers, courrier)
    ged = [r for r in rows if r.action in GED_ACTIONS]
    read = [int(r.object_id) for r in ged if r.action == "ged.extraction.terminee"]
    _ged(tally, ged, _ocr_pages(session, read))
    _add(session, tally.counts)
    return len(rows)


# PostgreSQL: the whole batch in one statement, its columns sent as five arrays.
_PG_UPSERT = """
    INSERT INTO {table} (entity_id, day, metric, dim, n)
    SELECT * FROM unnest(CAST(:e AS integer[]), CAST(:d AS date[]), CAST(:m AS varchar[]),
                         CAST(:x AS varchar[]), CAST(:n AS bigint[]))
    ON CONFLICT (entity_id, day, metric, dim) DO UPDATE SET n = {table}.n + excluded.n
"""


def _add(session: Session, counts: Counter[Key]) -> None:
    """Add the counts to the daily table, and the same by month to the monthly one."""
    by_month: Counter[Key] = Counter()
    for (entity_id, day, metric, dim), n in counts.items():
        by_month[(entity_id, day.replace(day=1), metric, dim)] += n
    _upsert(session, cast(Table, DailyCount.__table__), counts)
    _upsert(session, cast(Table, MonthlyCount.__table__), by_month)


def _upsert(session: Session, table: Table, counts: Counter[Key]) -> None:
    if not counts:
        return
    if session.get_bind().dialect.name == "postgresql":
        columns = list(zip(*((*key, n) for key, n in counts.items()), strict=True))
        session.execute(text(_PG_UPSERT.format(table=table.name)),
                        dict(zip("edmxn", map(list, columns), strict=True)))
        return
    statement = sqlite_insert(table)
    session.execute(statement.on_conflict_do_update(
        index_elements=["entity_id", "day", "metric", "dim"],
        set_={"n": table.c.n + statement.excluded.n},
    ), [{"entity_id": e, "day": d, "metric": m, "dim": dim, "n": n}
        for (e, d, m, dim), n in counts.items()])


def fold(session: Session, limit: int | None = None, batch: int = BATCH) -> int:
    """Fold the events after the cursor into the daily counts, in the caller's transaction.

    Returns the number of events read (those that count for nothing included).
    """
    cursor = _cursor(session)
    head = head_seq(session)
    if limit is not None:
        head = min(head, cursor.seq + limit)
    read = 0
    while cursor.seq < head:
        upto = min(cursor.seq + batch, head)
        read += _fold_batch(session, cursor.seq, upto)
        cursor.seq, cursor.updated_at = upto, utcnow()
        session.flush()
    return read


def catch_up(runtime: Runtime, limit: int | None = REFRESH_LIMIT) -> int:
    """Fold what the log gained since the last fold, in a transaction of its own.

    A quick read first: a room refreshing every few seconds takes no write lock when nothing
    happened (on SQLite a writer holds the whole file).
    """
    check = read_only(runtime.sessions())
    try:
        behind = lag(check)
    finally:
        check.close()
    if not behind:
        return 0
    with runtime.session() as session:
        return fold(session, limit)
