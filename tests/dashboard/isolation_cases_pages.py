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
)


def _laid_out_elsewhere(html, *, base_url):
    """Stands in for WeasyPrint in the matrix: each real PDF takes seconds to lay out, and the
    matrix is about who may open the route. tests/dashboard/test_board_report_pdf.py renders and
    checks a real one."""
    return b"%PDF-1.7 (not laid out by the isolation matrix)"


CASES = (
    [ScopedURL(name, "viewer", level=level) for name in PAGES for level in LEVELS]
    + [
        ScopedURL(
            "dashboard:board_report_pdf",
            "viewer",
            level=level,
            patches={"dashboard.pdf.render": _laid_out_elsewhere},
        )
        for level in LEVELS
    ]
    + [
        ScopedURL(
            "dashboard:metric",
            "viewer",
            level=level,
            build=lambda org, make_user: {"code": org.code, "metric": "sickness_absence_rate"},
        )
        for level in LEVELS
    ]
    + [
        ScopedURL(
            name,
            "viewer",
            level=level,
            build=lambda org, make_user, extension=extension: {
                "code": org.code,
                "extension": extension,
            },
        )
        for name in ("dashboard:diversity_download", "dashboard:supply_download")
        for extension in ("csv", "xlsx")
        for level in LEVELS
    ]
    + [
        ScopedURL(
            "dashboard:metric_download",
            "viewer",
            level=level,
            build=lambda org, make_user, extension=extension: {
                "code": org.code,
                "metric": "sickness_absence_rate",
                "extension": extension,
            },
        )
        for extension in ("csv", "xlsx")
        for level in LEVELS
    ]
)
