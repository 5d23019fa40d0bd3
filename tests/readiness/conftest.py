import datetime

import pytest
from django.test import Client
from django.utils import timezone

from readiness import services
from readiness.models import Answer, Section


@pytest.fixture
def employer_section(db):
    return Section.objects.select_related("template").get(
        template__code="support_workforce", template__version=1, code="employer"
    )


@pytest.fixture
def sor_section(db):
    return Section.objects.get(template__code="state_of_readiness", template__version=1)


@pytest.fixture
def people(tree, make_user):
    """chair at the ICS, respondents at RP5 and its sibling RXE, a viewer at the ICS."""
    return {
        "chair": make_user("chair", tree["QF7"], email="chair@syb.test", full_name="Chris Chair"),
        "rp5": make_user("respondent", tree["RP5"], email="chief@rp5.test", full_name="Dana"),
        "rp5b": make_user("respondent", tree["RP5"], email="deputy@rp5.test"),
        "rxe": make_user("respondent", tree["RXE"], email="chief@rxe.test"),
        "viewer": make_user("viewer", tree["QF7"], email="viewer@syb.test"),
    }


def client_of(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def due():
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def employer_cycle(tree, people, employer_section, due, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.cycle_open(
            actor=people["chair"],
            organisation=tree["QF7"],
            section=employer_section,
            name="2026/27",
            due_date=due,
        )


def answer_all(submission, yes_no="Y", next_steps="Agree a plan"):
    Answer.objects.filter(submission=submission).update(
        yes_no=yes_no, response="Our response", next_steps=next_steps
    )


def post_fields(submission, **overrides):
    """The plain form's POST data for every answer, as the page would send it."""
    data = {}
    for a in submission.answers.all():
        data[f"a{a.pk}-version"] = str(a.version)
        if a.yes_no:
            data[f"a{a.pk}-yes_no"] = a.yes_no
        data[f"a{a.pk}-response"] = a.response
        data[f"a{a.pk}-next_steps"] = a.next_steps
    data.update(overrides)
    return data
