"""Financial-year quarters: 2026/27 Q3 is October to December 2026."""

import datetime as dt

import pytest

from delivery import quarters


@pytest.mark.parametrize(
    "day, label",
    [
        (dt.date(2026, 4, 1), "2026/27 Q1"),
        (dt.date(2026, 9, 30), "2026/27 Q2"),
        (dt.date(2026, 11, 23), "2026/27 Q3"),
        (dt.date(2027, 1, 1), "2026/27 Q4"),
        (dt.date(2027, 3, 31), "2026/27 Q4"),
        (dt.date(1999, 12, 31), "1999/00 Q3"),
    ],
)
def test_quarter_of_a_day(day, label):
    assert quarters.quarter_of(day) == label


def test_previous_and_following_cross_the_year_end():
    assert quarters.previous("2026/27 Q1") == "2025/26 Q4"
    assert quarters.following("2026/27 Q4") == "2027/28 Q1"
    assert quarters.previous(quarters.following("2026/27 Q2")) == "2026/27 Q2"


def test_months_of_a_quarter():
    assert quarters.months_of("2026/27 Q3") == "October to December 2026"
    assert quarters.months_of("2026/27 Q4") == "January to March 2027"


def test_recent_quarters_are_newest_first_and_sort_as_text():
    labels = quarters.recent(dt.date(2026, 11, 23))
    assert labels[:3] == ["2026/27 Q4", "2026/27 Q3", "2026/27 Q2"]
    assert len(labels) == 9
    assert labels == sorted(labels, reverse=True)


@pytest.mark.parametrize("bad", ["2026 Q3", "2026/27 Q5", "2026/28 Q1", "", "26/27 Q1"])
def test_a_malformed_label_is_refused_with_the_right_form(bad):
    with pytest.raises(ValueError, match="2026/27"):
        quarters.parse(bad)
