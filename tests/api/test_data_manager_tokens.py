"""A data manager's API token: created on the account page, it POSTs workforce files within the
data manager's import scope and gets the run's validation result, and reads nothing it could not
read before (API reads need the analyst role)."""

import pytest
from django.urls import reverse

from councils.api_tokens import ApiToken
from councils.models import Membership
from tests.api.conftest import bearer_client, seed_import_run, staff_csv
from tests.api.test_isolation import LISTS, organisations_in
from tests.api.test_tokens import _create
from workforce.models import ImportRun, Staff

IMPORTS = "/api/v1/workforce-imports/"


def post_import(client, file, organisation="RP5", commit=None):
    url = IMPORTS + (f"?commit={commit}" if commit is not None else "")
    return client.post(
        url, {"file": file, "dataset": "staff", "organisation": organisation}, format="multipart"
    )


@pytest.fixture
def data_manager(client_for, tree):
    """A data manager at RP5 (and nothing else) with a token made on the account page."""
    page = client_for("data_manager", tree["RP5"])
    response = _create(page, name="Nightly upload")
    assert response.status_code == 200
    assert "Create token" in response.content.decode()
    api = bearer_client(response.context["secret"])
    api.user = page.user
    return api


def test_a_data_manager_creates_a_token_and_imports_a_file_with_it(data_manager, tree):
    response = post_import(data_manager, staff_csv())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == "RP5" and body["status"] == "validated"
    assert (body["rows_total"], body["rows_added"], body["errors"]) == (2, 2, [])
    assert not Staff.objects.exists()
    committed = post_import(data_manager, staff_csv(), commit="true")
    assert committed.status_code == 201 and committed.json()["status"] == "committed"
    assert Staff.objects.filter(provider=tree["RP5"]).count() == 2
    assert ApiToken.objects.get(user=data_manager.user).last_used_at is not None


def test_a_rejected_file_returns_its_errors(data_manager):
    response = post_import(data_manager, staff_csv(band="10"), commit="true")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["error_count"] >= 1
    assert body["errors"][0]["column"] == "band" and body["errors"][0]["reason"]
    assert not Staff.objects.exists()


@pytest.mark.parametrize("other", ["RXE", "QF7-DON", "QF7", "RR8"])
def test_importing_for_a_sibling_or_a_parent_is_404(data_manager, other):
    response = post_import(data_manager, staff_csv(provider=other), organisation=other)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert not ImportRun.objects.exists()


def test_a_file_naming_a_sibling_provider_is_rejected(data_manager):
    response = post_import(data_manager, staff_csv(provider="RXE"))
    assert response.status_code == 422
    assert not Staff.objects.exists()


def test_the_token_reads_no_organisation_data(data_manager, values, seed_api_data):
    for code in ("RP5", "QF7"):
        seed_api_data(values[code])
    for name in LISTS:
        assert organisations_in(data_manager, name) == set(), name
    run = seed_import_run(values["RP5"], None)
    assert data_manager.get(reverse("api-import-run-detail", args=[run.pk])).status_code == 404
    assert data_manager.get(reverse("api-organisation-detail", args=["RP5"])).status_code == 404
    assert data_manager.get("/api/v1/metric-values/", {"organisation": "RP5"}).status_code == 404


def test_the_token_stops_when_the_data_manager_role_goes(data_manager):
    Membership.objects.filter(user=data_manager.user).delete()
    response = post_import(data_manager, staff_csv())
    assert response.status_code == 401
    assert "no longer holds the analyst or data manager role" in response.json()["detail"]
    assert not ImportRun.objects.exists()
