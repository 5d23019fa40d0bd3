"""Targets (PRODUCT.md 3.2): defaults, chairs' overrides that apply down the subtree, status."""

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from dashboard import services, targets
from dashboard.models import Target


def set_target(org, metric, value):
    return Target.objects.create(organisation=org, metric=metric, value=value)


def test_the_default_applies_when_nobody_set_one(tree):
    found = targets.effective_target(tree["RP5"], "appraisal_rate")
    assert (found.value, found.is_default, found.source) == (90.0, True, "Default")
    assert targets.effective_target(tree["RP5"], "contacts_per_fte").value is None


def test_a_chairs_target_applies_to_everything_below_unless_one_below_sets_its_own(tree):
    set_target(tree["QF7"], "appraisal_rate", 85)
    set_target(tree["QF7-DON"], "appraisal_rate", 95)
    orgs = [tree[c] for c in ("Y63", "QF7", "QF7-SHE", "RHQ", "QF7-DON", "RP5", "QWO")]
    found = targets.effective_targets_many(orgs, ["appraisal_rate"])
    values = {org.code: found[org.pk]["appraisal_rate"].value for org in orgs}
    assert values == {
        "Y63": 90.0,  # above the ICS: the default
        "QF7": 85,
        "QF7-SHE": 85,
        "RHQ": 85,
        "QF7-DON": 95,  # the place set its own
        "RP5": 95,
        "QWO": 90.0,  # another ICS is untouched
    }
    assert found[tree["RHQ"].pk]["appraisal_rate"].source.startswith("Set by ")
    assert found[tree["QF7"].pk]["appraisal_rate"].source == "Set here"


def test_many_organisations_targets_take_one_query(tree, django_assert_num_queries):
    set_target(tree["QF7"], "appraisal_rate", 85)
    orgs = list(tree.values())
    with django_assert_num_queries(1):
        found = targets.effective_targets(orgs)
    assert len(found) == len(orgs)
    assert targets.effective_targets(tree["RP5"])["appraisal_rate"] == 85


@pytest.mark.parametrize(
    "metric, value, target, expected",
    [
        ("appraisal_rate", 92, 90, "met"),
        ("appraisal_rate", 90, 90, "met"),
        ("appraisal_rate", 81, 90, "near"),  # within 10% of 90 (81 and up)
        ("appraisal_rate", 80.9, 90, "not_met"),
        ("sickness_absence_rate", 3.5, 4, "met"),
        ("sickness_absence_rate", 4.4, 4, "near"),  # lower is better: up to 4.4
        ("sickness_absence_rate", 4.5, 4, "not_met"),
        ("appraisal_rate", None, 90, None),  # no value
        ("contacts_per_fte", 100, None, None),  # no target
        ("support_workforce_share", 30, 25, None),  # neither direction is better
    ],
)
def test_status_respects_the_direction(metric, value, target, expected):
    assert targets.status(catalogue.get(metric), value, target) == expected
    assert targets.status(metric, value, target) == expected


def test_status_is_always_in_words():
    for code in ("met", "near", "not_met", None):
        assert targets.status_label(code)


def test_a_chair_sets_and_clears_targets(tree, client_for):
    client = client_for("chair", tree["QF7"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    page = client.get(url)
    assert page.status_code == 200
    assert "Appraisal rate %" in page.content.decode()
    response = client.post(url, {"target_appraisal_rate": "85", "target_dna_rate": "6.5"})
    assert response.status_code == 302
    assert dict(Target.objects.values_list("metric", "value")) == {
        "appraisal_rate": 85,
        "dna_rate": 6.5,
    }
    # a blank box clears the organisation's own target: the default applies again
    response = client.post(url, {"target_dna_rate": "6.5"})
    assert dict(Target.objects.values_list("metric", "value")) == {"dna_rate": 6.5}
    assert targets.effective_target(tree["RP5"], "appraisal_rate").is_default


def test_a_bad_target_is_refused_with_the_metric_named(tree, client_for):
    client = client_for("chair", tree["QF7"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    response = client.post(url, {"target_appraisal_rate": "120", "target_dna_rate": "lots"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter a target between 0 and 100 for Appraisal rate %" in text
    assert "Enter a target for Did not attend rate % as a number" in text
    assert not Target.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "respondent", "data_manager"])
def test_only_a_chair_may_set_targets(tree, client_for, role):
    client = client_for(role, tree["QF7"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    assert client.get(url).status_code == 404
    assert client.post(url, {"target_appraisal_rate": "50"}).status_code == 404
    assert not Target.objects.exists()


def test_a_sibling_chair_gets_404(tree, client_for):
    client = client_for("chair", tree["QWO"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    assert client.post(url, {"target_appraisal_rate": "50"}).status_code == 404
    assert not Target.objects.exists()


def test_target_set_refuses_impossible_values(tree, make_user):
    with pytest.raises(services.TargetError, match="between 0 and 100"):
        services.target_set(
            organisation=tree["QF7"], metric="appraisal_rate", value=101, actor=None
        )
    with pytest.raises(services.TargetError, match="Unknown metric"):
        services.target_set(organisation=tree["QF7"], metric="nope", value=1, actor=None)
    with pytest.raises(services.TargetError, match="has no target|no target"):
        services.target_set(
            organisation=tree["QF7"], metric="ethnic_minority_share", value=10, actor=None
        )
    assert not Target.objects.filter(metric="ethnic_minority_share").exists()


def test_a_chair_cannot_set_a_target_where_neither_direction_is_better(tree, client_for):
    """PRODUCT.md 3.3: metrics with no better direction have no target status and no
    assurance, so the form refuses a target for one, naming it, and saves nothing."""
    client = client_for("chair", tree["QF7"])
    url = reverse("dashboard:targets", kwargs={"code": "QF7"})
    response = client.post(
        url, {"target_ethnic_minority_share": "20", "target_appraisal_rate": "85"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "Ethnic minority share, all bands % has no target: neither a higher nor a lower value "
        "is better. Leave the box blank." in text
    )
    assert not Target.objects.exists()


def test_a_target_left_on_a_metric_without_direction_is_ignored(tree):
    set_target(tree["QF7"], "support_workforce_share", 30)
    found = targets.effective_target(tree["RP5"], "support_workforce_share")
    assert (found.value, found.source) == (None, "No target")


def test_the_targets_page_has_a_constant_number_of_queries(
    tree, client_for, django_assert_max_num_queries
):
    client = client_for("chair", tree["QF7"])
    for metric in [m.code for m in catalogue.CATALOGUE if m.has_direction][:10]:
        set_target(tree["QF7"], metric, 50)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard:targets", kwargs={"code": "QF7"})).status_code == 200
