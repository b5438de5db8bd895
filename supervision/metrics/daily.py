"""Reads of the counts folded from the event log: totals over a period and day-by-day series.

A period's whole months are read from the monthly table and only its ragged ends from the
daily one: a year costs a dozen rows per entity and metric instead of 365.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select, union_all
from sqlalchemy.orm import Session

from supervision.metrics.stats import PerEntity, per_entity
from supervision.models import DailyCount, MonthlyCount
from supervision.periods import Period

# The series the room draws day by day; every other metric is only summed over the period.
SERIES = ("enregistre", "traite")
Table = type[DailyCount] | type[MonthlyCount]


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def pieces(period: Period) -> list[tuple[Table, date, date]]:
    """The period as (table, first day, last day) pieces: whole months, then ragged days."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    after = period.end + timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # the day after the last month
    if first >= stop:
        return [(DailyCount, period.start, period.end)]
    found: list[tuple[Table, date, date]] = [(MonthlyCount, first, stop - timedelta(days=1))]
    if period.start < first:
        found.append((DailyCount, period.start, first - timedelta(days=1)))
    if stop <= period.end:
        found.append((DailyCount, stop, period.end))
    return found


def _in(table: Table, ids: Collection[int], start: date,
        end: date) -> tuple[ColumnElement[bool], ...]:
    return (table.entity_id.in_(sorted(ids)), table.day >= start, table.day <= end)


def totals(session: Session, ids: Collection[int], period: Period) -> PerEntity:
    """Each metric summed over the period, per entity, keyed by (metric, dimension)."""
    if not ids:
        return {}
    parts = union_all(*(
        select(table.entity_id, table.metric, table.dim, table.n)
        .where(*_in(table, ids, start, end))
        for table, start, end in pieces(period)
    )).subquery()
    rows = session.execute(
        select(parts.c.entity_id, parts.c.metric, parts.c.dim, func.sum(parts.c.n))
        .group_by(parts.c.entity_id, parts.c.metric, parts.c.dim)
    )
    return per_entity((entity_id, (metric, dim), total) for entity_id, metric, dim, total in rows)


def series(session: Session, ids: Collection[int], period: Period,
           metrics: Iterable[str] = SERIES) -> PerEntity:
    """The daily values of ``metrics`` per entity, keyed by (day, metric, dimension)."""
    if not ids:
        return {}
    rows = session.execute(
        select(DailyCount.entity_id, DailyCount.day, DailyCount.metric, DailyCount.dim,
               DailyCount.n)
        .where(*_in(DailyCount, ids, period.start, period.end),
               DailyCount.metric.in_(tuple(metrics)))
    )
    return per_entity((e, (day, metric, dim), n) for e, day, metric, dim, n in rows)
