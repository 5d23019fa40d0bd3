"""The plan by theme, each action's history and the printable view: who may read, what they see,
and a constant number of queries."""

import pytest
from django.urls import reverse

from delivery import services
from delivery.models import Action


def plan_url(code="QF7", **query):
    url = reverse("delivery:plans", kwargs={"code": code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_plan_shows_every_theme_action_and_measure(syb_plan, tree, client_for):
    html = client_for("viewer", tree["QF7"]).get(plan_url()).content.decode()
    for heading in [
        "Theme 1: Value",
        "Theme 2: Health &amp; Wellbeing",
        "Theme 3: Quality Evidence Based Care",
        "Theme 4: Excellence Through Leadership",
        "Theme 5: Workforce for the Future",
    ]:
        assert heading in html
    assert "1.1 To Implement Job Planning across AHP workforce" in html
    assert "Assess capacity of AHP workforce" in html
    assert html.count("No update yet") == 26


def test_a_status_is_shown_in_words_as_at_the_chosen_quarter(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    services.update_add(
        action=action_of("1.1"),
        quarter="2026/27 Q2",
        status="at_risk",
        narrative="Licences delayed.",
        author=chair.user,
    )
    services.update_add(
        action=action_of("1.1"),
        quarter="2026/27 Q3",
        status="on_track",
        narrative="Licences bought.",
        author=chair.user,
    )
    q2 = chair.get(plan_url(quarter="2026/27 Q2")).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--yellow">At risk</strong>' in q2
    assert "Licences delayed." in q2 and "Licences bought." not in q2

    q3 = chair.get(plan_url(quarter="2026/27 Q3")).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--green">On track</strong>' in q3
    assert "Licences bought." in q3

    q4 = chair.get(plan_url(quarter="2026/27 Q4")).content.decode()
    assert "(last updated 2026/27 Q3)" in q4


def test_a_nonsense_quarter_falls_back_to_the_current_one(syb_plan, tree, client_for):
    response = client_for("viewer", tree["QF7"]).get(plan_url(quarter="Q9"))
    assert response.status_code == 200
    assert response.context["quarter"].startswith("20")


def test_readers_get_no_edit_links_and_chairs_do(syb_plan, tree, client_for):
    viewer_html = client_for("viewer", tree["QF7"]).get(plan_url()).content.decode()
    chair_html = client_for("chair", tree["QF7"]).get(plan_url()).content.decode()
    for text in ["Add a progress update", "Change the action", "Add a measure of success"]:
        assert text not in viewer_html
        assert text in chair_html


def test_a_regional_chair_reads_and_edits_the_ics_plan_below(syb_plan, tree, client_for):
    html = client_for("chair", tree["Y63"]).get(plan_url()).content.decode()
    assert "Add a progress update" in html


def test_a_plan_belongs_to_an_ics_or_region_only(tree, client_for):
    client = client_for("chair", tree["ENG"])
    assert client.get(plan_url("RP5")).status_code == 404
    assert client.get(plan_url("QF7-DON")).status_code == 404
    assert client.get(plan_url("ENG")).status_code == 404
    assert client.get(plan_url("Y63")).status_code == 200


def test_an_ics_without_a_plan_says_so(tree, client_for):
    html = client_for("viewer", tree["QWO"]).get(plan_url("QWO")).content.decode()
    assert "has no delivery plan yet" in html


def test_the_org_page_links_to_the_plan(tree, client_for):
    html = client_for("viewer", tree["QF7"]).get(
        reverse("councils:organisation", kwargs={"code": "QF7"})
    )
    assert plan_url() in html.content.decode()


@pytest.mark.parametrize("updates_per_action", [0, 3])
def test_the_plan_page_reads_in_constant_queries(
    syb_plan, tree, client_for, action_of, django_assert_max_num_queries, updates_per_action
):
    chair = client_for("chair", tree["QF7"])
    for action in Action.objects.filter(theme__plan=syb_plan):
        for q in ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3"][:updates_per_action]:
            services.update_add(
                action=action, quarter=q, status="on_track", narrative="Fine.", author=chair.user
            )
    with django_assert_max_num_queries(12):
        assert chair.get(plan_url(quarter="2026/27 Q3")).status_code == 200


def test_the_action_history_lists_every_update_newest_first(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"], full_name="Chris Chair")
    action = action_of("2.3")
    for quarter, status, text in [
        ("2026/27 Q1", "on_track", "Started."),
        ("2026/27 Q2", "off_track", "Stalled."),
        ("2026/27 Q2", "at_risk", "Recovering."),
    ]:
        services.update_add(
            action=action, quarter=quarter, status=status, narrative=text, author=chair.user
        )
    url = reverse("delivery:action", kwargs={"code": "QF7", "pk": action.pk})
    html = client_for("viewer", tree["QF7"]).get(url).content.decode()
    assert html.index("Recovering.") < html.index("Stalled.") < html.index("Started.")
    assert html.count("Chris Chair") == 3
    assert "Off track</strong>" in html


def test_an_action_of_another_plan_is_not_found_through_this_plan(
    syb_plan, tree, client_for, action_of
):
    other = services.plan_seed_from_appendix(organisation=tree["QWO"]).plan
    qwo_action = Action.objects.filter(theme__plan=other).first()
    client = client_for("chair", tree["Y63"])  # covers both ICSs
    url = reverse("delivery:action", kwargs={"code": "QF7", "pk": qwo_action.pk})
    assert client.get(url).status_code == 404


def test_the_print_view_has_the_summary_and_every_action(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    services.update_add(
        action=action_of("5.1"),
        quarter="2026/27 Q3",
        status="off_track",
        narrative="No analyst.",
        author=chair.user,
    )
    url = reverse("delivery:print", kwargs={"code": "QF7"}) + "?quarter=2026/27 Q3"
    html = client_for("viewer", tree["QF7"]).get(url).content.decode()
    assert "delivery/print.css" in html
    assert "What changed in 2026/27 Q3" in html
    assert html.count('<caption class="nhsuk-table__caption">Theme ') == 5
    assert "No analyst." in html


def test_the_action_history_and_print_view_read_in_constant_queries(
    syb_plan, tree, client_for, action_of, django_assert_max_num_queries
):
    chair = client_for("chair", tree["QF7"])
    action = action_of("1.1")
    for n in range(12):
        services.update_add(
            action=action,
            quarter=f"20{20 + n // 4}/{21 + n // 4} Q{n % 4 + 1}",
            status="on_track",
            narrative=f"Update {n}.",
            author=chair.user,
        )
    with django_assert_max_num_queries(10):
        response = chair.get(reverse("delivery:action", kwargs={"code": "QF7", "pk": action.pk}))
    assert response.content.decode().count("Update ") == 12
    with django_assert_max_num_queries(12):
        assert chair.get(reverse("delivery:print", kwargs={"code": "QF7"})).status_code == 200
