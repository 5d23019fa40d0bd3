"""The dashboard pages' figures are cached until the next recompute (dashboard/page_cache.py),
per suppression view: nobody is ever shown a figure suppressed for them because someone allowed
to see it opened the page first, and a recompute shows its new figures at once."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from dashboard import charts, page_cache, services, snapshots
from dashboard import metrics as catalogue
from dashboard.models import MetricValue
from tests.dashboard.conftest import MARCH, d
from tests.dashboard.pages_data import LATEST, tree_values

SICKNESS = catalogue.get("sickness_absence_rate")
VACANCY = catalogue.get("vacancy_rate")


def _scorecard(org, **params):
    url = reverse("dashboard:scorecard", args=[org.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _metric(org, metric="sickness_absence_rate"):
    return reverse("dashboard:metric", args=[org.code, metric])


def _row(page: str, label: str) -> str:
    """The table row of the page that starts with ``label`` (a metric or organisation name)."""
    start = page.index(label)
    return page[start : page.index("</tr>", start)]


def _value(page: str, label: str) -> str:
    """The value shown in that row (its first numeric cell)."""
    return re.search(r'--numeric">([^<]+)<', _row(page, label)).group(1)


@pytest.fixture
def figures(tree):
    """Sickness absence everywhere; RXE's rests on 3 people (2.75%, suppressed when computed),
    QF7-DON's on 300 (4.5%). A snapshot numbers the store, as a recompute does."""

    def override(org, metric, k):
        if metric.code != SICKNESS.code:
            return None
        if org.code == "RXE":
            return {"value": 2.75, "people": 3}
        if org.code == "QF7-DON":
            return {"value": 4.5, "people": 300}
        return None

    rows = tree_values(tree, metrics=[SICKNESS, VACANCY], override=override)
    snapshots.capture()
    return rows


def _own_and_parent(tree, client_for):
    """A viewer at RXE (owns the small figure) and one at its place only."""
    return client_for("viewer", tree["RXE"]), client_for("viewer", tree["QF7-DON"])


@pytest.mark.parametrize("owner_first", [True, False])
def test_a_cached_scorecard_never_shows_a_suppressed_figure_to_a_parent(
    owner_first, tree, figures, client_for
):
    own, parent = _own_and_parent(tree, client_for)
    order = [own, parent] if owner_first else [parent, own]
    pages = {id(c): c.get(_scorecard(tree["RXE"])).content.decode() for c in order * 2}
    own_row = _row(pages[id(own)], SICKNESS.name)
    parent_row = _row(pages[id(parent)], SICKNESS.name)
    assert "2.8%" in own_row and "fewer than 5" not in own_row
    assert "fewer than 5" in parent_row and "2.8%" not in parent_row


@pytest.mark.parametrize("owner_first", [True, False])
def test_a_cached_metric_page_hides_a_child_from_a_viewer_without_a_role_there(
    owner_first, tree, figures, client_for
):
    """The place's drill-down lists RXE: shown to someone who also holds a role at RXE, "fewer
    than 5" to someone who holds one at the place only, whoever opened the page first."""
    both = client_for("viewer", tree["QF7-DON"])
    both.user.memberships.create(organisation=tree["RXE"], role="viewer")
    place_only = client_for("viewer", tree["QF7-DON"])
    order = [both, place_only] if owner_first else [place_only, both]
    pages = {id(c): c.get(_metric(tree["QF7-DON"])).content.decode() for c in order * 2}
    seen = _row(pages[id(both)], tree["RXE"].name)
    hidden = _row(pages[id(place_only)], tree["RXE"].name)
    assert "2.8%" in seen and "fewer than 5" not in seen
    assert "fewer than 5" in hidden and "2.8%" not in hidden


def test_the_page_is_served_from_the_cache_until_a_snapshot_and_a_new_one_shows_at_once(
    tree, figures, client_for
):
    chair = client_for("chair", tree["QF7-DON"])
    assert _value(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name) == "4.5%"
    latest = MetricValue.objects.filter(
        organisation=tree["QF7-DON"], metric=SICKNESS.code, month=LATEST, profession="all"
    )
    latest.filter(band_group="all").update(value=6.4)  # outside a recompute: no new version
    assert _value(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name) == "4.5%"
    snapshots.capture()  # the store numbered again, as every recompute's commit does
    assert _value(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name) == "6.4%"
    assert "6.4%" in chair.get(_metric(tree["QF7-DON"])).content.decode()


def _stored_sickness(org, month=MARCH) -> str:
    """The stored all-professions sickness figure of ``org``, as the pages write it."""
    value = MetricValue.objects.get(
        organisation=org, metric=SICKNESS.code, month=month, profession="all", band_group="all"
    ).value
    return charts.fmt_number(value, SICKNESS.unit)


def test_after_a_recompute_the_pages_show_its_figures(tree, workforce, data, client_for):
    services.recompute_all()
    chair = client_for("chair", tree["RP5"])
    url = _scorecard(tree["RP5"], month="2025-03")
    before, first = _stored_sickness(tree["RP5"]), chair.get(url).content.decode()
    assert _value(first, SICKNESS.name) == before
    # a new physiotherapist in post since 2024, 12 days off sick in March
    data.staff_month(data.staff(tree["RP5"], start=d("2024-01-01")), MARCH, sick="12")
    assert _row(chair.get(url).content.decode(), SICKNESS.name) == _row(first, SICKNESS.name)
    services.recompute_all()
    after = _stored_sickness(tree["RP5"])
    assert after != before
    assert _value(chair.get(url).content.decode(), SICKNESS.name) == after
    assert after in chair.get(_metric(tree["RP5"]) + "?month=2025-03").content.decode()


def test_a_target_set_after_the_page_was_cached_shows_at_once(tree, figures, client_for):
    chair = client_for("chair", tree["QF7-DON"])
    default = charts.fmt_number(SICKNESS.default_target, SICKNESS.unit)
    assert default in _row(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name)
    services.target_set(
        organisation=tree["QF7-DON"], metric=SICKNESS.code, value=3.5, actor=chair.user
    )
    row = _row(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name)
    assert "3.5%" in row and default not in row and "Not met" in row


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.parametrize("path", ["scorecard", "metric"])
def test_a_cached_page_is_the_page_computed_afresh(path, tree, figures, client_for):
    """The same user, the same page: from the cache (second request) and computed again."""
    viewer = client_for("viewer", tree["QF7"])
    url = _scorecard(tree["QF7"]) if path == "scorecard" else _metric(tree["QF7"])
    first = _without_tokens(viewer.get(url).content.decode())
    cached = _without_tokens(viewer.get(url).content.decode())
    cache.clear()
    assert first == cached == _without_tokens(viewer.get(url).content.decode())


@pytest.mark.parametrize("code", ["ENG", "Y63", "QF7", "QF7-DON", "RP5"])
def test_a_cached_page_makes_few_queries_at_every_level(
    code, tree, figures, client_for, django_assert_max_num_queries
):
    viewer = client_for("viewer", tree[code])
    for url in (_scorecard(tree[code]), _metric(tree[code])):
        with django_assert_max_num_queries(20):
            assert viewer.get(url).status_code == 200  # computed
        with django_assert_max_num_queries(14):
            assert viewer.get(url).status_code == 200  # from the cache


def test_nothing_is_cached_while_the_store_has_no_snapshot(tree, client_for):
    tree_values(tree, metrics=[SICKNESS])
    assert page_cache.store_version() is None
    chair = client_for("chair", tree["QF7-DON"])
    chair.get(_scorecard(tree["QF7-DON"]))
    MetricValue.objects.filter(
        organisation=tree["QF7-DON"], metric=SICKNESS.code, month=LATEST, profession="all"
    ).filter(band_group="all").update(value=6.4)
    assert _value(chair.get(_scorecard(tree["QF7-DON"])).content.decode(), SICKNESS.name) == "6.4%"
