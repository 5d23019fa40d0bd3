"""GET /api/v1/organisations/: the tree within the analyst's scope, filters by level and parent."""

import datetime as dt

import pytest

from councils import structure

URL = "/api/v1/organisations/"


def codes(response):
    assert response.status_code == 200, response.content
    return [o["code"] for o in response.json()["results"]]


def test_an_ics_analyst_sees_the_ics_and_everything_below_in_tree_order(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    assert codes(client.get(URL)) == ["QF7", "QF7-DON", "RP5", "RXE", "QF7-SHE", "RHQ"]


def test_each_organisation_names_its_parent_and_level(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    first = client.get(URL).json()["results"][0]
    assert first == {
        "code": "QF7",
        "name": "South Yorkshire and Bassetlaw Integrated Care System",
        "short_name": "",
        "level": "ics",
        "parent": "Y63",
        "depth": tree["QF7"].depth,
        "has_children": True,
        "closed_on": None,
        "successor": None,
    }


def test_a_merged_provider_names_its_closure_and_successor(token_for, tree):
    structure.record_merger(
        [tree["RP5"], tree["RXE"]], code="RX1", name="Doncaster and Rotherham NHS Trust",
        effective=dt.date(2025, 4, 1), user=None, reason="Trusts merged",
    )  # fmt: skip
    client = token_for("analyst", tree["QF7"])
    listed = {o["code"]: o for o in client.get(URL, {"within": "QF7-DON"}).json()["results"]}
    assert {code: (o["closed_on"], o["successor"]) for code, o in listed.items()} == {
        "QF7-DON": (None, None),
        "RP5": ("2025-04-01", "RX1"),
        "RX1": (None, None),
        "RXE": ("2025-04-01", "RX1"),
    }
    assert client.get(URL + "RXE/").json()["successor"] == "RX1"
    response = client.get(URL, {"within": "QF7-DON", "format": "csv"})
    csv = b"".join(response.streaming_content).decode().splitlines()
    assert csv[0].endswith(",has_children,closed_on,successor")
    assert any(line.startswith("RP5,") and line.endswith(",N,2025-04-01,RX1") for line in csv)


def test_filter_by_level_and_parent(token_for, tree):
    client = token_for("analyst", tree["Y63"])
    assert codes(client.get(URL, {"level": "ics"})) == ["QF7", "QWO"]
    assert codes(client.get(URL, {"parent": "QF7"})) == ["QF7-DON", "QF7-SHE"]
    assert codes(client.get(URL, {"within": "QF7-DON"})) == ["QF7-DON", "RP5", "RXE"]
    assert codes(client.get(URL, {"parent": "QF7", "level": "provider"})) == []


def test_a_parent_outside_the_scope_is_404_not_a_hint(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    for code in ("QWO", "Y63", "NOPE"):
        response = client.get(URL, {"parent": code})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_level_is_a_400_problem_naming_the_field(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    response = client.get(URL, {"level": "galaxy"})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "level"
    assert "galaxy" in body["detail"]


def test_detail_by_code_and_404_for_a_sibling(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    assert client.get(URL + "RHQ/").json()["parent"] == "QF7-SHE"
    assert client.get(URL + "QWO/").status_code == 404
    assert client.get(URL + "Y63/").status_code == 404


@pytest.mark.parametrize("role", ["viewer", "chair", "data_manager", "respondent", "org_admin"])
def test_only_the_analyst_role_reads_through_the_api(client_for, tree, role):
    client = client_for(role, tree["QF7"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert client.get(URL + "QF7/").status_code == 404


def test_the_list_has_a_constant_number_of_queries(token_for, tree, django_assert_max_num_queries):
    client = token_for("analyst", tree["ENG"])
    with django_assert_max_num_queries(6):
        assert len(codes(client.get(URL))) == len(tree)
