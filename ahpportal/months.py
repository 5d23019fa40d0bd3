"""Calendar months, the one place the project does month arithmetic (with python-dateutil).

A month is represented by the ``date`` of its first day. Every app imports these instead of
writing its own ``year * 12 + month`` sums::

    from ahpportal import months

    months.add_months(date(2025, 11, 1), 3)          # date(2026, 2, 1)
    months.month_range(date(2025, 1, 9), date(2025, 3, 1))  # Jan, Feb, Mar 2025
    months.parse_month("2025-03")                     # date(2025, 3, 1)
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule


class MonthError(ValueError):
    """Text that is not a month; the message says why, quoting the text."""


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day + relativedelta(day=31)


def add_months(day: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``day``'s (before it when ``n`` < 0)."""
    return month_start(day) + relativedelta(months=n)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first``'s to ``last``'s, both included (empty if ``last`` is earlier)."""
    start, end = month_start(first), month_start(last)
    if end < start:
        return []
    return [when.date() for when in rrule(MONTHLY, dtstart=start, until=end)]


def months_ending(last: dt.date, count: int) -> list[dt.date]:
    """The ``count`` months ending with ``last``'s month, oldest first."""
    return [add_months(last, k) for k in range(1 - count, 1)]


def parse_month(text: str, *, any_day: bool = False) -> dt.date:
    """``YYYY-MM`` or ``YYYY-MM-DD`` as the first day of that month, or :class:`MonthError`.

    A full date must be the first of the month unless ``any_day`` is set (then any real day
    stands for its month).
    """
    text = text.strip()
    if len(text) == 7 and text[4] == "-":
        text = text + "-01"
    elif len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise MonthError(f"'{text}' is not a month as YYYY-MM")
    try:
        day = dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        raise MonthError(f"'{text}' is not a real month") from None
    if day.day != 1 and not any_day:
        raise MonthError(f"'{text}' is not a month: give YYYY-MM or the first day of the month")
    return month_start(day)
