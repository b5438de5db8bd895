"""Gapless chrono numbers ``{ENTITY}-{A|D|I}-{YYYY}-{NNNNNN}``, taken in the caller's transaction.

The counter is a row per (entity, direction, year), incremented by an ``UPDATE … RETURNING``
in the registration's own transaction: PostgreSQL locks the row until the transaction ends,
and SQLite's ``BEGIN IMMEDIATE`` already serialises writers. A registration that rolls back
takes its increment with it, so no number is ever lost or given twice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.audit import AuditHead
from courrier.models import DIRECTION_LETTERS, ChronoCounter, Courrier

_LETTER_TO_DIRECTION = {letter: direction for direction, letter in DIRECTION_LETTERS.items()}
_PATTERN = re.compile(r"^(?P<entity>.+)-(?P<letter>[ADI])-(?P<year>\d{4})-(?P<seq>\d{6,})$")
_COUNTER = cast(Table, ChronoCounter.__table__)


@dataclass(frozen=True)
class Chrono:
    entity_code: str
    direction: str
    year: int
    seq: int

    def __str__(self) -> str:
        return format_chrono(self.entity_code, self.direction, self.year, self.seq)


def format_chrono(entity_code: str, direction: str, year: int, seq: int) -> str:
    """``CEET-A-2026-000042``: six digits at least, more only past 999,999 in a year."""
    return f"{entity_code}-{DIRECTION_LETTERS[direction]}-{year:04d}-{seq:06d}"


def parse_chrono(value: str) -> Chrono | None:
    """The parts of a chrono number, or None when the text is not one."""
    match = _PATTERN.match(value.strip().upper())
    if match is None:
        return None
    direction = _LETTER_TO_DIRECTION[match["letter"]]
    return Chrono(match["entity"], direction, int(match["year"]), int(match["seq"]))


def _lock_event_log(session: Session) -> None:
    # Every transaction that takes a number also appends to the event log. Locking the log's
    # head first gives all of them one lock order (log, then counter): two never deadlock.
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update())


def _create_counter(session: Session, entity_id: int, direction: str, year: int) -> None:
    values = {"entity_id": entity_id, "direction": direction, "year": year, "last": 0}
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    # A concurrent first registration of the year may create it too: then keep theirs.
    session.execute(dialect.insert(_COUNTER).values(**values).on_conflict_do_nothing())


def _increment(session: Session, entity_id: int, direction: str, year: int) -> int | None:
    statement = (
        update(_COUNTER)
        .where(
            _COUNTER.c.entity_id == entity_id,
            _COUNTER.c.direction == direction,
            _COUNTER.c.year == year,
        )
        .values(last=_COUNTER.c.last + 1)
        .returning(_COUNTER.c.last)
    )
    return session.execute(statement).scalar_one_or_none()


def take_number(session: Session, entity_id: int, direction: str, year: int) -> int:
    """The next number of the counter, held by this transaction until it ends."""
    _lock_event_log(session)
    number = _increment(session, entity_id, direction, year)
    if number is None:
        _create_counter(session, entity_id, direction, year)
        number = _increment(session, entity_id, direction, year)
    assert number is not None
    return number


def gaps(
    session: Session, entity_id: int, direction: str, year: int
) -> tuple[list[int], list[int]]:
    """Missing and duplicated numbers among the registered courriers (both empty: sound)."""
    seqs = list(
        session.scalars(
            select(Courrier.seq)
            .where(
                Courrier.entity_id == entity_id,
                Courrier.direction == direction,
                Courrier.year == year,
            )
            .order_by(Courrier.seq)
        )
    )
    counts = Counter(seqs)
    duplicated = sorted(n for n, times in counts.items() if times > 1)
    missing = [n for n in range(1, max(counts, default=0) + 1) if n not in counts]
    return missing, duplicated


def last_number(session: Session, entity_id: int, direction: str, year: int) -> int:
    """The last number given (0 when none yet)."""
    value = session.scalar(
        select(func.coalesce(func.max(_COUNTER.c.last), 0)).where(
            _COUNTER.c.entity_id == entity_id,
            _COUNTER.c.direction == direction,
            _COUNTER.c.year == year,
        )
    )
    return int(value or 0)
