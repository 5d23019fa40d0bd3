"""The Quality Dashboard pages in the isolation matrix (appended by isolation_cases.py)."""

from tests.isolation import ScopedURL

LEVELS = ("provider", "place", "ics", "region")
PAGES = (
    "dashboard:scorecard",
    "dashboard:diversity",
    "dashboard:supply",
    "dashboard:scorecard_csv",
    "dashboard:scorecard_xlsx",
    "dashboard:board_report",
    "dashboard:board_report_pdf",
)

CASES = [ScopedURL(name, "viewer", level=level) for name in PAGES for level in LEVELS] + [
    ScopedURL(
        "dashboard:metric",
        "viewer",
        level=level,
        build=lambda org, make_user: {"code": org.code, "metric": "sickness_absence_rate"},
    )
    for level in LEVELS
]
