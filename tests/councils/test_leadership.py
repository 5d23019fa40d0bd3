"""The leadership register: chief AHPs and chairs, vacancies and interim posts, the regional
view ("chief AHP in post at N of M providers", substantive and interim counted as in post), its
exports, the forms a chair or organisation admin uses, and the demo's SYB register."""

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from councils import leadership
from councils.models import Body, LeadershipPost, Organisation
from tests.councils.body_data import body_of

S, INTERIM, VACANT = (
    LeadershipPost.Status.SUBSTANTIVE,
    LeadershipPost.Status.INTERIM,
    LeadershipPost.Status.VACANT,
)


def chief(org, status, name="", holder=None, start=None):
    return LeadershipPost.objects.create(
        organisation=org,
        post="chief_ahp",
        status=status,
        holder=holder,
        holder_name=name,
        start_date=start,
    )


def chair(on_body, status, name="", holder=None):
    return LeadershipPost.objects.create(
        organisation=on_body.organisation,
        body=on_body,
        post="chair",
        status=status,
        holder=holder,
        holder_name=name,
    )


@pytest.fixture
def register(tree, make_user):
    """RP5 substantive (a user), RXE interim, RHQ vacant; RR8 (West Yorkshire) substantive,
    RAL (London) not recorded. SYB's council chaired; West Yorkshire's council chair vacant."""
    chief(tree["RP5"], S, holder=make_user(full_name="Dana Chief"), start=dt.date(2022, 1, 10))
    chief(tree["RXE"], INTERIM, "Owen Clarke")
    chief(tree["RHQ"], VACANT)
    chief(tree["RR8"], S, "Lee Leeds")
    chair(body_of(tree["QF7"]), S, "Chris Chair")
    chair(body_of(tree["QWO"]), VACANT)
    body_of(tree["Y63"], Body.Kind.REGIONAL_BOARD)
    return tree


def test_the_regional_view_counts_substantive_and_interim_as_in_post(register):
    found = leadership.register_for(register["Y63"])
    tally = found.tally
    assert (tally.in_post, tally.total) == (3, 4)
    assert (tally.substantive, tally.interim, tally.vacant, tally.not_recorded) == (2, 1, 1, 0)
    systems = {line.ics.code: line for line in found.systems}
    assert set(systems) == {"QF7", "QWO"}
    assert (systems["QF7"].tally.in_post, systems["QF7"].tally.total) == (2, 3)
    assert (systems["QF7"].chair.holder, systems["QF7"].chair.status) == ("Chris Chair", S)
    assert systems["QWO"].chair.status_label == "Vacant"
    lines = {line.organisation.code: line for line in found.chief_ahps}
    assert lines["RP5"].holder == "Dana Chief" and lines["RP5"].ics.code == "QF7"
    assert {line.body.kind for line in found.chairs} == {"regional_board", "ics_council"}


def test_england_counts_a_provider_with_nothing_recorded_as_not_in_post(register):
    tally = leadership.register_for(register["ENG"]).tally
    assert (tally.in_post, tally.total, tally.not_recorded) == (3, 5, 1)


def test_an_ics_view_has_no_systems_table(register):
    found = leadership.register_for(register["QF7"])
    assert found.systems == []
    assert [line.organisation.code for line in found.chief_ahps] == ["RP5", "RXE", "RHQ"]


def test_the_page_says_it_in_words(register, client_for):
    viewer = client_for("viewer", register["Y63"])
    html = viewer.get(reverse("councils:leadership", args=["Y63"])).content.decode()
    assert "Chief AHP in post at 3 of 4 providers" in html
    assert "In post counts substantive and interim chief AHPs: 2 substantive, 1 interim." in html
    assert "Chris Chair" in html and "Owen Clarke" in html
    assert reverse("councils:chief_ahp_edit", args=["RP5"]) not in html  # a viewer cannot edit


def test_the_page_queries_do_not_grow_with_the_register(
    register, client_for, django_assert_max_num_queries
):
    chair_client = client_for("chair", register["Y63"])
    url = reverse("councils:leadership", args=["Y63"])
    chair_client.get(url)
    with django_assert_max_num_queries(12) as few:
        chair_client.get(url)
    chief(register["RAL"], S, "Rae London")
    chair(body_of(register["QMJ"]), INTERIM, "Nia North")
    chair(body_of(register["Y63"], Body.Kind.REGIONAL_BOARD), S, "Rae Regional")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert chair_client.get(url).status_code == 200


def test_exports_carry_the_register_names_only(register, client_for):
    viewer = client_for("viewer", register["QF7"])
    response = viewer.get(reverse("councils:leadership_export", args=["QF7", "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == leadership.EXPORT_HEADER
    assert rows[1] == [
        "Chief AHP",
        "RP5",
        "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust",
        "South Yorkshire and Bassetlaw Integrated Care System",
        "",
        "Substantive",
        "Dana Chief",
        "2022-01-10",
    ]
    assert [row[:6] for row in rows if row[0] == "Chair"] == [
        [
            "Chair",
            "QF7",
            register["QF7"].name,
            register["QF7"].display_name,
            body_of(register["QF7"]).name,
            "Substantive",
        ]
    ]
    assert "@" not in "".join(cell for row in rows for cell in row)

    response = viewer.get(reverse("councils:leadership_export", args=["QF7", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == leadership.EXPORT_HEADER and values[1:] == rows[1:]
    assert response["Content-Disposition"] == (
        'attachment; filename="leadership-register-QF7.xlsx"'
    )


def test_a_chair_records_a_chief_ahp_linked_to_their_account(register, client_for, make_user):
    chair_client = client_for("chair", register["QF7"])
    person = make_user(email="new.chief@example.test", full_name="Nova Chief")
    url = reverse("councils:chief_ahp_edit", args=["RHQ"]) + "?from=QF7"
    response = chair_client.post(
        url,
        {
            "status": "interim",
            "holder_email": "New.Chief@example.test",
            "holder_name": "",
            "start_date": "2026-11-02",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "councils:leadership", args=["QF7"]
    )
    post = LeadershipPost.objects.get(organisation=register["RHQ"])
    assert (post.status, post.holder, post.start_date, post.updated_by) == (
        "interim",
        person,
        dt.date(2026, 11, 2),
        chair_client.user,
    )
    entry = LogEntry.objects.get_for_object(post).latest("pk")
    assert entry.actor == chair_client.user and entry.changes_dict["status"] == [
        "vacant",
        "interim",
    ]


def test_an_admin_records_a_new_chair_by_name(register, client_for):
    admin = client_for("org_admin", register["Y63"])
    board = body_of(register["Y63"], Body.Kind.REGIONAL_BOARD)
    response = admin.post(
        reverse("councils:chair_edit", args=[board.pk]),
        {"status": "substantive", "holder_email": "", "holder_name": "Rae Regional"},
    )
    assert response.status_code == 302
    post = LeadershipPost.objects.get(body=board)
    assert (post.post, post.holder_display, post.organisation) == (
        "chair",
        "Rae Regional",
        register["Y63"],
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"status": "vacant", "holder_name": "Someone"},
            "holder_name",
            "A vacant post has no holder: clear the email and name.",
        ),
        (
            {"status": "substantive"},
            "holder_name",
            "Enter the post holder's email address or name.",
        ),
        (
            {"status": "substantive", "holder_email": "ghost@example.test"},
            "holder_email",
            "No one with the email ghost@example.test has an account: enter their name instead.",
        ),
        ({"status": ""}, "status", "Select status"),
        (
            {
                "status": "interim",
                "holder_name": "Ann",
                "start_date_day": "31",
                "start_date_month": "2",
                "start_date_year": "2026",
            },
            "start_date",
            "Start date must be a real date",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message(register, client_for, data, field, message):
    chair_client = client_for("chair", register["QF7"])
    before = list(LeadershipPost.objects.values_list("pk", "status", "holder_name"))
    response = chair_client.post(reverse("councils:chief_ahp_edit", args=["RXE"]), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert list(LeadershipPost.objects.values_list("pk", "status", "holder_name")) == before
    for value in data.values():
        if value and not value.isdigit():
            assert f'value="{value}"' in response.content.decode()


def test_a_chief_ahp_post_belongs_to_a_provider(register, client_for):
    chair_client = client_for("chair", register["QF7"])
    assert chair_client.get(reverse("councils:chief_ahp_edit", args=["QF7"])).status_code == 404


def test_the_demo_register_for_syb(england_tree, make_user):
    from councils.demo import DEMO_USERS, load_leadership_register

    for email, name, _role, _code in DEMO_USERS:
        make_user(email=email, full_name=name)
    load_leadership_register()
    load_leadership_register()  # idempotent
    syb = leadership.register_for(Organisation.objects.get(code="QF7"))
    tally = syb.tally
    assert (tally.total, tally.in_post, tally.interim, tally.vacant) == (12, 11, 1, 1)
    region = leadership.register_for(Organisation.objects.get(code="Y63"))
    chairs = {line.ics.code: line.chair.holder for line in region.systems if line.chair.post}
    assert chairs == {"QF7": "Chris Chair"}
    assert LeadershipPost.objects.filter(post="chair").count() == 3
