import datetime
from html.parser import HTMLParser

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
def open_cycle(tree, people, due):
    """``open_cycle(section, name, **extra)``: the ICS chair opens a cycle of ``section`` in the
    SYB ICS (QF7), due in 30 days; ``extra`` goes to ``cycle_open`` (organisations, prefill)."""

    def open_(section, name, **extra):
        return services.cycle_open(
            actor=people["chair"],
            organisation=tree["QF7"],
            section=section,
            name=name,
            due_date=due,
            **extra,
        )

    return open_


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
    """The plain form's POST data for every answer, as the page loaded now would send it: each
    field's value and, in a hidden "-original" field, the value it was loaded with."""
    data = {}
    for a in submission.answers.all():
        data[f"a{a.pk}-version"] = str(a.version)
        if a.yes_no:
            data[f"a{a.pk}-yes_no"] = a.yes_no
        data[f"a{a.pk}-response"] = a.response
        data[f"a{a.pk}-next_steps"] = a.next_steps
        for field in ("yes_no", "response", "next_steps"):
            data[f"a{a.pk}-{field}-original"] = getattr(a, field)
    data.update(overrides)
    return data


def form_data(html, button):
    """What the browser would post from the page's answer form (no JavaScript), pressing
    ``button`` ("save" or "submit"): its inputs, checked radios and checkboxes, textareas."""
    parser = _FormParser()
    parser.feed(html)
    return {**parser.data, button: "1"}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self.inside, self.textarea = {}, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-autosave-url" in attrs:
            self.inside = True
        if not self.inside or "name" not in attrs or "disabled" in attrs:
            return
        if tag == "input":
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            if attrs.get("type") == "submit":
                return
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            value = self.data[self.textarea]
            # as browsers do, one newline straight after <textarea> is not part of the value
            self.data[self.textarea] = value[1:] if value.startswith("\n") else value
            self.textarea = None
        elif tag == "form":
            self.inside = False
