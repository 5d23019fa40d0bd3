"""Every API list, read with a token of a sibling organisation, holds none of the other's data;
and naming the other's organisation in a filter is 404. Lists are found by walking the URL names
(``api-*-list``), so a new list endpoint is checked without being added here."""

import pytest
from django.urls import get_resolver, reverse

# Not lists of organisation data: the metric catalogue, and the POST-only import endpoint
# (its organisation is in the body: test_workforce_imports checks a sibling gets 404).
# Snapshots list the runs above the holder too (the nightly full run is England's): their own
# isolation test is in test_snapshots_api.
NOT_ORGANISATION_DATA = {"api-metric-list", "api-workforce-import-list", "api-snapshot-list"}
# How to read the organisation of a row, where it is not the "organisation" field.
ROW_ORGANISATION = {"api-organisation-list": lambda row: row["code"]}


def list_names():
    return sorted(
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("api-") and name.endswith("-list")
    )


LISTS = [name for name in list_names() if name not in NOT_ORGANISATION_DATA]


@pytest.fixture
def seeded(values, seed_api_data):
    """Data of every kind in both ICSs (QF7 and QWO)."""
    seed_api_data(values["QF7"])
    seed_api_data(values["RP5"])
    seed_api_data(values["QWO"])
    return values


def organisations_in(client, name):
    response = client.get(reverse(name), {"page_size": 100})
    assert response.status_code == 200, (name, response.content)
    read = ROW_ORGANISATION.get(name, lambda row: row["organisation"])
    codes = set()
    body = response.json()
    for row in body["results"] if isinstance(body, dict) else body:
        codes.add(read(row))
    return codes


QF7_SUBTREE = {"QF7", "QF7-DON", "QF7-SHE", "RP5", "RXE", "RHQ"}


def test_every_list_endpoint_is_walked():
    assert {"api-organisation-list", "api-metric-value-list", "api-spc-list"} <= set(LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_a_sibling_token_sees_none_of_the_other_ics(name, seeded, token_for):
    holder = token_for("analyst", seeded["QF7"])
    sibling = token_for("analyst", seeded["QWO"])
    assert organisations_in(holder, name) & QF7_SUBTREE, f"{name}: the holder sees its own data"
    assert not organisations_in(sibling, name) & QF7_SUBTREE, f"{name}: the sibling sees QF7"
    assert not organisations_in(holder, name) - QF7_SUBTREE, f"{name}: the holder sees others"


@pytest.mark.parametrize("name", LISTS)
def test_naming_the_other_ics_in_a_filter_is_404(name, seeded, token_for):
    sibling = token_for("analyst", seeded["QWO"])
    key = "within" if name == "api-organisation-list" else "organisation"
    response = sibling.get(reverse(name), {key: "QF7"})
    assert response.status_code == 404, name
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("name", LISTS)
def test_a_user_with_no_analyst_role_sees_nothing(name, seeded, client_for):
    chair = client_for("chair", seeded["QF7"])  # session auth: the API reads need "analyse"
    assert organisations_in(chair, name) == set()


def _detail_cases():
    from tests.api.isolation_cases import CASES

    seen, cases = set(), []
    for case in CASES:
        if case.name not in seen:
            seen.add(case.name)
            cases.append(case)
    return cases


@pytest.mark.parametrize("case", _detail_cases(), ids=lambda c: c.name)
def test_every_detail_with_a_sibling_token_is_404(case, tree, token_for, make_user):
    kwargs = case.build(tree["QF7"], make_user)
    url = reverse(case.name, kwargs=kwargs)
    assert token_for("analyst", tree["QF7"]).get(url).status_code == 200
    assert token_for("analyst", tree["Y63"]).get(url).status_code == 200  # the region above
    for other in ("QWO", "QF7-DON", "RAL"):  # sibling ICS, a child, another region
        response = token_for("analyst", tree[other]).get(url)
        assert response.status_code == 404, f"{other} reached {url}"
        assert response["Content-Type"] == "application/problem+json"
