"""The period a room, an API call or a command looks at: two days, both included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.db import utcnow
from core.errors import ValidationError
from core.forms import parse_day

DEFAULT_DAYS = 30
# Three years of daily counts stay cheap to sum; beyond, the question belongs to a report.
MAX_DAYS = 3 * 366


def today() -> date:
    # Lomé is on UTC all year round: the UTC date is the ministry's date.
    return utcnow().date()


def day_start(day: date) -> datetime:
    """Midnight (UTC) at the start of ``day``."""
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def last_days(days: int, until: date | None = None) -> Period:
    end = until or today()
    return Period(end - timedelta(days=days - 1), end)


def _parse(value: str | None, name: str) -> date | None:
    return parse_day(
        value, f"Date invalide pour « {name} » : « {value} » (format attendu AAAA-MM-JJ)."
    )


def parse_period(du: str | None, au: str | None, on: date | None = None) -> Period:
    """The period from ``du`` to ``au`` (AAAA-MM-JJ); by default the last 30 days.

    Raises:
        ValidationError: a date is malformed, the period is reversed or longer than three years.
    """
    start, end = _parse(du, "du"), _parse(au, "au")
    end = end or on or today()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationError("La période est inversée : « du » doit précéder « au ».")
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise ValidationError(
            f"La période dépasse {MAX_DAYS} jours : choisissez-en une plus courte."
        )
    return period
