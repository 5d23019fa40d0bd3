"""Small-number suppression (PRODUCT.md 3.4): figures resting on fewer than 5 people are
"fewer than 5" to anyone whose role is not held at the organisation that owns them (parents,
siblings, regional and national users included)."""

from types import SimpleNamespace

import pytest

from dashboard.suppression import is_suppressed, shown


def _figure(people, value=42.0):
    """A stored figure as the recompute marks it (primary suppression)."""
    return SimpleNamespace(people=people, value=value, suppressed=people is not None and people < 5)


@pytest.mark.parametrize(
    ("viewer_at", "suppressed"),
    [
        ("RP5", False),
        ("QF7-DON", True),
        ("QF7", True),
        ("ENG", True),
        ("RXE", True),
        ("QWO", True),
    ],
)
def test_a_figure_on_4_people_is_hidden_from_everyone_without_a_role_at_its_organisation(
    viewer_at, suppressed, tree, make_user
):
    user = make_user("viewer", tree[viewer_at])
    assert is_suppressed(suppressed=True, owner=tree["RP5"], user=user) is suppressed
    figure = shown(_figure(4), user, tree["RP5"])
    assert figure.suppressed is suppressed
    assert figure.value == (None if suppressed else 42.0)


def test_five_people_or_more_is_never_suppressed(tree, make_user):
    outsider = make_user("viewer", tree["RAL"])
    assert not _figure(5).suppressed
    assert not is_suppressed(suppressed=False, owner=tree["RP5"], user=outsider)
    assert shown(_figure(5), outsider, tree["RP5"]).value == 42.0


def test_figures_without_a_people_count_are_not_suppressed(tree, make_user):
    outsider = make_user("viewer", tree["RAL"])
    assert shown(_figure(None, 3.1), outsider, tree["RP5"]).value == 3.1


def test_someone_with_no_role_sees_small_figures_suppressed(tree, make_user):
    assert shown(_figure(0), make_user(), tree["RP5"]).suppressed


def test_a_missing_figure_is_missing_not_suppressed(tree, make_user):
    figure = shown(None, make_user(), tree["RP5"])
    assert figure.is_missing and not figure.suppressed
