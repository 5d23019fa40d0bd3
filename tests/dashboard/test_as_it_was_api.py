"""The "as it was" view through the API (PRODUCT.md 7): ``view=as_it_was`` on metric-values
returns the same figures the pages show as it was, in JSON and CSV, with the same scope and
suppression, and every response names the structure it is on."""

import csv
import io

import pytest

from councils.models import Organisation
from dashboard import as_it_was, snapshots
from dashboard.models import Snapshot
from dashboard.selectors.common import figures_in_view
from tests.api.conftest import bearer_client
from tests.dashboard.test_as_it_was import JANUARY, moved, raw  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("moved")


@pytest.fixture
def analyst_at(make_user):
    """``analyst_at(org)``: an API client with an analyst's token there."""
    import datetime as dt

    from django.utils import timezone

    from councils.api_tokens import api_token_create

    def make(org):
        user = make_user(("analyst",), org)
        _, secret = api_token_create(
            user=user, name="Tests", expires_on=timezone.localdate() + dt.timedelta(days=30)
        )
        return bearer_client(secret)

    return make


URL = "/api/v1/metric-values/"
QUERY = {"organisation": "QF7", "subtree": "true", "metric": "job_plan_coverage"}


def pulled(client, **params):
    response = client.get(URL, {**QUERY, "page_size": 1000, **params})
    assert response.status_code == 200, response.content
    return response


def view_rows(view):
    return {
        (f.organisation_id, f.month.strftime("%Y-%m")): f.value
        for f in figures_in_view(
            view, metric="job_plan_coverage", profession="all", band_group="all"
        )
    }


def test_an_analyst_pulls_figures_as_it_was_and_each_response_says_so(tree, analyst_at):
    client = analyst_at(tree["QF7"])
    today, then = pulled(client), pulled(client, view="as_it_was")
    assert today["X-Structure"] == "current" and today.json()["structure"] == "current"
    assert then["X-Structure"] == "as_it_was" and then.json()["structure"] == "as_it_was"
    codes = {o.code: o.pk for o in tree.values()}
    ics = Organisation.objects.get(code="QF7")  # fresh: Leeds place moved under it
    in_scope = set(ics.subtree().values_list("pk", flat=True))
    for response, view in ((today, as_it_was.CURRENT), (then, as_it_was.AS_IT_WAS)):
        rows = response.json()["results"]
        expected = {k: v for k, v in view_rows(view).items() if k[0] in in_scope}
        got = {(codes[r["organisation"]], r["month"]): r for r in rows}
        assert set(got) == set(expected) and len(got) == len(rows)
        for key, row in got.items():
            if not row["suppressed"]:
                assert row["value"] == expected[key], key
    doncaster = {r["month"]: r for r in then.json()["results"] if r["organisation"] == "QF7-DON"}
    assert doncaster[JANUARY.strftime("%Y-%m")]["people"] in (7, None)  # RP5's 3 and RXE's 4


def test_the_csv_as_it_was_holds_the_json_rows(tree, analyst_at):
    client = analyst_at(tree["QF7-DON"])
    json_rows = pulled(client, view="as_it_was", organisation="QF7-DON").json()["results"]
    response = client.get(URL, {**QUERY, "organisation": "QF7-DON", "view": "as_it_was",
                                "format": "csv"})  # fmt: skip
    assert response["X-Structure"] == "as_it_was"
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted((r["organisation"], r["month"], r["value"]) for r in table) == sorted(
        (r["organisation"], r["month"], "" if r["value"] is None else str(r["value"]))
        for r in json_rows
    )
    january = next(
        r
        for r in table
        if r["month"] == JANUARY.strftime("%Y-%m") and r["organisation"] == "QF7-DON"
    )
    assert january["people"] == "7" and january["suppressed"] == "N"  # its own analyst sees it


def test_someone_without_a_role_at_the_old_place_gets_it_suppressed(tree, analyst_at):
    client = analyst_at(tree["QF7"])
    rows = pulled(client, view="as_it_was", organisation="QF7-DON").json()["results"]
    january = next(r for r in rows if r["month"] == JANUARY.strftime("%Y-%m"))
    if january["suppressed"]:  # a role above it may or may not see it: never a bare number
        assert january["value"] is None and january["people"] is None


def test_a_sibling_analyst_gets_404_in_either_view(tree, analyst_at):
    client = analyst_at(tree["QWO"])
    for view in ("current", "as_it_was"):
        response = client.get(URL, {"organisation": "QF7-DON", "view": view})
        assert response.status_code == 404, view
    rows = pulled(client, view="as_it_was", organisation="QWO").json()["results"]
    assert rows and {r["organisation"] for r in rows} == {"QWO"}


def test_a_bad_view_is_a_400_and_as_it_was_is_kept_for_the_latest_snapshot(tree, analyst_at):
    client = analyst_at(tree["QF7"])
    bad = client.get(URL, {"view": "then"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "view"
    latest, first = snapshots.latest(), Snapshot.objects.order_by("pk").first()
    assert latest.pk != first.pk
    older = client.get(URL, {"view": "as_it_was", "as_at": str(first.pk)})
    assert older.status_code == 404 and "latest snapshot only" in older.json()["detail"]
    same = client.get(URL, {**QUERY, "view": "as_it_was", "as_at": str(latest.pk)})
    assert same.status_code == 200 and same.json() == pulled(client, view="as_it_was").json()
    options = client.options(f"{URL}?view=as_it_was&as_at=1")  # reads no figures
    assert options.status_code == 200 and options["X-Structure"] == "as_it_was"
