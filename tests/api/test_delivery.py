"""GET /api/v1/delivery-plans/ and /api/v1/delivery-actions/: the SYB plan as seeded."""

import pytest

from delivery import services
from delivery.models import Action, ProgressUpdate


@pytest.fixture
def plan(tree):
    return services.plan_seed_from_appendix(organisation=tree["QF7"]).plan


def test_plans_list_their_themes_with_action_counts(token_for, tree, plan):
    client = token_for("analyst", tree["QF7"])
    (row,) = client.get("/api/v1/delivery-plans/").json()["results"]
    assert row["organisation"] == "QF7" and row["title"] == plan.title
    assert [t["number"] for t in row["themes"]] == sorted(
        plan.themes.values_list("number", flat=True)
    )
    assert (
        sum(t["actions"] for t in row["themes"]) == Action.objects.filter(theme__plan=plan).count()
    )


def test_actions_carry_the_latest_status(token_for, tree, plan):
    action = Action.objects.filter(theme__plan=plan).order_by("pk").first()
    ProgressUpdate.objects.create(
        action=action, quarter="2026/27 Q1", status="at_risk", narrative="a"
    )
    ProgressUpdate.objects.create(
        action=action, quarter="2026/27 Q2", status="on_track", narrative="b"
    )
    client = token_for("analyst", tree["QF7"])
    rows = client.get("/api/v1/delivery-actions/", {"page_size": 1000}).json()["results"]
    assert len(rows) == Action.objects.filter(theme__plan=plan).count()
    mine = next(r for r in rows if r["id"] == action.pk)
    assert (mine["latest_quarter"], mine["latest_status"]) == ("2026/27 Q2", "on_track")
    on_track = client.get("/api/v1/delivery-actions/", {"latest_status": "on_track"}).json()
    assert [r["id"] for r in on_track["results"]] == [action.pk]
    theme_1 = client.get("/api/v1/delivery-actions/", {"theme": 1, "page_size": 1000}).json()
    assert {r["theme_number"] for r in theme_1["results"]} == {1}


def test_a_sibling_ics_sees_no_plan(token_for, tree, plan):
    client = token_for("analyst", tree["QWO"])
    assert client.get("/api/v1/delivery-plans/").json()["results"] == []
    assert client.get(f"/api/v1/delivery-plans/{plan.pk}/").status_code == 404
    assert client.get("/api/v1/delivery-actions/").json()["results"] == []


def test_delivery_lists_take_a_constant_number_of_queries(
    token_for, tree, plan, django_assert_max_num_queries
):
    client = token_for("analyst", tree["QF7"])
    for url in ("/api/v1/delivery-plans/", "/api/v1/delivery-actions/"):
        with django_assert_max_num_queries(7):
            assert client.get(url, {"page_size": 1000}).status_code == 200
