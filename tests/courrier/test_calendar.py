"""The Togolese working-day calendar and the due dates computed from it."""

from __future__ import annotations

from datetime import date

import pytest

from courrier.calendar import WorkingCalendar, delay_for, due_date, easter_sunday, load_calendar
from courrier.config import announce_holiday
from tests.factories import make_entity


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25))],
)
def test_easter_sunday_matches_the_gregorian_computus(year, expected):
    assert easter_sunday(year) == expected


def test_easter_based_holidays_of_2026():
    holidays = WorkingCalendar().holidays(2026)
    assert holidays[date(2026, 4, 6)] == "Lundi de Pâques"
    assert holidays[date(2026, 5, 14)] == "Ascension"
    assert holidays[date(2026, 5, 25)] == "Lundi de Pentecôte"


def test_fixed_holidays_are_not_working_days():
    calendar = WorkingCalendar()
    for day in (date(2026, 1, 1), date(2026, 4, 27), date(2026, 5, 1), date(2026, 6, 21),
                date(2026, 8, 15), date(2026, 11, 1), date(2026, 12, 25)):
        assert not calendar.is_working_day(day), day


def test_weekends_are_not_working_days():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2026, 12, 5))  # Saturday
    assert not calendar.is_working_day(date(2026, 12, 6))  # Sunday
    assert calendar.is_working_day(date(2026, 12, 7))


def test_adding_working_days_skips_weekends_and_holidays():
    """GIVEN Friday 24 April 2026 WHEN adding 2 working days THEN Monday 27 (independence) and
    the weekend are skipped: Wednesday 29."""
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    assert calendar.add_working_days(date(2026, 4, 24), 2) == date(2026, 4, 29)
    assert calendar.add_working_days(date(2026, 4, 24), 0) == date(2026, 4, 24)


def test_announced_muslim_feasts_count_as_holidays():
    """The Tabaski is set each year: once announced, the due date moves past it."""
    tabaski = date(2026, 5, 27)
    plain = WorkingCalendar()
    announced = WorkingCalendar(announced={tabaski: "Tabaski"})
    assert plain.is_working_day(tabaski)
    assert not announced.is_working_day(tabaski)
    assert announced.add_working_days(date(2026, 5, 26), 1) == date(2026, 5, 28)


def test_working_days_between_counts_after_start_up_to_end():
    calendar = WorkingCalendar()
    assert calendar.working_days_between(date(2026, 12, 4), date(2026, 12, 8)) == 2
    assert calendar.working_days_between(date(2026, 12, 8), date(2026, 12, 4)) == 0


def test_due_date_follows_the_entity_delay_for_the_priority(db_session):
    parent = make_entity(db_session, "MIN")
    parent.delays = {"normale": 10, "urgente": 3}
    child = make_entity(db_session, "SERV", parent=parent)
    child.delays = {"urgente": 2}
    db_session.flush()
    assert delay_for(db_session, child, "urgente") == 2
    assert delay_for(db_session, child, "normale") == 10  # inherited from the parent
    assert delay_for(db_session, child, "tres_urgente") == 4  # the toolkit's default
    calendar = WorkingCalendar()
    assert due_date(db_session, calendar, child, "urgente", date(2026, 12, 4)) == date(2026, 12, 8)


def test_holidays_announced_in_the_database_are_loaded(db_session):
    announce_holiday(db_session, None, date(2026, 3, 20), "Aïd el-Fitr")
    calendar = load_calendar(db_session)
    assert calendar.holidays(2026)[date(2026, 3, 20)] == "Aïd el-Fitr"
    assert not calendar.is_working_day(date(2026, 3, 20))
