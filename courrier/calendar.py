"""The Togolese working-day calendar, and due dates computed from priority and entity delays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.identity import PRIORITIES, Entity

# Fixed public holidays (month, day) of the Togolese Republic.
FIXED_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "Jour de l'an",
    (4, 27): "Fête de l'indépendance",
    (5, 1): "Fête du travail",
    (6, 21): "Fête des martyrs",
    (8, 15): "Assomption",
    (11, 1): "Toussaint",
    (12, 25): "Noël",
}
# Holidays placed from Easter Sunday, in days after it.
EASTER_HOLIDAYS: dict[int, str] = {
    1: "Lundi de Pâques",
    39: "Ascension",
    50: "Lundi de Pentecôte",
}
# Used when neither the entity nor any entity above it declares a delay for the priority.
DEFAULT_DELAYS: dict[str, int] = {"normale": 30, "urgente": 8, "tres_urgente": 4}
SATURDAY = 5


def easter_sunday(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass
class WorkingCalendar:
    """Weekends, fixed and Easter-based holidays, and the feasts announced each year.

    Args:
        announced: holidays whose date is set each year by decree (Aïd el-Fitr, Tabaski), as
            the administrators entered them.
    """

    announced: Mapping[date, str] = field(default_factory=dict)
    _years: dict[int, dict[date, str]] = field(default_factory=dict, repr=False)

    def holidays(self, year: int) -> dict[date, str]:
        """Every public holiday of the year with its name, in date order."""
        if year not in self._years:
            found = {date(year, m, d): name for (m, d), name in FIXED_HOLIDAYS.items()}
            easter = easter_sunday(year)
            found.update({easter + timedelta(days=n): name for n, name in EASTER_HOLIDAYS.items()})
            found.update({day: name for day, name in self.announced.items() if day.year == year})
            self._years[year] = dict(sorted(found.items()))
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.holidays(day.year)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working_day(current)
        return count


def delay_for(session: Session, entity: Entity, priority: str) -> int:
    """The processing delay in working days: the entity's, else the nearest ancestor's."""
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    current: Entity | None = entity
    while current is not None:
        value = (current.delays or {}).get(priority)
        if value is not None:
            return int(value)
        current = session.get(Entity, current.parent_id) if current.parent_id else None
    return DEFAULT_DELAYS[priority]


def load_calendar(session: Session) -> WorkingCalendar:
    """The calendar with the announced holidays stored in the database."""
    from courrier.models import AnnouncedHoliday

    rows = session.execute(select(AnnouncedHoliday.day, AnnouncedHoliday.name))
    return WorkingCalendar(announced={day: name for day, name in rows})


def due_date(session: Session, calendar: WorkingCalendar, entity: Entity, priority: str,
             start: date) -> date:
    """When a courrier received on ``start`` must be treated, by its priority and entity."""
    return calendar.add_working_days(start, delay_for(session, entity, priority))
