"""POST /api/v1/workforce-imports/{id}/confirm/: a previewed run is imported off the request;
the answer is 202 with the run's URL, which the client polls."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.workforce.conftest import csv_bytes, good_row
from workforce.models import ImportRun


def _api_preview(client):
    rows = [good_row("spend", provider_code="RP5")]
    response = client.post(
        "/api/v1/workforce-imports/",
        {
            "file": SimpleUploadedFile("spend.csv", csv_bytes(rows)),
            "dataset": "spend",
            "organisation": "RP5",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_the_api_confirm_answers_202_with_the_run_url(
    token_for, tree, django_capture_on_commit_callbacks
):
    client = token_for(("data_manager", "analyst"), tree["RP5"])
    run_id = _api_preview(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/workforce-imports/{run_id}/confirm/")
    assert response.status_code == 202
    assert response["Location"].endswith(f"/api/v1/import-runs/{run_id}/")
    assert response.json()["url"] == response["Location"]
    assert response.json()["status"] == "queued"  # as answered; the task ran after
    run = client.get(f"/api/v1/import-runs/{run_id}/").json()
    assert run["status"] == "committed" and run["rows_added"] == 1
    again = client.post(f"/api/v1/workforce-imports/{run_id}/confirm/")
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "cannot be confirmed" in again.json()["detail"]


def test_the_api_confirm_of_a_sibling_run_is_404(token_for, tree):
    owner = token_for("data_manager", tree["RP5"])
    run_id = _api_preview(owner)
    sibling = token_for("data_manager", tree["RXE"])
    response = sibling.post(f"/api/v1/workforce-imports/{run_id}/confirm/")
    assert response.status_code == 404
    assert ImportRun.objects.get(pk=run_id).status == ImportRun.Status.VALIDATED
