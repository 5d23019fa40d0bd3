"""Recording a change of structure with its date (councils.structure, PRODUCT.md 7): a provider
moves place, a place moves ICS, an ICS moves region, providers merge into a new code. Nothing is
deleted, the old parent is kept with its dates, roles follow a closed provider's successor, and
a full recompute is asked for once the change commits."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from councils import structure
from councils.models import Membership, Organisation, ParentPeriod
from dashboard.models import RecomputeRun

APRIL = dt.date(2025, 4, 1)
JULY = dt.date(2025, 7, 1)


@pytest.fixture
def admin(make_user, tree):
    return make_user("org_admin", tree["ENG"], email="admin@england.example")


def refused(call, field: str) -> str:
    """The message of the ValidationError ``call`` raises for ``field``."""
    with pytest.raises(ValidationError) as caught:
        call()
    assert list(caught.value.message_dict) == [field], caught.value.message_dict
    return caught.value.message_dict[field][0]


def move(tree, code, to, on=APRIL, *, user=None, reason="Commissioning change"):
    return structure.record_move(tree[code], tree[to], on, user=user, reason=reason)


def merge(tree, codes, *, code="RX1", name="Doncaster and Rotherham NHS Trust", on=APRIL, **kw):
    kw.setdefault("user", None)
    kw.setdefault("reason", "Trusts merged")
    return structure.record_merger(
        [tree[c] for c in codes], code=code, name=name, effective=on, **kw
    )


# ---------------------------------------------------------------------------------------- moves
def test_a_provider_moves_place_and_its_old_parent_is_kept_with_its_dates(tree, admin):
    period = move(tree, "RXE", "QF7-SHE", user=admin, reason="Services moved to Sheffield")
    rxe = Organisation.objects.get(code="RXE")
    assert rxe.get_parent().code == "QF7-SHE"
    assert [c.code for c in tree["QF7-SHE"].children()] == ["RXE", "RHQ"]  # sorted by name
    assert [c.code for c in tree["QF7-DON"].children()] == ["RP5"]
    assert (period.organisation, period.parent, period.valid_from, period.valid_to) == (
        rxe,
        tree["QF7-DON"],
        None,
        APRIL,
    )
    assert (period.reason, period.recorded_by) == ("Services moved to Sheffield", admin)
    assert period.recorded_at is not None


def test_a_second_move_starts_its_period_where_the_first_ended(tree):
    move(tree, "RXE", "QF7-SHE")
    move(tree, "RXE", "QWO-LEE", on=JULY)
    periods = list(ParentPeriod.objects.filter(organisation__code="RXE").order_by("valid_to"))
    assert [(p.parent.code, p.valid_from, p.valid_to) for p in periods] == [
        ("QF7-DON", None, APRIL),
        ("QF7-SHE", APRIL, JULY),
    ]
    assert Organisation.objects.get(code="RXE").get_parent().code == "QWO-LEE"


def test_a_place_moves_ics_with_its_providers(tree):
    move(tree, "QF7-DON", "QWO")
    assert Organisation.objects.get(code="QF7-DON").get_parent().code == "QWO"
    for code in ("RP5", "RXE"):
        ancestors = [o.code for o in Organisation.objects.get(code=code).ancestors()]
        assert ancestors == ["ENG", "Y63", "QWO", "QF7-DON"]


def test_an_ics_moves_region_with_everything_below_it(tree):
    move(tree, "QWO", "Y56")
    rr8 = Organisation.objects.get(code="RR8")
    assert [o.code for o in rr8.ancestors()] == ["ENG", "Y56", "QWO", "QWO-LEE"]
    assert {o.code for o in Organisation.objects.get(code="Y56").subtree()} >= {"QWO", "RR8"}


def test_a_move_asks_for_a_full_recompute_once_it_commits(
    tree, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        move(tree, "RXE", "QF7-SHE", user=admin)
    run = RecomputeRun.objects.get()
    assert (run.kind, run.scope, run.status) == ("full", "all", "pending")
    assert run.requested_by == admin
    assert len(callbacks) == 1  # the run is queued on commit


@pytest.mark.parametrize(
    "code, to, message",
    [
        ("RXE", "QF7", "A provider moves to a place; South Yorkshire and Bassetlaw Integrated "
         "Care System is an integrated care system."),
        ("QF7-DON", "Y63", "A place moves to an integrated care system; North East and "
         "Yorkshire is a region."),
        ("QF7", "QWO", "An integrated care system moves to a region; West Yorkshire Integrated "
         "Care System is an integrated care system."),
        ("RXE", "RHQ", "A provider moves to a place; Sheffield Teaching Hospitals NHS "
         "Foundation Trust is a provider."),
    ],
)  # fmt: skip
def test_it_refuses_any_other_level_pairing(tree, code, to, message):
    assert refused(lambda: move(tree, code, to), "new_parent") == message
    assert not ParentPeriod.objects.exists()


def test_it_refuses_to_move_a_region_or_england(tree):
    message = refused(lambda: move(tree, "Y63", "ENG"), "organisation")
    assert message == (
        "North East and Yorkshire is a region: only a provider, a place or an integrated care "
        "system can move."
    )


def test_it_refuses_a_date_that_is_not_the_first_of_a_month(tree):
    message = refused(lambda: move(tree, "RXE", "QF7-SHE", on=dt.date(2025, 4, 15)), "effective")
    assert message == (
        "The change must take effect on the first of a month (for example 1 April 2025), "
        "not on 15 April 2025."
    )


def test_it_refuses_a_date_on_or_before_the_last_recorded_change(tree):
    move(tree, "RXE", "QF7-SHE", on=JULY)
    tree.refresh()
    for on in (APRIL, JULY):
        message = refused(lambda on=on: move(tree, "RXE", "QF7-DON", on=on), "effective")
        assert message.startswith("Rotherham Doncaster and South Humber NHS Foundation Trust last")
        assert "changed on 1 July 2025: a new change must take effect after that" in message
    assert ParentPeriod.objects.count() == 1


def test_it_refuses_a_move_to_its_own_parent(tree):
    message = refused(lambda: move(tree, "RXE", "QF7-DON"), "new_parent")
    assert (
        message
        == "Rotherham Doncaster and South Humber NHS Foundation Trust is already under Doncaster."
    )


def test_it_refuses_to_move_a_closed_organisation_or_under_one(tree):
    merge(tree, ["RP5", "RXE"])
    tree.refresh()
    message = refused(lambda: move(tree, "RP5", "QF7-SHE", on=JULY), "organisation")
    assert "closed on 1 April 2025: a closed organisation cannot move" in message
    Organisation.objects.filter(code="QWO-LEE").update(closed_on=APRIL)
    message = refused(lambda: move(tree, "RHQ", "QWO-LEE", on=JULY), "new_parent")
    assert message == "Leeds closed on 1 April 2025: nothing can move under a closed organisation."


def test_it_refuses_a_change_without_a_reason(tree):
    message = refused(lambda: move(tree, "RXE", "QF7-SHE", reason="  "), "reason")
    assert message == "Enter why the structure changed."


def test_a_refused_move_records_nothing_and_asks_for_no_recompute(tree):
    with pytest.raises(ValidationError):
        move(tree, "RXE", "QF7")
    assert not ParentPeriod.objects.exists() and not RecomputeRun.objects.exists()
    assert Organisation.objects.get(code="RXE").get_parent().code == "QF7-DON"


# -------------------------------------------------------------------------------------- mergers
def test_providers_merge_into_a_new_code_and_nothing_is_deleted(tree, admin):
    before = Organisation.objects.count()
    new = merge(tree, ["RP5", "RXE"], user=admin)
    assert Organisation.objects.count() == before + 1
    assert (new.code, new.level, new.get_parent().code, new.closed_on) == (
        "RX1",
        "provider",
        "QF7-DON",
        None,
    )
    for code in ("RP5", "RXE"):
        old = Organisation.objects.get(code=code)
        assert (old.closed_on, old.successor) == (APRIL, new)
        assert old.get_parent().code == "QF7-DON"  # still where it was, with its data
    assert set(new.predecessors.values_list("code", flat=True)) == {"RP5", "RXE"}
    assert RecomputeRun.objects.get().kind == "full"


def test_a_merger_keeps_its_reason_who_recorded_it_and_when(tree, admin):
    merge(tree, ["RP5", "RXE"], user=admin, reason="  Trusts merged under one board ")
    for old in Organisation.objects.filter(code__in=["RP5", "RXE"]):
        assert (old.closure_reason, old.closure_recorded_by) == (
            "Trusts merged under one board",
            admin,
        )
        assert old.closure_recorded_at is not None


def test_it_refuses_a_reason_longer_than_it_can_keep(tree):
    message = refused(lambda: move(tree, "RXE", "QF7-SHE", reason="x" * 501), "reason")
    assert message == "A reason has at most 500 characters; this one has 501."
    assert not ParentPeriod.objects.exists()


def test_a_merger_can_place_the_new_provider_in_another_place(tree):
    new = merge(tree, ["RP5", "RHQ"], place=tree["QF7-SHE"])
    assert new.get_parent().code == "QF7-SHE"


def test_roles_at_a_closed_provider_follow_its_successor(tree, make_user, admin):
    chief = make_user("respondent", tree["RP5"])
    data = make_user(["data_manager", "viewer"], tree["RXE"])
    both = make_user("viewer", tree["RP5"])
    Membership.objects.create(user=both, organisation=tree["RXE"], role="viewer")
    new = merge(tree, ["RP5", "RXE"], user=admin)
    held = set(new.memberships.values_list("user__email", "role"))
    assert held == {
        (chief.email, "respondent"),
        (data.email, "data_manager"),
        (data.email, "viewer"),
        (both.email, "viewer"),  # once, though they held it at both
    }
    assert set(new.memberships.values_list("granted_by", flat=True)) == {admin.pk}
    # the old roles stay for the record
    assert Membership.objects.filter(organisation__code__in=["RP5", "RXE"]).count() == 5


def test_a_role_already_held_at_the_successor_is_not_given_twice(tree, make_user):
    new = merge(tree, ["RP5", "RXE"])
    tree.refresh()
    person = make_user("viewer", tree["RHQ"])
    Membership.objects.create(user=person, organisation=new, role="viewer")
    new.refresh_from_db()
    later = structure.record_merger(
        [new, tree["RHQ"]], code="RX2", name="South Yorkshire Trust", effective=JULY, user=None,
        reason="Second merger",
    )  # fmt: skip
    assert list(later.memberships.values_list("user__email", "role")) == [(person.email, "viewer")]


@pytest.mark.parametrize(
    "codes, field, message",
    [
        (["RP5"], "providers", "Choose two or more different providers to merge."),
        (["RP5", "RP5"], "providers", "Choose two or more different providers to merge."),
        (["RP5", "QF7-DON"], "providers", "Doncaster is a place: only providers merge."),
    ],
)
def test_it_refuses_a_merger_of_fewer_than_two_providers(tree, codes, field, message):
    assert refused(lambda: merge(tree, codes), field) == message
    assert not Organisation.objects.filter(code="RX1").exists()


def test_it_refuses_a_merger_of_a_closed_provider(tree):
    merge(tree, ["RP5", "RXE"])
    message = refused(lambda: merge(tree, ["RP5", "RHQ"], code="RX2", on=JULY), "providers")
    assert message == (
        "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust closed on 1 April 2025: "
        "only open providers merge."
    )


def test_it_refuses_a_code_in_use_a_bad_date_a_place_that_is_not_one_and_no_name(tree):
    assert refused(lambda: merge(tree, ["RP5", "RXE"], code="RHQ"), "code") == (
        "The code RHQ is already in use."
    )
    assert "first of a month" in refused(
        lambda: merge(tree, ["RP5", "RXE"], on=dt.date(2025, 4, 2)), "effective"
    )
    assert refused(lambda: merge(tree, ["RP5", "RXE"], place=tree["QF7"]), "place") == (
        "A provider belongs to a place; South Yorkshire and Bassetlaw Integrated Care System is "
        "an integrated care system."
    )
    assert refused(lambda: merge(tree, ["RP5", "RXE"], code="R" * 21), "code") == (
        "A code has at most 20 characters."
    )
    assert refused(lambda: merge(tree, ["RP5", "RXE"], name=""), "name") == (
        "Enter the new provider's name."
    )
    assert not RecomputeRun.objects.exists()
    assert Organisation.objects.filter(closed_on__isnull=False).count() == 0


def test_it_refuses_a_merger_before_a_providers_last_move(tree):
    move(tree, "RXE", "QF7-SHE", on=JULY)
    tree.refresh()
    message = refused(lambda: merge(tree, ["RHQ", "RXE"]), "effective")
    assert "last changed on 1 July 2025" in message


# ------------------------------------------------------------------------------------ the trail
def test_the_audit_log_records_closures_and_parent_periods(tree):
    move(tree, "RXE", "QF7-SHE")
    tree.refresh()
    merge(tree, ["RP5", "RHQ"], on=JULY)
    closures = LogEntry.objects.get_for_objects(Organisation.objects.filter(code="RP5"))
    assert [set(e.changes_dict) for e in closures] == [{"closed_on", "successor"}]
    assert LogEntry.objects.get_for_objects(ParentPeriod.objects.all()).count() == 1
    # creating an organisation logs nothing (no structure changed)
    assert not LogEntry.objects.get_for_objects(Organisation.objects.filter(code="RX1")).exists()


# ---------------------------------------------------------------------------------- the command
def test_the_command_records_a_move(tree, admin, capsys):
    call_command(
        "record_structure_change", "move", "RXE", "--to", "QF7-SHE", "--on", "2025-04-01",
        "--reason", "Services moved", "--user", admin.email,
    )  # fmt: skip
    assert (
        "moves to Sheffield from April 2025. A full recompute is queued." in capsys.readouterr().out
    )
    period = ParentPeriod.objects.get()
    assert (period.parent.code, period.valid_to, period.recorded_by) == ("QF7-DON", APRIL, admin)


def test_the_command_records_a_merger(tree, capsys):
    call_command(
        "record_structure_change", "merge", "RP5", "RXE", "--into", "RX1", "--name",
        "Doncaster and Rotherham NHS Trust", "--on", "2025-04-01", "--reason", "Merged",
    )  # fmt: skip
    assert "RP5, RXE merge into RX1" in capsys.readouterr().out
    assert set(
        Organisation.objects.filter(successor__code="RX1").values_list("code", flat=True)
    ) == {"RP5", "RXE"}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["move", "RXE", "--to", "QF7-SHE", "--on", "2025-04-15", "--reason", "x"],
            "--on: The change must take effect on the first of a month",
        ),
        (
            ["move", "RXE", "--to", "QF7", "--on", "2025-04-01", "--reason", "x"],
            "--to: A provider moves to a place",
        ),
        (
            ["move", "NOPE", "--to", "QF7-SHE", "--on", "2025-04-01", "--reason", "x"],
            "CODE: there is no organisation with the code NOPE.",
        ),
        (
            ["move", "RXE", "--to", "QF7-SHE", "--on", "April", "--reason", "x"],
            "--on: give the date as YYYY-MM-01, not 'April'.",
        ),
        (
            ["merge", "RP5", "--into", "RX1", "--name", "N", "--on", "2025-04-01", "--reason", "x"],
            "CODE: Choose two or more different providers to merge.",
        ),
    ],
)
def test_the_command_refuses_bad_input_with_the_services_message(tree, args, message):
    with pytest.raises(CommandError) as caught:
        call_command("record_structure_change", *args)
    assert str(caught.value).startswith(message), str(caught.value)
    assert not ParentPeriod.objects.exists() and not RecomputeRun.objects.exists()
