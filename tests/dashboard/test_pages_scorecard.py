"""The scorecard: four domains, latest values, targets, status in words, SPC verdicts, trends,
completeness, computed-at time, filters in the URL, freshness, scope and query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ahpportal.months import add_months
from dashboard import metrics as catalogue
from dashboard.models import MetricValue, RecomputeRun
from tests.dashboard.pages_data import LATEST, make_values, tree_values

KNOWN = {
    ("sickness_absence_rate", LATEST): 5.5,  # target 4 (lower is better): not met
    ("appraisal_rate", LATEST): 85.0,  # target 90: within 10%
    ("fft_positive_rate", LATEST): 95.0,  # target 90: met
}


def _known(org, metric, k):
    if org.code != "QF7":
        return None
    month = add_months(dt.date(2023, 7, 1), k)
    value = KNOWN.get((metric.code, month))
    return {"value": value} if value is not None else None


@pytest.fixture
def figures(tree):
    return tree_values(tree, override=_known)


def _url(name, org, **params):
    from urllib.parse import urlencode

    url = reverse(name, kwargs={"code": org.code})
    return f"{url}?{urlencode(params)}" if params else url


def test_it_shows_the_four_domains_with_value_target_and_status_in_words(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    page = client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()

    for domain in (
        "Delivering quality care",
        "Supporting staff",
        "Optimising the workforce",
        "Improving productivity",
    ):
        assert f">{domain}</h2>" in page
    assert "June 2025" in page
    assert "5.5%" in page and "Not met" in page
    assert "85.0%" in page and "Within 10% of target" in page
    assert "95.0%" in page and ">\u2713</span> Met" in page
    assert "2 of 3 providers" in page
    assert "2 July 2025 03:15" in page  # computed-at time
    assert "Common cause variation" in page or "Special cause variation" in page
    assert "Consistently" in page or "Hit and miss" in page


def test_status_is_never_colour_alone(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    page = client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()
    assert 'nhsuk-tag--red"><span aria-hidden="true">\u2717</span> Not met' in page


def test_each_metric_has_an_accessible_sparkline(tree, figures, client_for):
    client = client_for("viewer", tree["QF7"])
    page = client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()
    # one per metric on the scorecard: the profile counts (age bands, apprentices by level) are
    # charts on the supply and diversity pages instead
    assert page.count('class="app-chart app-sparkline"') == len(catalogue.SCORECARD)
    assert len(catalogue.SCORECARD) < len(catalogue.CATALOGUE)
    assert "in_post_age_55_64" not in page
    assert '<title id="trend-sickness_absence_rate-title">' in page
    assert "Trend of 24 months from Jul 2023 to Jun 2025" in page


def test_it_filters_by_profession_band_group_and_month(tree, figures, client_for):
    qf7 = tree["QF7"]
    make_values([qf7], profession="physiotherapist", override=lambda o, m, k: {"value": 61.25})
    make_values([qf7], band_group="support", override=lambda o, m, k: {"value": 33.75})
    client = client_for("viewer", qf7)

    page = client.get(_url("dashboard:scorecard", qf7, profession="physiotherapist")).content
    page = page.decode()
    assert "61.2" in page
    assert "Physiotherapists" in page
    assert "Not recorded by profession" in page  # engagement, bank and agency spend

    page = client.get(_url("dashboard:scorecard", qf7, band_group="support")).content.decode()
    assert "33.8%" in page
    assert "Support workforce (bands 2-4)" in page
    assert "Not recorded by band group" in page

    page = client.get(_url("dashboard:scorecard", qf7, month="2025-03")).content.decode()
    assert "March 2025" in page
    assert "5.5%" not in page


def test_filter_links_keep_the_filters(tree, figures, client_for):
    client = client_for("viewer", tree["QF7"])
    page = client.get(
        _url("dashboard:scorecard", tree["QF7"], profession="physiotherapist", month="2025-05")
    ).content.decode()
    assert "/org/QF7-DON/dashboard/?month=2025-05&amp;profession=physiotherapist" in page
    assert "/org/QF7/dashboard/export.xlsx?month=2025-05&amp;profession=physiotherapist" in page


def test_a_bad_filter_is_named_and_the_rest_of_the_page_still_works(tree, figures, client_for):
    client = client_for("viewer", tree["QF7"])
    response = client.get(_url("dashboard:scorecard", tree["QF7"], month="1999-01"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select month from the list" in page
    assert "June 2025" in page  # falls back to the latest month


def test_an_organisation_without_figures_says_so(tree, client_for):
    client = client_for("viewer", tree["RP5"])
    page = client.get(_url("dashboard:scorecard", tree["RP5"])).content.decode()
    assert "No figures have been computed for" in page


def test_it_says_figures_are_being_recomputed_while_a_run_is_pending(tree, figures, client_for):
    RecomputeRun.objects.create(organisation=tree["ENG"], kind="full", status="running")
    client = client_for("viewer", tree["RP5"])
    page = client.get(_url("dashboard:scorecard", tree["RP5"])).content.decode()
    assert "figures are being recomputed" in page


def test_it_says_figures_are_being_recomputed_only_where_the_run_reaches(tree, figures, client_for):
    from workforce.models import ImportRun

    client = client_for("viewer", tree["QF7"])
    assert (
        "being recomputed"
        not in client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()
    )
    # an ICS-wide file with rows for RP5 only: committing it records the run for RP5
    ImportRun.objects.create(
        organisation=tree["QF7"],
        dataset="staff",
        file_name="staff.csv",
        sha256="0" * 64,
        status=ImportRun.Status.COMMITTED,
        committed_at=timezone.now(),
    )
    RecomputeRun.objects.create(
        organisation=tree["RP5"], kind="incremental", provider_ids=[tree["RP5"].pk]
    )
    for code in ("QF7", "QF7-DON", "RP5"):
        page = client.get(_url("dashboard:scorecard", tree[code])).content.decode()
        assert "New data has been imported since these figures were computed" in page, code
    # a sibling ICS's figures are not affected, nor RP5's siblings' (the file was for their ICS)
    for code in ("QWO", "RXE", "QF7-SHE", "RHQ"):
        other = client_for("viewer", tree[code])
        page = other.get(_url("dashboard:scorecard", tree[code])).content.decode()
        assert "being recomputed" not in page, code


@pytest.mark.parametrize("code", ["ENG", "Y63", "QF7", "QF7-DON", "RP5"])
def test_the_scorecard_makes_a_fixed_number_of_queries_at_every_level(
    code, tree, figures, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(20):
        response = client.get(_url("dashboard:scorecard", tree[code], profession="physiotherapist"))
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(_url("dashboard:scorecard", tree[code])).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "dashboard:scorecard",
        "dashboard:diversity",
        "dashboard:supply",
        "dashboard:scorecard_csv",
        "dashboard:scorecard_xlsx",
        "dashboard:board_report",
    ],
)
def test_a_sibling_provider_gets_404_on_every_page(name, tree, figures, client_for):
    sibling = client_for("chair", tree["RXE"])
    assert sibling.get(_url(name, tree["RP5"])).status_code == 404
    assert client_for("chair", tree["RP5"]).get(_url(name, tree["RP5"])).status_code == 200
    url = reverse("dashboard:metric", kwargs={"code": "RP5", "metric": "vacancy_rate"})
    assert sibling.get(url).status_code == 404


def test_pages_need_a_sign_in(tree, figures, client):
    response = client.get(_url("dashboard:scorecard", tree["QF7"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_values_are_read_from_the_store_only(tree, figures, client_for):
    """Changing a stored value changes the page: nothing is computed from workforce rows."""
    MetricValue.objects.filter(
        organisation=tree["RP5"],
        metric="vacancy_rate",
        month=LATEST,
        profession="all",
        band_group="all",
    ).update(value=12.345)
    page = client_for("viewer", tree["RP5"]).get(_url("dashboard:scorecard", tree["RP5"]))
    assert "12.3%" in page.content.decode()


def test_disability_declaration_is_a_supporting_staff_metric(tree, figures, client_for):
    page = client_for("viewer", tree["QF7"]).get(_url("dashboard:scorecard", tree["QF7"]))
    page = page.content.decode()
    staff = page[page.index("Supporting staff") : page.index("Optimising the workforce")]
    assert "Disability declared %" in staff and "Disabled staff share %" in staff
    # single bands are for the diversity page, not a band-group filter of the scorecard
    assert 'value="band_9"' not in page


def test_it_opens_on_the_latest_month_most_providers_submitted_and_says_why(
    tree, figures, client_for
):
    """Staff-record figures exist for every month; July has nothing else yet, and August has
    activity from only one of three providers."""
    from dashboard import compute_datasets
    from dashboard import metrics as catalogue
    from tests.dashboard.pages_data import make_values

    staff_only = [
        m
        for m in catalogue.CATALOGUE
        if m.code not in compute_datasets.SUBMITTED_METRICS and not m.by_band
    ]
    july, august = dt.date(2025, 7, 1), dt.date(2025, 8, 1)
    for month in (july, august):
        make_values([tree["QF7"]], metrics=staff_only, latest=month, months=1)
    make_values(
        [tree["QF7"]],
        metrics=[catalogue.get("dna_rate")],
        latest=august,
        months=1,
        override=lambda org, metric, k: {"providers_reporting": 1},
    )
    client = client_for("viewer", tree["QF7"])
    page = client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()
    assert '<dd class="nhsuk-summary-list__value">June 2025</dd>' in page
    assert (
        "Showing June 2025, the latest month for which most of the providers below (2 of 3) "
        "have submitted monthly data" in page
    )
    assert "Later months have data from fewer providers" in page
    # August can still be chosen, and then the page does not explain the month
    page = client.get(_url("dashboard:scorecard", tree["QF7"], month="2025-08")).content.decode()
    assert '<dd class="nhsuk-summary-list__value">August 2025</dd>' in page
    assert 'id="month-note"' not in page


def test_with_only_staff_records_it_opens_on_the_latest_month_and_says_so(tree, client_for):
    from dashboard import compute_datasets
    from dashboard import metrics as catalogue
    from tests.dashboard.pages_data import make_values

    staff_only = [
        m for m in catalogue.CATALOGUE if m.code not in compute_datasets.SUBMITTED_METRICS
    ]
    make_values([tree["RP5"]], metrics=staff_only, months=3)
    page = client_for("viewer", tree["RP5"]).get(_url("dashboard:scorecard", tree["RP5"]))
    page = page.content.decode()
    assert "Showing June 2025, the latest month. No monthly data" in page
