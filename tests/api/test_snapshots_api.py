"""Reproducible pulls through the API (PRODUCT.md 7): a pull names its snapshot, and a pull with
``as_at`` of that snapshot, after later imports and recomputes, is byte-identical."""

import pytest
from django.utils import timezone

from dashboard import snapshots
from dashboard.models import Snapshot
from tests.dashboard.test_import_order import import_and_recompute

URL = "/api/v1/metric-values/"


def csv_body(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content) if response.streaming else response.content


def all_pages(client, **params):
    """Each page's rows and snapshot, following ``next`` (which keeps ``as_at``)."""
    pages, url, query = [], URL, {"page_size": 50, **params}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append((body["results"], body["snapshot"]))
        url, query = body["next"], None
        assert url is None or "as_at" not in params or f"as_at={params['as_at']}" in url
    assert len(pages) > 1
    return pages


@pytest.fixture
def imported(tree):
    for name in ("staff Doncaster", "staff Sheffield", "staff months RP5"):
        import_and_recompute(tree, name)
    return tree


def test_a_csv_pull_is_reproduced_byte_for_byte_after_more_imports(imported, token_for):
    client = token_for("analyst", imported["QF7"])
    query = {"format": "csv", "profession": "*", "band_group": "*"}
    then = client.get(URL, query)
    body = csv_body(then)
    snapshot = then["X-Snapshot"]
    assert snapshot == str(snapshots.latest().pk) and body.count(b"\n") > 100
    for name in ("activity RXE", "staff Doncaster corrected", "spend RP5"):
        import_and_recompute(imported, name)
    now = client.get(URL, query)
    assert csv_body(now) != body and now["X-Snapshot"] != snapshot  # the figures did change
    again = client.get(URL, {**query, "as_at": snapshot})
    assert again["X-Snapshot"] == snapshot
    assert csv_body(again) == body


def test_json_pages_and_the_wide_shape_are_reproduced_too(imported, token_for):
    client = token_for("analyst", imported["QF7"])
    snapshot = str(snapshots.latest().pk)
    pages = all_pages(client, organisation="RP5", profession="*")
    wide = csv_body(client.get(URL, {"shape": "wide", "format": "csv"}))  # read it now
    first = client.get(URL, {"organisation": "RP5"}).json()
    assert first["snapshot"]["id"] == int(snapshot)
    import_and_recompute(imported, "staff Doncaster corrected")
    assert all_pages(client, organisation="RP5", profession="*") != pages
    assert all_pages(client, organisation="RP5", profession="*", as_at=snapshot) == pages
    again = client.get(URL, {"shape": "wide", "format": "csv", "as_at": snapshot})
    assert csv_body(again) == wide


def test_as_at_a_time_reads_the_snapshot_committed_by_then(imported, token_for):
    client = token_for("analyst", imported["QF7"])
    snapshot = snapshots.latest()
    body = csv_body(client.get(URL, {"format": "csv"}))
    import_and_recompute(imported, "staff Doncaster corrected")
    at = (snapshot.committed_at + (timezone.now() - snapshot.committed_at) / 1000).isoformat()
    response = client.get(URL, {"format": "csv", "as_at": at})
    assert response["X-Snapshot"] == str(snapshot.pk)
    assert csv_body(response) == body


def test_as_at_keeps_scope_and_suppression(imported, token_for):
    """A sibling's pull as at a snapshot holds none of QF7's figures; naming QF7 is 404."""
    snapshot = str(snapshots.latest().pk)
    sibling = token_for("analyst", imported["QWO"])
    rows = sibling.get(URL, {"as_at": snapshot, "page_size": 1000}).json()["results"]
    assert not {r["organisation"] for r in rows} & {"QF7", "RP5", "RXE", "RHQ"}
    assert sibling.get(URL, {"as_at": snapshot, "organisation": "QF7"}).status_code == 404
    place = token_for("analyst", imported["QF7-DON"])
    rows = place.get(URL, {"as_at": snapshot, "page_size": 1000, "profession": "*"}).json()
    hidden = [r for r in rows["results"] if r["suppressed"]]
    assert all(r["value"] is None and r["organisation"] != "QF7-DON" for r in hidden)


def test_a_bad_or_unknown_as_at_is_a_clear_problem(imported, token_for, settings):
    client = token_for("analyst", imported["QF7"])
    unknown = client.get(URL, {"as_at": "999999"})
    assert unknown.status_code == 404 and "no snapshot 999999" in unknown.json()["detail"]
    bad = client.get(URL, {"as_at": "yesterday"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "as_at"
    old = snapshots.latest()
    import_and_recompute(imported, "staff Doncaster corrected")
    Snapshot.objects.filter(pk__lte=old.pk).update(committed_at=timezone.now().replace(year=2020))
    snapshots.prune()
    gone = client.get(URL, {"as_at": str(old.pk - 1)})
    assert gone.status_code == 404 and "retention period" in gone.json()["detail"]


def test_the_snapshots_list_shows_the_holders_runs_and_englands_only(imported, token_for):
    from dashboard import services

    services.recompute_all()  # England's: listed for everyone
    rhq = token_for("analyst", imported["RHQ"])
    rows = rhq.get("/api/v1/snapshots/").json()["results"]
    assert rows[0]["organisation"] == "ENG" and rows[0]["kind"] == "full"
    assert rows[0]["reproducible"] is True
    assert {r["organisation"] for r in rows} <= {"ENG", "RHQ"}
    rp5_runs = Snapshot.objects.filter(organisation=imported["RP5"])
    assert rp5_runs.exists()  # Doncaster's imports are its sibling's: neither listed nor shown
    assert not {r["id"] for r in rows} & set(rp5_runs.values_list("pk", flat=True))
    assert rhq.get(f"/api/v1/snapshots/{rp5_runs.first().pk}/").status_code == 404
    qwo = token_for("analyst", imported["QWO"])
    listed = {r["organisation"] for r in qwo.get("/api/v1/snapshots/").json()["results"]}
    assert listed == {"ENG"}
