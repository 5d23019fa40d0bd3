"""Financial-year quarters as the NHS reports them: "2026/27 Q3" is October to December 2026.

Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March. The label sorts
correctly as text, so the database can order and compare quarters as strings.
"""

import re
from datetime import date

QUARTER_RE = re.compile(r"^(\d{4})/(\d{2}) Q([1-4])$")
QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


def _label(start_year: int, q: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d} Q{q}"


def parse(label: str) -> tuple[int, int]:
    """(first year of the financial year, quarter number) or ValueError with a clear message."""
    match = QUARTER_RE.match(label or "")
    if not match:
        raise ValueError(f"{label!r} is not a quarter; write it like 2026/27 Q3.")
    start, end, q = int(match[1]), int(match[2]), int(match[3])
    if (start + 1) % 100 != end:
        raise ValueError(
            f"{label!r} is not a financial year; the years must follow on, like 2026/27."
        )
    return start, q


def quarter_of(day: date) -> str:
    if day.month >= 4:
        return _label(day.year, (day.month - 4) // 3 + 1)
    return _label(day.year - 1, 4)


def previous(label: str) -> str:
    start, q = parse(label)
    return _label(start - 1, 4) if q == 1 else _label(start, q - 1)


def following(label: str) -> str:
    start, q = parse(label)
    return _label(start + 1, 1) if q == 4 else _label(start, q + 1)


def months_of(label: str) -> str:
    start, q = parse(label)
    year = start + 1 if q == 4 else start
    return f"{QUARTER_MONTHS[q]} {year}"


def recent(today: date, back: int = 7, ahead: int = 1) -> list[str]:
    """Quarters around ``today``, newest first: for choosing a quarter in a form."""
    current = quarter_of(today)
    labels = [current]
    for _ in range(ahead):
        labels.insert(0, following(labels[0]))
    for _ in range(back):
        labels.append(previous(labels[-1]))
    return labels
