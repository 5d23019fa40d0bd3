"""Small-number suppression (PRODUCT.md 3.4): figures resting on fewer than 5 people are
"fewer than 5" to anyone whose view scope does not cover the organisation that owns them."""

from types import SimpleNamespace

import pytest

from dashboard.suppression import is_suppressed, shown


def _figure(people, value=42.0):
    return SimpleNamespace(people=people, value=value)


@pytest.mark.parametrize(
    ("viewer_at", "suppressed"),
    [
        ("RP5", False),
        ("QF7-DON", False),
        ("QF7", False),
        ("ENG", False),
        ("RXE", True),
        ("QWO", True),
    ],
)
def test_a_figure_on_4_people_is_hidden_only_outside_its_organisation(
    viewer_at, suppressed, tree, make_user
):
    user = make_user("viewer", tree[viewer_at])
    assert is_suppressed(people=4, owner=tree["RP5"], user=user) is suppressed
    figure = shown(_figure(4), user, tree["RP5"])
    assert figure.suppressed is suppressed
    assert figure.value == (None if suppressed else 42.0)


def test_five_people_or_more_is_never_suppressed(tree, make_user):
    outsider = make_user("viewer", tree["RAL"])
    assert not is_suppressed(people=5, owner=tree["RP5"], user=outsider)
    assert shown(_figure(5), outsider, tree["RP5"]).value == 42.0


def test_figures_without_a_people_count_are_not_suppressed(tree, make_user):
    outsider = make_user("viewer", tree["RAL"])
    assert shown(_figure(None, 3.1), outsider, tree["RP5"]).value == 3.1


def test_someone_with_no_role_sees_small_figures_suppressed(tree, make_user):
    assert shown(_figure(0), make_user(), tree["RP5"]).suppressed


def test_a_missing_figure_is_missing_not_suppressed(tree, make_user):
    figure = shown(None, make_user(), tree["RP5"])
    assert figure.is_missing and not figure.suppressed
