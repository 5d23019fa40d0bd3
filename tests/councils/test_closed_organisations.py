"""After a merger, the pages are on today's structure: a place lists its open providers and,
apart, the closed ones with their successors; a closed provider's pages say where its data went;
the leadership register and the readiness toolkits' choice of providers leave closed ones out."""

import datetime as dt
from html import unescape

import pytest

from councils import leadership, structure
from councils.models import LeadershipPost
from councils.selectors import children_of, closed_children_of

APRIL = dt.date(2025, 4, 1)
NAME = "Doncaster and Rotherham NHS Trust"


@pytest.fixture
def merged(tree):
    successor = structure.record_merger(
        [tree["RP5"], tree["RXE"]], code="RX1", name=NAME, effective=APRIL, user=None, reason="M"
    )
    tree.refresh()
    return successor


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def test_a_place_lists_its_open_providers_and_apart_the_closed_ones(merged, tree, client_for):
    assert list(children_of(tree["QF7-DON"])) == [merged]
    assert list(closed_children_of(tree["QF7-DON"])) == [tree["RP5"], tree["RXE"]]
    html = text(client_for("viewer", tree["QF7"]).get("/org/QF7-DON/"))
    listed, closed = html.split("Closed providers below Doncaster")
    assert "/org/RX1/" in listed and "/org/RP5/" not in listed and "/org/RXE/" not in listed
    assert "/org/RP5/" in closed and "/org/RXE/" in closed
    assert "1 April 2025" in closed and f"{NAME} (RX1)" in closed


def test_no_closed_section_before_any_closure(tree, client_for):
    html = text(client_for("viewer", tree["QF7"]).get("/org/QF7-DON/"))
    assert "Closed providers" not in html and "/org/RP5/" in html


def test_a_closed_providers_pages_name_its_successor(merged, tree, client_for):
    viewer = client_for("viewer", tree["QF7"])
    page = text(viewer.get("/org/RP5/"))
    assert "Closed on 1 April 2025: merged into" in page and '<a href="/org/RX1/">' in page
    scorecard = text(viewer.get("/org/RP5/dashboard/"))
    assert "closed on 1 April 2025" in scorecard
    assert '<a href="/org/RX1/dashboard/">' in scorecard
    assert "No figures have been computed" not in scorecard
    drill_down = text(viewer.get("/org/QF7-DON/dashboard/")).split("Drill down")[1]
    assert "/org/RX1/dashboard/" in drill_down and "/org/RP5/dashboard/" not in drill_down


def test_the_register_counts_the_successor_not_the_closed_providers(merged, tree):
    for code in ("RP5", "RXE"):
        LeadershipPost.objects.create(
            organisation=tree[code],
            post=LeadershipPost.Post.CHIEF_AHP,
            status=LeadershipPost.Status.SUBSTANTIVE,
            holder_name=f"Chief of {code}",
            start_date=dt.date(2024, 1, 1),
        )
    register = leadership.register_for(tree["QF7-DON"])
    assert [line.organisation.code for line in register.chief_ahps] == ["RX1"]
    assert (register.tally.total, register.tally.not_recorded) == (1, 1)
    own = leadership.register_for(tree["RP5"])  # its own page keeps its record
    assert [line.holder for line in own.chief_ahps] == ["Chief of RP5"]


def test_a_readiness_cycle_is_not_sent_to_a_closed_provider(merged, tree, client_for):
    chair = client_for("chair", tree["QF7"])
    response = chair.get("/org/QF7/readiness/cycles/new/")
    choices = set(response.context["form"].fields["organisations"].queryset)
    assert merged in choices and tree["RHQ"] in choices
    assert not choices & {tree["RP5"], tree["RXE"]}
