"""Every URL in the project, for a role at a provider, place, ICS and region (and England, for
England's own pages): siblings get 404, parents see children, nobody sees upwards, another ICS or
region sees nothing; and every other role at the same organisation opens it only if that role
grants the page's action (404 if not).

A URL with organisation data that is not listed in some ``tests/<app>/isolation_cases.py`` fails
``test_every_url_is_in_the_matrix``, so a new view cannot forget its scope unnoticed.
"""

import importlib
import importlib.util
import pkgutil

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.isolation import (
    EVERY_ROLE,
    NOT_ORGANISATION_SCOPED,
    NOT_ORGANISATION_SCOPED_PREFIXES,
)

LEVEL_TARGET = {
    "provider": "RP5",
    "place": "QF7-DON",
    "ics": "QF7",
    "region": "Y63",
    "england": "ENG",
}
# For each target: who is beside it (sibling; England has none) and who is below it (a child).
SIBLING = {"RP5": "RXE", "QF7-DON": "QF7-SHE", "QF7": "QWO", "Y63": "Y56"}
CHILD = {"QF7-DON": "RP5", "QF7": "QF7-DON", "Y63": "QF7", "ENG": "Y63"}
ANCESTORS = {
    "RP5": ["QF7-DON", "QF7", "Y63", "ENG"],
    "QF7-DON": ["QF7", "Y63", "ENG"],
    "QF7": ["Y63", "ENG"],
    "Y63": ["ENG"],
    "ENG": [],
}


def _all_cases():
    cases = []
    for module in pkgutil.iter_modules(tests.__path__):
        name = f"tests.{module.name}.isolation_cases"
        if not module.ispkg or importlib.util.find_spec(name) is None:
            continue  # a test package without cases; a broken import in one fails loudly
        cases.extend(importlib.import_module(name).CASES)
    return cases


CASES = _all_cases()


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_is_in_the_matrix():
    covered = {case.name for case in CASES}
    missing = sorted(
        name
        for name in set(_url_names())
        if name not in covered
        and name not in NOT_ORGANISATION_SCOPED
        and not name.startswith(NOT_ORGANISATION_SCOPED_PREFIXES)
    )
    assert missing == [], (
        f"URLs neither in an isolation_cases.py nor declared not organisation-scoped: {missing}"
    )


def _request(case, user, org, make_user):
    client = Client()
    client.force_login(user)
    url = reverse(case.name, kwargs=case.build(org, make_user))
    return getattr(client, case.method)(url)


def _apply_patches(case, monkeypatch):
    for target, value in case.patches.items():
        monkeypatch.setattr(target, value)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}@{c.level}")
def test_scope_matrix(case, tree, make_user, monkeypatch):
    _apply_patches(case, monkeypatch)
    target = tree[LEVEL_TARGET[case.level]]
    code = target.code

    holder = make_user(case.role, target)
    assert _request(case, holder, target, make_user).status_code in case.ok_status

    for ancestor in ANCESTORS[code]:
        parent_user = make_user(case.role, tree[ancestor])
        response = _request(case, parent_user, target, make_user)
        assert response.status_code in case.ok_status, f"{ancestor} should see {code}"

    if code in SIBLING:
        sibling_user = make_user(case.role, tree[SIBLING[code]])
        response = _request(case, sibling_user, target, make_user)
        assert response.status_code == 404, f"sibling {SIBLING[code]} must get 404 for {code}"

    if code in CHILD:
        child_user = make_user(case.role, tree[CHILD[code]])
        response = _request(case, child_user, target, make_user)
        assert response.status_code == 404, f"{CHILD[code]} must not see upwards to {code}"

    far_user = make_user(case.role, tree["RAL"] if code != "Y63" else tree["Y56"])
    assert _request(case, far_user, target, make_user).status_code == 404

    nobody = make_user()
    assert _request(case, nobody, target, make_user).status_code == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.name}@{c.level}")
def test_other_roles_at_the_same_organisation(case, tree, make_user, monkeypatch):
    """Every other role held at the organisation itself: a viewer's page opens for every role
    (every role may view its subtree); a page for one role's action (respond, chair, import,
    analyse, admin) is 404 for the roles without it, as if it did not exist."""
    _apply_patches(case, monkeypatch)
    target = tree[LEVEL_TARGET[case.level]]
    wrong = []
    for role in EVERY_ROLE:
        if role == case.role:
            continue
        status = _request(case, make_user(role, target), target, make_user).status_code
        expected = case.ok_status if case.opens_for(role) else (404,)
        if status not in expected:
            wrong.append(f"a {role} at {target.code} got {status}, expected {expected}")
    assert wrong == []
