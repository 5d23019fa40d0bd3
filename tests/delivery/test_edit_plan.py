"""Chairs create and change actions and measures and add progress updates; readers in scope and
everyone out of scope get 404 on every edit page, and bad input gets a clear message."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from delivery import services
from delivery.models import Action, MeasureOfSuccess, ProgressUpdate


def url(name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"code": "QF7", **kwargs})


def test_a_chair_adds_an_action_with_owner_and_dates(syb_plan, tree, client_for, make_user):
    chair = client_for("chair", tree["QF7"])
    owner = make_user("respondent", tree["RHQ"], full_name="Sam Chief")
    theme = syb_plan.themes.get(number=2)
    response = chair.post(
        url("action_create"),
        {
            "theme": theme.pk,
            "text": "Run a co-production workshop in each place",
            "owner_user": owner.pk,
            "owner_organisation": tree["QF7-SHE"].pk,
            "start_date": "2026-10-01",
            "due_date": "2027-03-31",
        },
        follow=True,
    )
    action = Action.objects.get(text="Run a co-production workshop in each place")
    assert (action.theme, action.position) == (theme, 5)
    assert action.owner_display == "Sam Chief, Sheffield"
    assert "Added action 2.5." in response.content.decode()
    assert "31 March 2027" in response.content.decode()


def test_owners_must_be_in_scope_of_the_plan(syb_plan, tree, client_for, make_user):
    chair = client_for("chair", tree["QF7"])
    outsider = make_user("chair", tree["QWO"], email="outsider@wy.test")
    response = chair.post(
        url("action_create"),
        {
            "theme": syb_plan.themes.get(number=1).pk,
            "text": "x",
            "owner_user": outsider.pk,
            "owner_organisation": tree["RR8"].pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "owner_user" in errors and "owner_organisation" in errors
    assert not Action.objects.filter(text="x").exists()


def test_the_service_names_the_problem_with_an_owner_out_of_scope(syb_plan, tree, make_user):
    outsider = make_user("viewer", tree["QWO"], full_name="Wendy West")
    with pytest.raises(ValidationError) as info:
        services.action_create(theme=syb_plan.themes.first(), text="x", owner_user=outsider)
    assert "Wendy West holds no role at South Yorkshire and Bassetlaw" in str(info.value)


def test_a_due_date_before_the_start_is_refused(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    action = action_of("1.1")
    response = chair.post(
        url("action_edit", pk=action.pk),
        {
            "theme": action.theme_id,
            "text": action.text,
            "start_date": "2027-01-01",
            "due_date": "2026-12-01",
        },
    )
    assert "The due date must be the same as or after the start date." in response.content.decode()
    action.refresh_from_db()
    assert action.due_date is None


def test_a_chair_changes_an_action_and_moves_it_to_another_theme(
    syb_plan, tree, client_for, action_of
):
    chair = client_for("chair", tree["QF7"])
    action = action_of("1.5")
    theme5 = syb_plan.themes.get(number=5)
    chair.post(
        url("action_edit", pk=action.pk),
        {"theme": theme5.pk, "text": "Embrace digital technology", "due_date": "2027-06-30"},
    )
    action.refresh_from_db()
    assert (action.theme, action.position, action.text) == (theme5, 6, "Embrace digital technology")


def test_a_chair_adds_a_progress_update(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    action = action_of("3.1")
    response = chair.post(
        url("update_add", pk=action.pk),
        {"quarter": "2026/27 Q3", "status": "off_track", "narrative": "No clinical lead yet."},
        follow=True,
    )
    update = ProgressUpdate.objects.get(action=action)
    assert (update.quarter, update.status, update.author) == ("2026/27 Q3", "off_track", chair.user)
    assert "Recorded 2026/27 Q3 progress for action 3.1: off track." in response.content.decode()


def test_an_update_needs_a_known_quarter_status_and_narrative(
    syb_plan, tree, client_for, action_of
):
    chair = client_for("chair", tree["QF7"])
    response = chair.post(
        url("update_add", pk=action_of("3.1").pk),
        {"quarter": "2026 Q3", "status": "green", "narrative": " "},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"quarter", "status", "narrative"}
    assert "There is a problem" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_service_rejects_a_malformed_quarter_clearly(action_of, tree, make_user):
    for quarter, message in [
        ("2026 Q3", "'2026 Q3' is not a quarter; write it like 2026/27 Q3."),
        ("2026/28 Q3", "the years must follow on, like 2026/27"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.update_add(
                action=action_of("1.1"), quarter=quarter, status="on_track",
                narrative="x", author=None,
            )  # fmt: skip


def test_a_chair_adds_a_measure_and_links_a_metric_with_a_target(
    syb_plan, tree, client_for, action_of
):
    chair = client_for("chair", tree["QF7"])
    action = action_of("4.4")
    chair.post(url("measure_create", pk=action.pk), {"text": "Vacancies below 8%"})
    measure = MeasureOfSuccess.objects.get(action=action, text="Vacancies below 8%")
    assert (measure.position, measure.metric) == (3, "")

    response = chair.post(
        url("measure_edit", pk=measure.pk),
        {"text": measure.text, "metric": "vacancy_rate", "target": "8"},
        follow=True,
    )
    measure.refresh_from_db()
    assert (measure.metric, measure.target) == ("vacancy_rate", 8.0)
    assert "linked to Vacancy rate %" in response.content.decode()


def test_a_target_without_a_metric_or_an_unknown_metric_is_refused(
    syb_plan, tree, client_for, action_of
):
    chair = client_for("chair", tree["QF7"])
    measure = action_of("4.4").measures.first()
    response = chair.post(url("measure_edit", pk=measure.pk), {"text": "x", "target": "5"})
    assert "Choose a metric for the target to apply to." in response.content.decode()
    response = chair.post(url("measure_edit", pk=measure.pk), {"text": "x", "metric": "nope"})
    assert "metric" in response.context["form"].errors
    measure.refresh_from_db()
    assert measure.text == "Improve recruitment and retention within the ICS"


def edit_requests(plan, action, measure):
    theme = plan.themes.first()
    return [
        ("get", url("theme_create"), {}),
        ("post", url("theme_create"), {"name": "Digital"}),
        ("get", url("action_create"), {}),
        ("post", url("action_create"), {"theme": theme.pk, "text": "Sneaky"}),
        ("get", url("action_edit", pk=action.pk), {}),
        ("post", url("action_edit", pk=action.pk), {"theme": theme.pk, "text": "Sneaky"}),
        ("get", url("update_add", pk=action.pk), {}),
        (
            "post",
            url("update_add", pk=action.pk),
            {"quarter": "2026/27 Q3", "status": "complete", "narrative": "Sneaky"},
        ),
        ("get", url("measure_create", pk=action.pk), {}),
        ("post", url("measure_create", pk=action.pk), {"text": "Sneaky"}),
        ("get", url("measure_edit", pk=measure.pk), {}),
        ("post", url("measure_edit", pk=measure.pk), {"text": "Sneaky"}),
        ("post", url("seed"), {}),
    ]


@pytest.mark.parametrize(
    "role, where",
    [
        ("viewer", "QF7"),
        ("respondent", "QF7"),
        ("data_manager", "QF7"),
        ("analyst", "QF7"),
        ("org_admin", "QF7"),
        ("chair", "QF7-DON"),  # a chair below the ICS
        ("chair", "QWO"),  # a sibling ICS chair
        ("chair", "Y56"),  # another region's chair
    ],
)
def test_no_one_but_a_chair_in_scope_reaches_an_edit_page(
    syb_plan, tree, client_for, action_of, role, where
):
    client = client_for(role, tree[where])
    action = action_of("1.1")
    measure = action.measures.first()
    for method, address, data in edit_requests(syb_plan, action, measure):
        response = getattr(client, method)(address, data)
        assert response.status_code == 404, (role, where, method, address)
    assert not Action.objects.filter(text="Sneaky").exists()
    assert not MeasureOfSuccess.objects.filter(text="Sneaky").exists()
    assert not ProgressUpdate.objects.exists()
    assert syb_plan.themes.count() == 5


def test_a_sibling_ics_chair_gets_404_on_every_read_page_too(syb_plan, tree, client_for, action_of):
    client = client_for("chair", tree["QWO"])
    action = action_of("1.1")
    for address in [
        url("plans"),
        url("summary"),
        url("print"),
        url("export", fmt="csv"),
        url("export", fmt="xlsx"),
        url("action", pk=action.pk),
    ]:
        assert client.get(address).status_code == 404, address


def test_a_chair_adds_a_theme_to_an_empty_plan_then_an_action(tree, client_for):
    chair = client_for("chair", tree["QWO"])
    code = "QWO"
    response = chair.get(reverse("delivery:action_create", kwargs={"code": code}), follow=True)
    assert "Add a theme (or seed the plan) before adding actions." in response.content.decode()
    response = chair.post(reverse("delivery:theme_create", kwargs={"code": code}), {"name": " "})
    assert "Enter the theme&#x27;s name." in response.content.decode()
    chair.post(reverse("delivery:theme_create", kwargs={"code": code}), {"name": "Digital"})
    html = chair.get(reverse("delivery:plans", kwargs={"code": code})).content.decode()
    assert "Theme 1: Digital" in html
