"""The one scoping mechanism: roles cover their subtree; nothing upwards or sideways."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from councils.models import Membership, Organisation
from councils.scoping import covers, forget_scope, get_in_scope_or_404, scope_paths


def codes(qs):
    return sorted(o.code for o in qs)


def test_a_role_covers_its_organisation_and_everything_below(tree, make_user):
    user = make_user("viewer", tree["QF7"])
    assert codes(Organisation.objects.in_scope(user)) == [
        "QF7",
        "QF7-DON",
        "QF7-SHE",
        "RHQ",
        "RP5",
        "RXE",
    ]


def test_a_provider_role_sees_only_the_provider(tree, make_user):
    user = make_user("respondent", tree["RP5"])
    assert codes(Organisation.objects.in_scope(user, "view")) == ["RP5"]
    assert codes(Organisation.objects.in_scope(user, "respond")) == ["RP5"]
    assert codes(Organisation.objects.in_scope(user, "chair")) == []


def test_actions_follow_roles(tree, make_user):
    user = make_user(["viewer", "data_manager"], tree["QF7-DON"])
    assert covers(user, "view", tree["RP5"])
    assert covers(user, "import", tree["RXE"])
    assert not covers(user, "chair", tree["RP5"])
    assert not covers(user, "import", tree["RHQ"])


def test_several_roles_at_several_organisations_add_up(tree, make_user):
    user = make_user("viewer", tree["RP5"])
    Membership.objects.create(user=user, organisation=tree["RR8"], role="viewer")
    forget_scope(user)
    assert codes(Organisation.objects.in_scope(user)) == ["RP5", "RR8"]


def test_nested_roles_fold_into_the_ancestor(tree, make_user):
    user = make_user("viewer", tree["QF7"])
    Membership.objects.create(user=user, organisation=tree["RP5"], role="viewer")
    forget_scope(user)
    assert scope_paths(user, "view") == [tree["QF7"].path]


def test_superuser_sees_england(tree, make_user):
    user = make_user(is_superuser=True)
    assert Organisation.objects.in_scope(user).count() == len(tree)


def test_nobody_without_a_role_sees_nothing(tree, make_user):
    assert codes(Organisation.objects.in_scope(make_user())) == []


def test_out_of_scope_and_missing_are_the_same_404(tree, make_user):
    user = make_user("viewer", tree["RP5"])
    assert get_in_scope_or_404(Organisation, user, "view", code="RP5") == tree["RP5"]
    for code in ("RXE", "QF7", "NOPE"):
        with pytest.raises(Http404) as excinfo:
            get_in_scope_or_404(Organisation, user, "view", code=code)
        assert str(excinfo.value) == "No such page."


def test_unknown_action_is_a_programming_error(tree, make_user):
    with pytest.raises(ValueError, match="Unknown scope action"):
        scope_paths(make_user("viewer", tree["RP5"]), "delete")


def test_removing_a_role_takes_effect_on_the_next_request(tree, make_user, client):
    user = make_user("viewer", tree["RP5"])
    client.force_login(user)
    assert client.get("/org/RP5/").status_code == 200
    Membership.objects.filter(user=user).delete()
    assert client.get("/org/RP5/").status_code == 404


def test_descendants_are_one_query_at_any_depth(tree):
    with CaptureQueriesContext(connection) as ctx:
        assert codes(tree["Y63"].subtree()) == [
            "QF7",
            "QF7-DON",
            "QF7-SHE",
            "QWO",
            "QWO-LEE",
            "RHQ",
            "RP5",
            "RR8",
            "RXE",
            "Y63",
        ]
    assert len(ctx.captured_queries) == 1
    assert "LIKE" in ctx.captured_queries[0]["sql"].upper()


def test_scope_is_one_query_per_request(tree, make_user, django_assert_num_queries):
    user = make_user(["viewer", "chair"], tree["QF7"])
    with django_assert_num_queries(1):
        scope_paths(user, "view")
        scope_paths(user, "chair")
        covers(user, "view", tree["RP5"])
