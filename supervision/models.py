"""Tables of the supervision: daily counts folded from the event log, its cursor, thresholds.

The room reads flows (registered, routed, treated… per day) from ``supervision_daily``, which a
fold of the event log keeps current, and stocks (what is open right now) from the live tables
through the small partial indexes declared at the end of this module.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import Event
from core.db import Base, UTCDateTime, utcnow
from courrier.models import Courrier, Imputation
from courrier.workflow import OPEN_INCOMING

# The statuses of an incoming courrier still waiting for treatment, in a stable order.
OPEN_STATUSES = tuple(sorted(OPEN_INCOMING))
_OPEN = "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"
_PENDING_OPINION = "kind = 'avis' AND active AND answered_at IS NULL"
# The queries repeat the indexes' own conditions word for word: that is how PostgreSQL (even
# with a generic plan) and SQLite know the partial index holds every row they need.
OPEN_CONDITION = text(_OPEN)
PENDING_OPINION_CONDITION = text(_PENDING_OPINION)


class _Counts:
    """How many times ``metric`` happened in an entity on a day, split by ``dim``.

    ``dim`` is the channel of a registration, the number of days a treatment took, the id of
    the service that treated it…: one narrow table holds every flow the room shows.
    """

    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(30), primary_key=True)
    dim: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyCount(_Counts, Base):
    __tablename__ = "supervision_daily"


class MonthlyCount(_Counts, Base):
    """The same counts by month (``day`` is the 1st): a year is 12 rows, not 365."""

    __tablename__ = "supervision_monthly"


class FoldCursor(Base):
    """The last event folded into ``supervision_daily`` (one row, locked while folding)."""

    __tablename__ = "supervision_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Threshold(Base):
    """An alert threshold set for an entity; it holds for the entities below that set none."""

    __tablename__ = "supervision_threshold"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# Stocks read from the live tables: the open courriers (a few per cent of all of them) and the
# opinions still awaited, each through a partial index that holds only those rows.
Index(
    "ix_courrier_open_entity",
    Courrier.entity_id, Courrier.registered_at, Courrier.due_on,
    postgresql_where=text(_OPEN), sqlite_where=text(_OPEN),
)
Index(
    "ix_courrier_imputation_pending_opinion",
    Imputation.entity_id, Imputation.routed_at, Imputation.due_on,
    postgresql_where=text(_PENDING_OPINION), sqlite_where=text(_PENDING_OPINION),
)
# The live feed: the latest events of a few entities without reading the others' events.
Index("ix_event_entity_seq", Event.entity_id, Event.seq)
