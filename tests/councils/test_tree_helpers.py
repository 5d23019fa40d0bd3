"""The tree is walked one way: ``below``, ``at_or_above``, ``ancestors``, ``children`` and
``scope_roots``; never a hand-written prefix or a sliced path."""

from councils.models import Membership, Organisation
from councils.scoping import benchmark_q, forget_scope, remember_roots, scope_paths, scope_roots


def codes(qs):
    return sorted(o.code for o in qs)


def test_below_keeps_the_organisation_and_everything_under_it(tree):
    assert codes(Organisation.objects.below(tree["QF7-DON"])) == ["QF7-DON", "RP5", "RXE"]
    assert codes(tree["QF7-DON"].subtree()) == ["QF7-DON", "RP5", "RXE"]


def test_below_leaves_out_a_sibling_whose_code_shares_the_prefix(tree):
    # QF7-SHE sits beside QF7-DON: a sibling is never below, nor is its provider.
    below_doncaster = codes(Organisation.objects.below(tree["QF7-DON"]))
    assert "QF7-SHE" not in below_doncaster
    assert "RHQ" not in below_doncaster
    assert not tree["QF7-DON"].covers(tree["RHQ"])
    assert codes(Organisation.objects.below(tree["RP5"])) == ["RP5"]


def test_below_on_another_model_follows_its_organisation_field(tree, make_user):
    at_rp5 = make_user("viewer", tree["RP5"])
    at_rhq = make_user("viewer", tree["RHQ"])
    at_ics = make_user("viewer", tree["QF7"])
    below = Membership.objects.below(tree["QF7-DON"])
    assert {m.user for m in below} == {at_rp5}
    above = Membership.objects.at_or_above(tree["RP5"])
    assert {m.user for m in above} == {at_rp5, at_ics}
    assert at_rhq not in {m.user for m in above}


def test_ancestors_run_from_the_root_down_and_leave_out_siblings(tree):
    assert [o.code for o in tree["RP5"].ancestors()] == ["ENG", "Y63", "QF7", "QF7-DON"]
    assert [o.code for o in tree["RP5"].ancestors(include_self=True)][-1] == "RP5"
    assert list(tree["ENG"].ancestors()) == []
    assert tree["RP5"].ancestor_paths() == [tree[c].path for c in ("ENG", "Y63", "QF7", "QF7-DON")]
    assert Organisation.paths_above(tree["RHQ"].path) == tree["RHQ"].ancestor_paths()


def test_parent_and_root_paths_come_from_the_path(tree):
    assert tree["QF7"].parent_path == tree["Y63"].path
    assert tree["QF7"].root_path == tree["ENG"].path
    assert tree["ENG"].parent_path == ""


def test_children_are_one_level_down_only(tree):
    assert codes(tree["QF7"].children()) == ["QF7-DON", "QF7-SHE"]
    assert codes(tree["RP5"].children()) == []
    stale = Organisation.objects.get(code="QF7")
    stale.numchild = 0  # treebeard's counter may be stale on an object; the path is not
    assert codes(stale.children()) == ["QF7-DON", "QF7-SHE"]


def test_benchmark_shows_children_siblings_and_england_but_not_cousins(tree):
    shown = codes(Organisation.objects.filter(benchmark_q(tree["QF7"])))
    assert shown == ["ENG", "QF7", "QF7-DON", "QF7-SHE", "QWO"]  # itself among its siblings
    assert "QMJ" not in shown  # an ICS in another region is not a sibling
    assert codes(Organisation.objects.filter(benchmark_q(tree["ENG"]))) == ["Y56", "Y63"]


def test_scope_roots_are_the_top_of_the_scope_per_action(tree, make_user):
    user = make_user(["viewer", "chair"], tree["QF7"])
    Membership.objects.create(user=user, organisation=tree["RP5"], role="viewer")
    Membership.objects.create(user=user, organisation=tree["RAL"], role="data_manager")
    forget_scope(user)
    assert codes(scope_roots(user, "view")) == ["QF7", "RAL"]  # every role lets its holder view
    assert [o.code for o in scope_roots(user, "chair")] == ["QF7"]
    assert [o.code for o in scope_roots(user, "import")] == ["RAL"]
    assert scope_roots(user, "admin") == []


def test_scope_roots_of_a_sibling_user_do_not_reach_across(tree, make_user):
    sibling = make_user("viewer", tree["QF7-SHE"])
    assert [o.code for o in scope_roots(sibling)] == ["QF7-SHE"]
    assert not Organisation.objects.in_scope(sibling).below(tree["QF7-DON"]).exists()


def test_scope_roots_of_a_superuser_are_the_root(tree, make_user):
    assert [o.code for o in scope_roots(make_user(is_superuser=True))] == ["ENG"]


def test_a_page_that_fetched_the_roots_already_gives_them_to_the_navigation(
    tree, make_user, django_assert_num_queries
):
    user = make_user("viewer", tree["QF7"])
    scope_paths(user)  # the memberships (one query, as every page makes)
    page = [tree["ENG"], tree["Y63"], tree["QF7"], tree["QF7-DON"]]  # ancestors and the org
    with django_assert_num_queries(0):
        remember_roots(user, page)
        assert scope_roots(user) == [tree["QF7"]]


def test_roots_a_page_did_not_fetch_are_still_read(tree, make_user, django_assert_num_queries):
    user = make_user("viewer", tree["RP5"])
    Membership.objects.create(user=user, organisation=tree["RHQ"], role="viewer")
    remember_roots(user, [tree["ENG"], tree["RP5"]])  # RHQ's is not among them
    with django_assert_num_queries(1):
        assert scope_roots(user) == sorted([tree["RP5"], tree["RHQ"]], key=lambda o: o.path)
    superuser = make_user(is_superuser=True)
    remember_roots(superuser, [tree["ENG"]])  # the tree's roots: never assumed
    with django_assert_num_queries(1):
        assert [o.code for o in scope_roots(superuser)] == ["ENG"]


def test_scope_roots_are_cached_until_the_scope_is_forgotten(
    tree, make_user, django_assert_num_queries
):
    user = make_user("viewer", tree["RP5"])
    with django_assert_num_queries(2):  # the memberships, then the roots
        scope_roots(user)
        scope_roots(user)
    Membership.objects.create(user=user, organisation=tree["RR8"], role="viewer")
    forget_scope(user)
    assert [o.code for o in scope_roots(user)] == ["RP5", "RR8"]
