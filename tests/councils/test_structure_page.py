"""England's page for changes of structure (/org/ENG/structure/): an England organisation admin
sees the moves and mergers recorded and records new ones through its forms; a refused change
says why at the field and keeps what was typed; everyone else gets 404."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from councils import structure
from councils.models import Organisation, ParentPeriod
from dashboard.models import RecomputeRun

APRIL = dt.date(2025, 4, 1)
URL = "/org/ENG/structure/"


@pytest.fixture
def admin(client_for, tree):
    return client_for("org_admin", tree["ENG"], email="admin@england.example", full_name="Ada Eng")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def move_data(tree, *, organisation="RXE", to="QF7-SHE", month="4", year="2025", reason="Moved"):
    return {
        "change": "move",
        "move-organisation": tree[organisation].pk,
        "move-new_parent": tree[to].pk,
        "move-effective_month": month,
        "move-effective_year": year,
        "move-reason": reason,
    }


def merger_data(tree, *, providers=("RP5", "RXE"), code="RX1", reason="Trusts merged", **extra):
    return {
        "change": "merger",
        "merger-providers": [tree[c].pk for c in providers],
        "merger-code": code,
        "merger-name": "Doncaster and Rotherham NHS Trust",
        "merger-effective_month": "4",
        "merger-effective_year": "2025",
        "merger-reason": reason,
        **extra,
    }


def assert_refused(response, field_id: str, message: str, *, anchor: str | None = None):
    """The message is in the error summary (linking to the field) and at the field, the field's
    group is marked, and the title starts with "Error: "."""
    html = page(response)
    assert re.search(r"<title>\s*Error: ", html), html[:300]
    summary = html.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    assert f'<a href="#{anchor or field_id}">{message}</a>' in summary, summary
    at_field = re.search(
        rf'<span class="nhsuk-error-message" id="{field_id}_error">(.*?)</span>\n', html
    )
    assert at_field and message in re.sub(r"<[^>]+>", "", at_field.group(1)), html
    before = html[: html.index(f'id="{field_id}_error"')]
    group = before.rsplit('<div class="nhsuk-form-group', 1)[1]
    assert group.startswith(" nhsuk-form-group--error"), group[:80]
    return html


# ------------------------------------------------------------------------------- what it shows
def test_an_england_admin_sees_the_moves_and_mergers_recorded_newest_first(admin, tree):
    structure.record_move(tree["RXE"], tree["QF7-SHE"], APRIL, user=admin.user, reason="Moved")
    structure.record_move(
        tree["QF7-DON"], tree["QWO"], dt.date(2025, 5, 1), user=None, reason="Place moved ICS"
    )
    tree.refresh()
    structure.record_merger(
        [tree["RHQ"], tree["RXE"]], code="RX1", name="Sheffield and Rotherham NHS Trust",
        effective=dt.date(2025, 7, 1), user=admin.user, reason="Merged",
    )  # fmt: skip
    html = page(admin.get(URL))
    assert '<h1 class="nhsuk-heading-xl">Changes of structure</h1>' in html
    moves = html.split("Moves recorded, newest first")[1].split("<tbody")[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", moves, re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows
    ]
    assert [row[:6] for row in cells] == [
        ["Doncaster (QF7-DON)", "South Yorkshire and Bassetlaw Integrated Care System",
         "West Yorkshire Integrated Care System", "May 2025", "Place moved ICS", "Not recorded"],
        ["Rotherham Doncaster and South Humber NHS Foundation Trust (RXE)", "Doncaster",
         "Sheffield", "April 2025", "Moved", "Ada Eng"],
    ]  # fmt: skip
    mergers = html.split("Mergers recorded, newest first")[1].split("</table>")[0]
    assert "Sheffield Teaching Hospitals NHS Foundation Trust (RHQ)" in mergers
    assert "Rotherham Doncaster and South Humber NHS Foundation Trust (RXE)" in mergers
    assert "Sheffield and Rotherham NHS Trust</a> (RX1)" in mergers and "July 2025" in mergers
    merger_cells = [
        re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", mergers, re.S)
    ]
    assert merger_cells[3:5] == ["Merged", "Ada Eng"], merger_cells


def test_the_forms_offer_only_open_organisations_of_the_levels_that_can_change(admin, tree):
    structure.record_merger(
        [tree["RP5"], tree["RXE"]], code="RX1", name="Doncaster Trust", effective=APRIL,
        user=None, reason="Merged",
    )  # fmt: skip
    html = page(admin.get(URL))
    moving = html.split('name="move-organisation"')[1].split("</select>")[0]
    assert "Sheffield (Place, QF7-SHE)" in moving and "(Region, Y63)" not in moving
    assert "(RP5)" not in moving  # closed
    new_parent = html.split('name="move-new_parent"')[1].split("</select>")[0]
    assert "North East and Yorkshire (Region, Y63)" in new_parent and "(Provider," not in new_parent
    providers = html.split('id="id_merger-providers"')[1].split("</fieldset>")[0]
    assert "Doncaster Trust (RX1)" in providers and "(RP5)" not in providers
    assert "No moves recorded yet." in html


def test_the_england_page_links_to_it_for_its_admins_only(admin, client_for, tree):
    assert URL in page(admin.get("/org/ENG/"))
    assert URL not in page(client_for("viewer", tree["ENG"]).get("/org/ENG/"))
    region_admin = client_for("org_admin", tree["Y63"])
    assert "/structure/" not in page(region_admin.get("/org/Y63/"))


def test_the_page_reads_a_bounded_number_of_queries(admin, tree, django_assert_max_num_queries):
    for code, to, month in [("RXE", "QF7-SHE", 4), ("RXE", "QWO-LEE", 6), ("QF7-DON", "QWO", 7)]:
        tree.refresh()
        structure.record_move(tree[code], tree[to], dt.date(2025, month, 1), user=None, reason="r")
    tree.refresh()
    structure.record_merger(
        [tree["RP5"], tree["RHQ"]], code="RX1", name="N", effective=dt.date(2025, 8, 1),
        user=None, reason="r",
    )  # fmt: skip
    # session, user, roles, MFA, England, the header, moves (2), mergers, the forms' choices (4)
    with django_assert_max_num_queries(13):
        page(admin.get(URL))


# ------------------------------------------------------------------------------------ recording
def test_an_england_admin_records_a_move(admin, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin.post(URL, move_data(tree, reason="Services moved to Sheffield"))
    assert response.status_code == 302 and response["Location"] == URL
    period = ParentPeriod.objects.get()
    assert (period.organisation.code, period.parent.code, period.valid_to) == (
        "RXE",
        "QF7-DON",
        APRIL,
    )
    assert (period.reason, period.recorded_by) == ("Services moved to Sheffield", admin.user)
    assert Organisation.objects.get(code="RXE").get_parent().code == "QF7-SHE"
    run = RecomputeRun.objects.get()
    assert (run.kind, run.scope, run.status, run.requested_by) == (
        "full",
        "all",
        "pending",
        admin.user,
    )
    assert len(callbacks) == 1  # queued once the change commits
    html = page(admin.get(URL))
    assert (
        "Recorded: Rotherham Doncaster and South Humber NHS Foundation Trust moves from Doncaster "
        "to Sheffield from April 2025. Figures are recomputed on the new structure when the "
        "queued recompute finishes" in html
    )


def test_an_england_admin_records_a_merger(admin, tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin.post(URL, merger_data(tree, **{"merger-place": tree["QF7-SHE"].pk}))
    assert response.status_code == 302
    new = Organisation.objects.get(code="RX1")
    assert (new.name, new.level, new.get_parent().code) == (
        "Doncaster and Rotherham NHS Trust",
        "provider",
        "QF7-SHE",
    )
    closed = Organisation.objects.filter(successor=new)
    assert sorted(closed.values_list("code", "closed_on")) == [("RP5", APRIL), ("RXE", APRIL)]
    assert RecomputeRun.objects.get().kind == "full" and len(callbacks) == 1
    html = page(admin.get(URL))
    assert (
        "Recorded: RP5, RXE merge into Doncaster and Rotherham NHS Trust (RX1) from April 2025."
        in html
    )
    assert "Figures are recomputed on the new structure when the queued recompute finishes" in html


def test_a_superuser_records_a_change_too(client_for, tree):
    superuser = client_for(is_superuser=True)
    assert superuser.post(URL, move_data(tree)).status_code == 302
    assert ParentPeriod.objects.get().recorded_by == superuser.user


# --------------------------------------------------------------------------------- refusals
def test_a_refused_move_says_why_at_the_field_and_keeps_what_was_typed(admin, tree):
    response = admin.post(URL, move_data(tree, to="QF7", month="4", reason="Typed reason"))
    html = assert_refused(
        response,
        "id_move-new_parent",
        "A provider moves to a place; South Yorkshire and Bassetlaw Integrated Care System is "
        "an integrated care system.",
    )
    assert re.search(rf'<option value="{tree["RXE"].pk}" selected\s*>', html)
    assert re.search(rf'<option value="{tree["QF7"].pk}" selected\s*>', html)
    assert 'name="move-effective_month" value="04"' in html
    assert 'name="move-effective_year" value="2025"' in html
    assert "Typed reason</textarea>" in html
    assert not ParentPeriod.objects.exists() and not RecomputeRun.objects.exists()


def test_a_move_on_or_before_the_last_change_is_refused_at_the_month(admin, tree):
    structure.record_move(tree["RXE"], tree["QF7-SHE"], APRIL, user=None, reason="First")
    response = admin.post(URL, move_data(tree, to="QF7-DON", month="3"))
    assert_refused(
        response,
        "id_move-effective",
        "Rotherham Doncaster and South Humber NHS Foundation Trust last changed on 1 April 2025: "
        "a new change must take effect after that, not on 1 March 2025.",
        anchor="id_move-effective_0",
    )


def test_a_month_is_required_and_must_be_real(admin, tree):
    assert_refused(
        admin.post(URL, move_data(tree, month="", year="")),
        "id_move-effective",
        "Enter the month the change takes effect.",
        anchor="id_move-effective_0",
    )
    html = assert_refused(
        admin.post(URL, move_data(tree, month="13")),
        "id_move-effective",
        "Effective month must be a real month, for example 4 2025.",
        anchor="id_move-effective_0",
    )
    assert 'name="move-effective_month" value="13"' in html


def test_a_merger_of_one_provider_or_to_a_code_in_use_is_refused_at_the_field(admin, tree):
    html = assert_refused(
        admin.post(URL, merger_data(tree, providers=["RP5"], reason="Kept reason")),
        "id_merger-providers",
        "Choose two or more different providers to merge.",
        anchor="id_merger-providers_0",
    )
    assert re.search(rf'value="{tree["RP5"].pk}"[^>]* checked', html)
    assert 'name="merger-code" value="RX1"' in html and "Kept reason</textarea>" in html
    assert_refused(
        admin.post(URL, merger_data(tree, code="RHQ")),
        "id_merger-code",
        "The code RHQ is already in use.",
    )
    assert not Organisation.objects.filter(closed_on__isnull=False).exists()
    assert not RecomputeRun.objects.exists()


def test_a_refusal_in_one_form_leaves_the_other_empty(admin, tree):
    html = page(admin.post(URL, move_data(tree, reason="")))
    assert "Enter why the structure changed." in html
    merger = html.split('name="change" value="merger"')[1]
    assert "nhsuk-error-summary" not in merger and "nhsuk-form-group--error" not in merger


# ---------------------------------------------------------------------------------- who may
@pytest.mark.parametrize("role", ["viewer", "chair", "data_manager", "analyst", "respondent"])
def test_an_england_member_who_is_not_its_admin_gets_404(client_for, tree, role):
    client = client_for(role, tree["ENG"])
    assert client.get(URL).status_code == 404
    assert client.post(URL, move_data(tree)).status_code == 404
    assert not ParentPeriod.objects.exists()


def test_an_admin_below_england_gets_404_at_england_and_at_their_own_code(client_for, tree):
    for code in ("Y63", "QF7", "RP5"):
        client = client_for("org_admin", tree[code])
        assert client.get(URL).status_code == 404
        assert client.post(URL, move_data(tree)).status_code == 404
        assert client.get(f"/org/{code}/structure/").status_code == 404
    assert not ParentPeriod.objects.exists()


def test_the_england_admin_gets_404_for_any_other_code(admin):
    for code in ("Y63", "QF7-DON", "RP5", "NOPE"):
        assert admin.get(reverse("councils:structure", args=[code])).status_code == 404


def test_signed_out_it_asks_to_sign_in(client, tree):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(URL, move_data(tree)).status_code == 302
    assert not ParentPeriod.objects.exists()
