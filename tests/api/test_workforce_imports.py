"""POST /api/v1/workforce-imports/ (the upload page's service) and GET /api/v1/import-runs/, with
the runs uploaded above your scope that imported rows for your providers (`partial`)."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from workforce.datasets import DATASETS
from workforce.models import ImportRun, Staff

URL = "/api/v1/workforce-imports/"


def staff_file(provider="RP5", band=None, rows=2):
    spec = DATASETS["staff"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.column_names)
    for i in range(rows):
        values = {c.name: c.example for c in spec.columns}
        values.update(provider_code=provider, staff_id=f"S{i:06d}")
        if band:
            values["band"] = band
        writer.writerow([values[name] for name in spec.column_names])
    return SimpleUploadedFile("staff.csv", out.getvalue().encode(), content_type="text/csv")


def post(client, file, organisation="RP5", commit=None):
    url = URL + (f"?commit={commit}" if commit is not None else "")
    return client.post(
        url, {"file": file, "dataset": "staff", "organisation": organisation}, format="multipart"
    )


def test_a_post_without_commit_validates_and_writes_nothing(token_for, tree):
    client = token_for(["analyst", "data_manager"], tree["RP5"])
    response = post(client, staff_file())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "validated" and body["rows_total"] == 2
    assert body["rows_added"] == 2 and body["errors"] == []
    assert not Staff.objects.exists()
    assert ImportRun.objects.get().status == "validated"


def test_commit_true_writes_the_rows(token_for, tree):
    client = token_for(["analyst", "data_manager"], tree["RP5"])
    response = post(client, staff_file(), commit="true")
    assert response.status_code == 201
    assert response.json()["status"] == "committed"
    assert Staff.objects.filter(provider=tree["RP5"]).count() == 2


def test_a_bad_file_is_422_naming_the_row_column_and_reason(token_for, tree):
    client = token_for(["analyst", "data_manager"], tree["RP5"])
    response = post(client, staff_file(band="10"), commit="true")
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["error_count"] >= 2
    first = body["errors"][0]
    assert first["row"] == 2 and first["column"] == "band" and first["reason"]
    assert not Staff.objects.exists()


def test_importing_needs_the_data_manager_role_there(token_for, tree):
    analyst_only = token_for("analyst", tree["RP5"])
    assert post(analyst_only, staff_file()).status_code == 404
    sibling = token_for(["analyst", "data_manager"], tree["RXE"])
    response = post(sibling, staff_file())
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert not ImportRun.objects.exists()


def test_missing_fields_are_400_problems(token_for, tree):
    client = token_for(["analyst", "data_manager"], tree["RP5"])
    response = client.post(URL, {"dataset": "nope"}, format="multipart")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"file", "dataset", "organisation"}


def test_import_runs_are_listed_within_the_scope(token_for, tree):
    manager = token_for(["analyst", "data_manager"], tree["QF7"])
    post(manager, staff_file("RP5"), organisation="RP5")
    post(manager, staff_file("RHQ", band="10"), organisation="RHQ")
    runs = manager.get("/api/v1/import-runs/").json()["results"]
    assert [r["organisation"] for r in runs] == ["RHQ", "RP5"]
    rejected = manager.get("/api/v1/import-runs/", {"status": "rejected"}).json()["results"]
    assert [r["organisation"] for r in rejected] == ["RHQ"]
    sub = manager.get("/api/v1/import-runs/", {"organisation": "QF7-DON", "subtree": "true"})
    assert [r["organisation"] for r in sub.json()["results"]] == ["RP5"]
    sibling = token_for("analyst", tree["QWO"])
    assert sibling.get("/api/v1/import-runs/").json()["results"] == []
    run_id = runs[0]["id"]
    assert sibling.get(f"/api/v1/import-runs/{run_id}/").status_code == 404
    assert manager.get(f"/api/v1/import-runs/{run_id}/").json()["errors"]


def test_the_import_run_list_takes_a_constant_number_of_queries(
    token_for, tree, django_assert_max_num_queries
):
    from tests.api.conftest import seed_import_run

    for code in ("RP5", "RXE", "RHQ", "QF7"):
        for _ in range(5):
            seed_import_run(tree[code], None)
    client = token_for("analyst", tree["QF7"])
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/import-runs/").json()["results"]) == 20


def ics_file():
    spec = DATASETS["staff"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.column_names)
    for provider, n in (("RP5", 3), ("RHQ", 2)):
        for i in range(n):
            values = {c.name: c.example for c in spec.columns}
            values.update(provider_code=provider, staff_id=f"{provider}-{i}")
            writer.writerow([values[name] for name in spec.column_names])
    return SimpleUploadedFile("ics-staff.csv", out.getvalue().encode(), content_type="text/csv")


def test_a_run_uploaded_above_lists_with_only_your_providers_counts(token_for, tree):
    ics = token_for(["analyst", "data_manager"], tree["QF7"])
    assert post(ics, ics_file(), organisation="QF7", commit="true").status_code == 201
    [whole] = ics.get("/api/v1/import-runs/").json()["results"]
    assert (whole["rows_total"], whole["rows_added"], whole["partial"]) == (5, 5, False)

    provider = token_for("analyst", tree["RHQ"])
    [run] = provider.get("/api/v1/import-runs/").json()["results"]
    assert run["id"] == whole["id"] and run["partial"] is True
    assert run["organisation"] == "QF7" and run["sha256"] == whole["sha256"]
    assert (run["rows_total"], run["rows_added"], run["rows_updated"]) == (2, 2, 0)
    assert run["errors"] == [] and run["size_bytes"] is None
    assert provider.get(f"/api/v1/import-runs/{run['id']}/").status_code == 404
    response = provider.get("/api/v1/import-runs/", {"format": "csv"})
    table = b"".join(response.streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(table)))
    assert (row["rows_total"], row["partial"]) == ("2", "Y")

    for outsider in ("RXE", "RR8"):  # no rows in the file: the run does not exist for them
        client = token_for("analyst", tree[outsider])
        assert client.get("/api/v1/import-runs/").json()["results"] == []
        assert client.get(f"/api/v1/import-runs/{run['id']}/").status_code == 404


def test_partial_runs_list_in_a_constant_number_of_queries(
    token_for, tree, django_assert_max_num_queries
):
    ics = token_for(["analyst", "data_manager"], tree["QF7"])
    client = token_for("analyst", tree["RHQ"])
    post(ics, ics_file(), organisation="QF7", commit="true")
    with django_assert_max_num_queries(7):
        assert len(client.get("/api/v1/import-runs/").json()["results"]) == 1
    for _ in range(5):
        post(ics, ics_file(), organisation="QF7", commit="true")
    with django_assert_max_num_queries(7):
        results = client.get("/api/v1/import-runs/").json()["results"]
    assert [r["rows_unchanged"] for r in results] == [2, 2, 2, 2, 2, 0]
