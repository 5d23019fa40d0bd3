"""Import history per provider: a file uploaded for the ICS shows in each provider's history with
that provider's own counts, and nothing of the other providers' rows or errors."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.workforce.conftest import good_row
from workforce.models import ImportRun, ImportRunProvider, Staff


class _Table(HTMLParser):
    """The history table's body rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self._in_body = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


COLUMNS = ["when", "file", "for", "who", "sha", "rows", "added", "updated", "unchanged", "errors"]


def history(client, code):
    """``(page html, [{column: text}])`` of an organisation's import history."""
    response = client.get(reverse("workforce:imports", args=[code]))
    assert response.status_code == 200
    page = response.content.decode()
    parser = _Table()
    parser.feed(page)
    rows = [dict(zip(COLUMNS, cells, strict=False)) for cells in parser.rows if len(cells) > 1]
    return page, rows


def counts(row):
    return tuple(int(row[c]) for c in ("rows", "added", "updated", "unchanged", "errors"))


def staff(provider, n, start=0, **changes):
    return [
        good_row("staff", provider_code=provider, staff_id=f"{provider}-{i:03d}", **changes)
        for i in range(start, start + n)
    ]


ICS_FILE = staff("RP5", 3) + staff("RXE", 1) + staff("RHQ", 2)


@pytest.fixture
def people(client_for, tree):
    """Data managers at the ICS, a place, two providers of Doncaster and one of Sheffield."""
    return {
        code: client_for("data_manager", tree[code]) for code in ("QF7", "QF7-DON", "RP5", "RHQ")
    }


@pytest.fixture
def ics_run(people, run_import):
    run = run_import("staff", ICS_FILE, org="QF7", user=people["QF7"].user, name="ics-staff.csv")
    assert run.status == ImportRun.Status.COMMITTED, run.errors
    return run


def run_url(run, code=None, name="workforce:run"):
    return reverse(name, args=[code or run.organisation.code, run.pk])


def test_a_provider_sees_an_ics_level_run_with_its_own_counts(people, ics_run):
    page, rows = history(people["RHQ"], "RHQ")
    assert "No imports yet" not in page
    [row] = rows
    assert row["file"] == "Staff ics-staff.csv"
    assert row["who"] == people["QF7"].user.email
    assert row["sha"] == ics_run.sha256[:12] and ics_run.sha256 in page
    assert row["for"].startswith("South Yorkshire and Bassetlaw")
    assert "Counts for" in row["for"]
    assert counts(row) == (2, 2, 0, 0, 0)  # RHQ's 2 rows, not the file's 6
    assert "Imported" in page


def test_the_run_page_and_error_report_stay_404_for_a_provider_below_it(people, ics_run):
    page, _ = history(people["RHQ"], "RHQ")
    assert run_url(ics_run) not in page
    for name in ("workforce:run", "workforce:run_errors_csv"):
        for code in ("QF7", "RHQ"):
            assert people["RHQ"].get(run_url(ics_run, code, name)).status_code == 404
    assert people["RHQ"].post(run_url(ics_run, "RHQ")).status_code == 404


def test_a_provider_sees_none_of_the_other_providers_rows(people, tree, client_for, ics_run):
    page, [row] = history(people["RP5"], "RP5")
    assert counts(row) == (3, 3, 0, 0, 0)
    assert "RHQ" not in page and tree["RHQ"].name not in page
    assert "RXE" not in page and tree["RXE"].name not in page
    # A provider with no rows in the file does not see the run at all.
    sibling = client_for("data_manager", tree["RR8"])
    page, rows = history(sibling, "RR8")
    assert rows == [] and "No imports yet" in page
    assert sibling.get(run_url(ics_run, "RR8")).status_code == 404


def test_a_place_sees_the_counts_of_its_providers(people, ics_run):
    _, [row] = history(people["QF7-DON"], "QF7-DON")
    assert counts(row) == (4, 4, 0, 0, 0)  # RP5's 3 and RXE's 1
    assert people["QF7-DON"].get(run_url(ics_run)).status_code == 404


def test_the_ics_history_is_unchanged(people, ics_run):
    page, [row] = history(people["QF7"], "QF7")
    assert counts(row) == (6, 6, 0, 0, 0)
    assert "Counts for" not in row["for"]
    assert run_url(ics_run) in page
    assert people["QF7"].get(run_url(ics_run)).status_code == 200


def test_an_ics_manager_on_a_providers_history_gets_its_counts_and_the_link(people, ics_run):
    page, [row] = history(people["QF7"], "RHQ")
    assert counts(row) == (2, 2, 0, 0, 0)
    assert run_url(ics_run) in page  # they may open the whole run where it was uploaded


def test_the_counts_match_the_rows_written(people, tree, run_import, ics_run):
    for code, n in (("RP5", 3), ("RXE", 1), ("RHQ", 2)):
        share = ImportRunProvider.objects.get(run=ics_run, provider=tree[code])
        assert (share.rows_added, share.rows_updated, share.rows_unchanged) == (n, 0, 0)
        assert Staff.objects.filter(provider=tree[code]).count() == n

    corrected = staff("RP5", 4) + staff("RXE", 1) + staff("RHQ", 1) + staff("RHQ", 1, 1, fte="0.5")
    run = run_import("staff", corrected, org="QF7", user=people["QF7"].user, name="fix.csv")
    shares = {
        s.provider.code: (s.rows_added, s.rows_updated, s.rows_unchanged)
        for s in run.provider_counts.select_related("provider")
    }
    assert shares == {"RP5": (1, 0, 3), "RXE": (0, 0, 1), "RHQ": (0, 1, 1)}
    assert sum(a for a, _, _ in shares.values()) == run.rows_added == 1
    assert sum(u for _, u, _ in shares.values()) == run.rows_updated == 1
    assert Staff.objects.get(provider=tree["RHQ"], staff_id="RHQ-001").fte == 0.5
    _, rows = history(people["RHQ"], "RHQ")
    assert [r["file"] for r in rows] == ["Staff fix.csv", "Staff ics-staff.csv"]
    assert counts(rows[0]) == (2, 0, 1, 1, 0)


def test_a_re_import_shows_unchanged_counts(people, run_import, ics_run):
    again = run_import("staff", ICS_FILE, org="QF7", user=people["QF7"].user, name="again.csv")
    assert (again.rows_added, again.rows_updated, again.rows_unchanged) == (0, 0, 6)
    _, rows = history(people["RHQ"], "RHQ")
    assert [counts(r) for r in rows] == [(2, 0, 0, 2, 0), (2, 2, 0, 0, 0)]


def test_previews_and_rejected_files_above_stay_out_of_a_providers_history(
    people, run_import, tree
):
    preview = run_import("staff", ICS_FILE, org="QF7", commit=False, name="preview.csv")
    broken = ICS_FILE[:-1] + staff("RHQ", 1, 5, band="10")
    rejected = run_import("staff", broken, org="QF7", name="broken.csv")
    assert preview.status == ImportRun.Status.VALIDATED
    assert rejected.status == ImportRun.Status.REJECTED
    assert not ImportRunProvider.objects.exists()  # nothing recorded unless committed
    page, rows = history(people["RHQ"], "RHQ")
    assert rows == [] and "broken.csv" not in page and "preview.csv" not in page
    _, ics_rows = history(people["QF7"], "QF7")
    assert [r["file"] for r in ics_rows] == ["Staff broken.csv", "Staff preview.csv"]


def test_a_provider_level_run_is_its_own_history(people, run_import, tree):
    run = run_import("staff", staff("RHQ", 2), org="RHQ", user=people["RHQ"].user)
    page, [row] = history(people["RHQ"], "RHQ")
    assert counts(row) == (2, 2, 0, 0, 0) and "Counts for" not in row["for"]
    assert run_url(run) in page
    share = ImportRunProvider.objects.get(run=run)
    assert (share.provider, share.rows_added) == (tree["RHQ"], 2)


def test_the_imports_home_shows_runs_above_with_your_counts(people, ics_run):
    page = people["RHQ"].get(reverse("workforce:home")).content.decode()
    assert "ics-staff.csv" in page and "Counts for your organisations only" in page
    assert run_url(ics_run) not in page


def test_a_providers_history_takes_a_constant_number_of_queries(
    people, run_import, django_assert_max_num_queries
):
    def add_runs(n, start):
        for i in range(start, start + n):
            rows = [
                good_row("spend", provider_code=p, month=f"2023-{1 + i:02d}")
                for p in ("RHQ", "RP5")
            ]
            run_import("spend", rows, org="QF7", user=people["QF7"].user, name=f"spend-{i}.csv")
            run_import("spend", rows[:1], org="RHQ", user=people["RHQ"].user, name=f"own-{i}.csv")

    url = reverse("workforce:imports", args=["RHQ"])
    add_runs(1, 0)
    with django_assert_max_num_queries(9):
        people["RHQ"].get(url)
    add_runs(9, 1)
    with django_assert_max_num_queries(9):
        page, rows = history(people["RHQ"], "RHQ")
    assert len(rows) == 20
    assert all(counts(r)[0] == 1 for r in rows)
