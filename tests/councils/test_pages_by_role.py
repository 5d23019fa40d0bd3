# ruff: noqa: F811 - the readiness fixtures imported below are arguments
"""Pages by role: the header offers what the user's roles can use, and each lands on their work."""

import re

import pytest
from django.urls import reverse

from readiness import services
from tests.readiness.conftest import (  # noqa: F401 (fixtures)
    client_of,
    due,
    employer_cycle,
    employer_section,
    people,
)


def nav_links(client):
    page = client.get("/").content.decode()
    menu = page.split('aria-label="Menu"')[1].split("</nav>")[0]
    return re.findall(r'class="nhsuk-header__navigation-link" href="[^"]*">([^<]+)</a>', menu)


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("viewer", {"Metrics"}, {"Readiness", "Imports", "API"}),
        ("respondent", {"Metrics", "Readiness"}, {"Imports", "API"}),
        ("chair", {"Metrics", "Readiness"}, {"Imports", "API"}),
        ("data_manager", {"Metrics", "Imports", "API"}, {"Readiness"}),
        ("analyst", {"Metrics", "API"}, {"Imports", "Readiness"}),
    ],
)
def test_the_header_shows_only_what_the_roles_can_use(tree, client_for, role, shown, hidden):
    links = set(nav_links(client_for(role, tree["QF7"])))
    assert shown <= links, links
    assert not hidden & links, links


def test_a_respondents_home_starts_with_their_toolkits_due(employer_cycle, tree, people):
    page = client_of(people["rp5"]).get("/").content.decode()
    main = page.split('id="maincontent"')[1]
    assert main.index("Your toolkits due") < main.index("Your organisations")
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    row = main.split(reverse("readiness:submission", args=[sub.pk]))[1].split("</tr>")[0]
    assert tree["RP5"].name in row
    assert employer_cycle.due_date.strftime("%-d %B %Y") in row
    assert "Draft" in row
    # the sibling's toolkit is not theirs
    other = employer_cycle.submissions.get(organisation=tree["RXE"])
    assert reverse("readiness:submission", args=[other.pk]) not in page


def test_a_viewers_home_is_their_organisations(tree, client_for):
    page = client_for("viewer", tree["QF7"]).get("/").content.decode()
    assert (
        "Your toolkits due" not in page
        and '<h1 class="nhsuk-heading-xl">Your organisations' in page
    )


def test_a_leads_assigned_list_groups_by_level_their_own_first(
    tree, make_user, employer_section, due
):
    lead = make_user("respondent", tree["Y63"], email="lead@region.test")
    chair = make_user("chair", tree["Y63"], email="chair@region.test")
    services.cycle_open(
        actor=chair, organisation=tree["Y63"], section=employer_section, name="E", due_date=due
    )
    regional = employer_section.template.sections.filter(level="region").first()
    assert regional is not None
    services.cycle_open(
        actor=chair, organisation=tree["Y63"], section=regional, name="R", due_date=due
    )
    page = client_of(lead).get(reverse("readiness:home")).content.decode()
    headings = re.findall(r'<h3 class="nhsuk-heading-m" id="assigned-\d+">([^<]+)</h3>', page)
    assert [h.split(" toolkits")[0] for h in headings] == ["Region", "Provider"], headings
