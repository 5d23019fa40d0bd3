"""A chair (or the command) seeds a council's plan from seed 000 appendix 1, word for word, and
seeding again adds nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from delivery import services
from delivery.models import Action, DeliveryPlan, MeasureOfSuccess, Theme

SEED = json.loads(services.SEED_PATH.read_text(encoding="utf-8"))


def stored_plan(plan):
    return [
        {
            "number": theme.number,
            "name": theme.name,
            "actions": [
                {
                    "text": action.text,
                    "measures_of_success": [{"text": m.text} for m in action.measures.all()],
                }
                for action in theme.actions.order_by("position").prefetch_related("measures")
            ],
        }
        for theme in plan.themes.order_by("number")
    ]


def test_it_stores_every_theme_action_and_measure_word_for_word(syb_plan):
    assert stored_plan(syb_plan) == SEED["themes"]
    assert syb_plan.title == "Delivering the Plan - Areas for Consideration"
    assert syb_plan.source == "seed 000 appendix 1"
    assert Theme.objects.filter(plan=syb_plan).count() == 5
    assert Action.objects.filter(theme__plan=syb_plan).count() == 26
    assert MeasureOfSuccess.objects.filter(action__theme__plan=syb_plan).count() == 32


def test_seeding_twice_adds_nothing_and_keeps_a_chairs_edits(tree, syb_plan):
    action = Action.objects.get(theme__plan=syb_plan, seed_ref="1.1")
    action.text = "Implement job planning across the AHP workforce by March 2027"
    action.save()

    result = services.plan_seed_from_appendix(organisation=tree["QF7"])

    assert result.created == 0
    assert result.already_present == 5 + 26 + 32
    assert "nothing was added" in result.summary()
    assert Action.objects.filter(theme__plan=syb_plan).count() == 26
    assert MeasureOfSuccess.objects.filter(action__theme__plan=syb_plan).count() == 32
    action.refresh_from_db()
    assert action.text.endswith("by March 2027")


def test_seeding_restores_only_what_was_deleted(tree, syb_plan):
    Action.objects.get(theme__plan=syb_plan, seed_ref="5.3").delete()  # and its 3 measures

    result = services.plan_seed_from_appendix(organisation=tree["QF7"])

    assert (result.themes_created, result.actions_created, result.measures_created) == (0, 1, 3)
    assert stored_plan(syb_plan) == SEED["themes"]


def test_seeding_uses_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        services.plan_seed_from_appendix(organisation=tree["QF7"])
    with django_assert_max_num_queries(16):
        services.plan_seed_from_appendix(organisation=tree["QF7"])


def test_the_command_seeds_a_council_and_says_what_it_did(tree, capsys):
    call_command("seed_delivery_plan", "QF7")
    out = capsys.readouterr().out
    assert "Added 5 themes, 26 actions and 32 measures of success" in out
    assert stored_plan(DeliveryPlan.objects.get(organisation=tree["QF7"])) == SEED["themes"]

    call_command("seed_delivery_plan", "QF7")
    assert "nothing was added" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_code_or_a_provider(tree):
    with pytest.raises(CommandError, match="No organisation has the code 'NOPE'"):
        call_command("seed_delivery_plan", "NOPE")
    with pytest.raises(CommandError, match="delivery plans belong to an integrated care system"):
        call_command("seed_delivery_plan", "RP5")
    assert not DeliveryPlan.objects.exists()


def test_a_chair_seeds_with_the_button(tree, client_for):
    chair = client_for("chair", tree["QF7"])
    page = chair.get(reverse("delivery:plans", kwargs={"code": "QF7"}))
    assert "Start from the South Yorkshire and Bassetlaw strategy" in page.content.decode()

    response = chair.post(reverse("delivery:seed", kwargs={"code": "QF7"}), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Added 5 themes, 26 actions and 32 measures of success" in html
    assert "Theme 1: Value" in html
    assert "Start from the South Yorkshire and Bassetlaw strategy" not in html


@pytest.mark.parametrize("role", ["viewer", "respondent", "data_manager", "analyst", "org_admin"])
def test_only_a_chair_can_seed(tree, client_for, role):
    client = client_for(role, tree["QF7"])
    page = client.get(reverse("delivery:plans", kwargs={"code": "QF7"}))
    assert page.status_code == 200
    assert "Start from the South Yorkshire and Bassetlaw strategy" not in page.content.decode()
    assert client.post(reverse("delivery:seed", kwargs={"code": "QF7"})).status_code == 404
    assert not DeliveryPlan.objects.exists()


def test_a_sibling_ics_chair_cannot_seed(tree, client_for):
    other = client_for("chair", tree["QWO"])
    assert other.post(reverse("delivery:seed", kwargs={"code": "QF7"})).status_code == 404
    assert not DeliveryPlan.objects.exists()
