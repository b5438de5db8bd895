"""Percentiles, shares and periods: the small arithmetic under every figure."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationError
from supervision.metrics.stats import percentile, share
from supervision.periods import MAX_DAYS, parse_period


def test_nearest_rank_median_of_an_even_count_is_the_lower_middle_value():
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 50) == 2


def test_p90_is_the_smallest_value_covering_ninety_percent():
    days = {0: 5, 1: 3, 12: 1, 40: 1}  # ten treatments
    assert percentile(days, 90) == 12
    assert percentile(days, 100) == 40


def test_percentile_of_nothing_is_none_and_share_of_nothing_is_none():
    assert percentile({}, 50) is None
    assert share(3, 0) is None
    assert share(1, 3) == 33.3


def test_default_period_is_the_last_thirty_days_both_included():
    period = parse_period(None, None, on=date(2026, 3, 31))
    assert (period.start, period.end, period.days) == (date(2026, 3, 2), date(2026, 3, 31), 30)


@pytest.mark.parametrize(("du", "au", "message"), [
    ("2026-13-01", None, "Date invalide pour « du »"),
    ("2026-03-10", "2026-03-01", "La période est inversée"),
    ("2020-01-01", "2026-01-01", f"La période dépasse {MAX_DAYS} jours"),
])
def test_bad_periods_are_refused_in_french(du, au, message):
    with pytest.raises(ValidationError, match=message):
        parse_period(du, au)
