"""A chair recomputes on demand and watches the progress; everyone reads the catalogue."""

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from dashboard.models import RecomputeRun
from tests.dashboard.conftest import figure


def test_a_chair_recomputes_the_providers_below_and_sees_the_outcome(
    workforce, tree, client_for, django_capture_on_commit_callbacks
):
    client = client_for("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:recompute", kwargs={"code": "QF7"}))
    run = RecomputeRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dashboard:run_status", kwargs={"code": "QF7", "pk": run.pk}
    )
    assert run.kind == RecomputeRun.Kind.ON_DEMAND
    assert run.organisation == tree["QF7"]
    assert run.requested_by == client.user
    assert sorted(run.provider_ids) == sorted(tree[c].pk for c in ("RP5", "RXE", "RHQ"))
    assert run.status == RecomputeRun.Status.SUCCEEDED  # eager in tests: ran on commit
    assert figure(tree["QF7"], "job_plan_coverage").denominator == 3
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Finished" in text and 'http-equiv="refresh"' not in text
    assert "3 providers below South Yorkshire" in text


def test_the_progress_page_refreshes_while_the_run_waits(tree, client_for):
    client = client_for("chair", tree["QF7"])
    run = RecomputeRun.objects.create(organisation=tree["QF7"], kind=RecomputeRun.Kind.ON_DEMAND)
    text = client.get(
        reverse("dashboard:run_status", kwargs={"code": "QF7", "pk": run.pk})
    ).content.decode()
    assert 'http-equiv="refresh"' in text
    assert "Waiting" in text


def test_a_failed_run_says_the_last_figures_are_kept(tree, client_for):
    client = client_for("chair", tree["QF7"])
    run = RecomputeRun.objects.create(
        organisation=tree["QF7"],
        kind=RecomputeRun.Kind.ON_DEMAND,
        status=RecomputeRun.Status.FAILED,
        error="OperationalError: server closed the connection",
    )
    text = client.get(
        reverse("dashboard:run_status", kwargs={"code": "QF7", "pk": run.pk})
    ).content.decode()
    assert "Failed" in text and "last ones computed successfully" in text
    assert "server closed the connection" in text


def test_a_run_of_another_organisation_is_not_found_under_this_one(tree, client_for):
    client = client_for("chair", tree["QF7"])
    elsewhere = RecomputeRun.objects.create(organisation=tree["RP5"], kind="on_demand")
    url = reverse("dashboard:run_status", kwargs={"code": "QF7", "pk": elsewhere.pk})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "data_manager", "analyst"])
def test_only_a_chair_may_recompute(tree, client_for, role):
    client = client_for(role, tree["QF7"])
    assert client.post(reverse("dashboard:recompute", kwargs={"code": "QF7"})).status_code == 404
    assert not RecomputeRun.objects.exists()


def test_a_sibling_chair_cannot_recompute(tree, client_for):
    client = client_for("chair", tree["QWO"])
    assert client.post(reverse("dashboard:recompute", kwargs={"code": "QF7"})).status_code == 404
    assert not RecomputeRun.objects.exists()


def test_recompute_needs_a_post(tree, client_for):
    client = client_for("chair", tree["QF7"])
    assert client.get(reverse("dashboard:recompute", kwargs={"code": "QF7"})).status_code == 405


def test_the_catalogue_lists_every_metric_with_its_definition(
    tree, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree["RP5"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("dashboard:catalogue"))
    assert response.status_code == 200
    text = response.content.decode()
    for metric in catalogue.CATALOGUE:
        assert metric.name in text
        assert f'<code class="nhsuk-body-s">{metric.code}</code>' in text
    assert "leavers (permanent + fixed_term) in the 12 months to month end" in text
    assert "None (a count)" in text
    assert text.count("Also by single band (all professions together)") == 3
    for _, name, _ in catalogue.by_domain():
        assert name in text


def test_the_catalogue_says_in_plain_words_what_contacts_per_fte_suppression_and_completeness_are(
    tree, client_for
):
    text = client_for("viewer", tree["RP5"]).get(reverse("dashboard:catalogue")).content.decode()
    assert "counts only the staff of the professions that reported activity" in text
    assert "professions that reported activity that month" in text  # the denominator itself
    assert 'for example "38 of 41 providers"' in text
    assert "everyone except the people who hold a role at the organisation it belongs to" in text
    assert "the next smallest of those is hidden too" in text


def test_the_catalogue_needs_a_sign_in(client, db):
    response = client.get(reverse("dashboard:catalogue"))
    assert response.status_code == 302


def test_the_catalogue_explains_the_spc_rules_and_change_points(tree, client_for, settings):
    """README and /metrics/ describe the SPC rules and change points in plain words; the trend
    length shown is the setting in force."""
    settings.SPC_TREND_LENGTH = 6
    text = client_for("viewer", tree["RP5"]).get(reverse("dashboard:catalogue")).content.decode()
    assert 'id="spc-rules"' in text
    assert "6 or more months in a row each higher than the one before" in text
    assert "7 or more months in a row on the same side of the mean" in text
    assert "outside the limits, then trend, then two of three, then shift" in text
    assert "A target exactly on a limit is hit and miss." in text
    assert "have no target, no status and no assurance" in text
    assert '<h3 class="nhsuk-heading-m">Change points</h3>' in text
    assert "Annual: one figure per survey year" in text
