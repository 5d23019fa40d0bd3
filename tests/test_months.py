"""The one months module: month arithmetic across year ends, leap years and bad text."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ahpportal import months

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


def test_add_months_crosses_year_ends_both_ways():
    assert months.add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert months.add_months(dt.date(2025, 1, 31), -1) == dt.date(2024, 12, 1)
    assert months.add_months(dt.date(2025, 3, 15), 0) == dt.date(2025, 3, 1)
    assert months.add_months(dt.date(2025, 3, 1), -24) == dt.date(2023, 3, 1)


@given(days, st.integers(min_value=-300, max_value=300))
def test_add_months_moves_by_whole_months(day, n):
    moved = months.add_months(day, n)
    assert moved.day == 1
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == n
    assert months.add_months(moved, -n) == months.month_start(day)


def test_month_end_knows_leap_years():
    assert months.month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert months.month_end(dt.date(2025, 2, 1)) == dt.date(2025, 2, 28)
    assert months.month_end(dt.date(2025, 12, 31)) == dt.date(2025, 12, 31)


@given(days)
def test_month_end_is_the_day_before_the_next_month(day):
    end = months.month_end(day)
    assert end + dt.timedelta(days=1) == months.add_months(day, 1)


def test_month_range_includes_both_ends_and_takes_any_day():
    assert months.month_range(dt.date(2025, 11, 20), dt.date(2026, 2, 3)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert months.month_range(dt.date(2025, 5, 1), dt.date(2025, 5, 31)) == [dt.date(2025, 5, 1)]
    assert months.month_range(dt.date(2025, 5, 1), dt.date(2025, 4, 1)) == []


@given(days, st.integers(min_value=1, max_value=60))
def test_months_ending_and_month_range_agree(last, count):
    window = months.months_ending(last, count)
    assert len(window) == count
    assert window == months.month_range(window[0], last)
    assert window[-1] == months.month_start(last)


@pytest.mark.parametrize(
    ("text", "month"),
    [("2025-03", dt.date(2025, 3, 1)), ("2025-03-01", dt.date(2025, 3, 1))],
)
def test_parse_month_reads_yyyy_mm_or_the_first_of_the_month(text, month):
    assert months.parse_month(text) == month


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("March 2025", "is not a month as YYYY-MM"),
        ("2025-13", "'2025-13-01' is not a real month"),
        ("2025-02-30", "is not a real month"),
        ("2025-03-15", "give YYYY-MM or the first day of the month"),
    ],
)
def test_parse_month_says_what_is_wrong(text, words):
    with pytest.raises(months.MonthError, match=words):
        months.parse_month(text)


def test_parse_month_with_any_day_stands_for_its_month():
    assert months.parse_month("2025-03-15", any_day=True) == dt.date(2025, 3, 1)
    with pytest.raises(months.MonthError):
        months.parse_month("2025-02-30", any_day=True)
