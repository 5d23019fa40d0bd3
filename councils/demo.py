"""Demo users: one per role, documented in the README. Never created when DEBUG is off."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Body, BodyMember, LeadershipPost, Membership, Organisation, Position, User

DEMO_PASSWORD = "ahp-portal-demo"
# A fixed TOTP secret for the demo organisation admin and superuser, so a tester can add it to an
# authenticator app or ask `manage.py demo_totp_code` for the current code.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# (email, full name, role, organisation code)
DEMO_USERS = [
    ("chair@syb.example", "Chris Chair", "chair", "QF7"),
    ("viewer@syb.example", "Val Viewer", "viewer", "QF7"),
    ("analyst@syb.example", "Ana Lyst", "analyst", "QF7"),
    ("data@syb.example", "Dee Manager", "data_manager", "QF7"),
    ("admin@syb.example", "Adam Admin", "org_admin", "QF7"),
    ("chief.ahp@sth.example", "Sam Chief", "respondent", "RHQ"),
    ("chief.ahp@dbth.example", "Dana Chief", "respondent", "RP5"),
    ("doncaster@syb.example", "Pat Place", "viewer", "QF7-DON"),
    ("region@ney.example", "Rae Regional", "chair", "Y63"),
    ("lead@ney.example", "Leigh Lead", "respondent", "Y63"),
    ("ics.lead@syb.example", "Ira Lead", "respondent", "QF7"),
]
DEMO_SUPERUSER = ("superuser@ahp.example", "Super User")


def load_demo_users() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo users. Returns (email, role, organisation) rows."""
    if not settings.DEBUG:
        raise ImproperlyConfigured("Demo users are only created when DEBUG is on.")
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    rows = []
    for email, name, role, code in DEMO_USERS:
        user = _ensure_user(email, name)
        org = Organisation.objects.get(code=code)
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        rows.append((email, role, org.name))
    superuser = _ensure_user(*DEMO_SUPERUSER)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save(update_fields=["is_staff", "is_superuser"])
    rows.append((superuser.email, "superuser", "England"))
    for email in ("admin@syb.example", DEMO_SUPERUSER[0]):
        user = User.objects.get(email=email)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
    _load_seats()
    load_leadership_register()
    return rows


# Seats on bodies: (email, body's organisation code, body kind, position, term start).
DEMO_SEATS = [
    ("chair@syb.example", "QF7", Body.Kind.ICS_COUNCIL, Position.CHAIR, dt.date(2025, 4, 1)),
    ("chief.ahp@sth.example", "QF7", Body.Kind.ICS_COUNCIL, Position.MEMBER, dt.date(2025, 4, 1)),
    (
        "chief.ahp@dbth.example",
        "QF7",
        Body.Kind.ICS_COUNCIL,
        Position.VICE_CHAIR,
        dt.date(2025, 4, 1),
    ),
    ("ics.lead@syb.example", "QF7", Body.Kind.ICS_COUNCIL, Position.SECRETARY, dt.date(2025, 4, 1)),
    ("ics.lead@syb.example", "QF7", Body.Kind.ICS_FACULTY, Position.CHAIR, dt.date(2025, 9, 1)),
    ("region@ney.example", "Y63", Body.Kind.REGIONAL_BOARD, Position.CHAIR, dt.date(2024, 10, 1)),
]
SUBST, INTERIM, VACANT = (
    LeadershipPost.Status.SUBSTANTIVE,
    LeadershipPost.Status.INTERIM,
    LeadershipPost.Status.VACANT,
)
# The chief AHP of each SYB provider (seed 000's trusts, the ambulance trust, the council service
# and the CIC): a demo user where one exists, else a
# made-up name; one interim and one vacancy. (provider code, status, email or name, start).
DEMO_CHIEF_AHPS = [
    ("RHQ", SUBST, "chief.ahp@sth.example", dt.date(2021, 6, 1)),
    ("RP5", SUBST, "chief.ahp@dbth.example", dt.date(2022, 1, 10)),
    ("RFF", SUBST, "Morgan Hale", dt.date(2020, 9, 1)),
    ("RXG", SUBST, "Priya Natarajan", dt.date(2023, 3, 6)),
    ("RXE", SUBST, "Owen Clarke", dt.date(2019, 11, 4)),
    ("RFR", SUBST, "Grace Mensah", dt.date(2024, 2, 12)),
    ("TAH", SUBST, "Tom Ridley", dt.date(2022, 7, 18)),
    ("RHA", INTERIM, "Helen Okafor", dt.date(2026, 5, 1)),
    ("RCU", VACANT, "", dt.date(2026, 8, 31)),
    ("RX8", SUBST, "Daniel Foster", dt.date(2021, 4, 12)),
    ("LA-DON-OT", SUBST, "Aisha Rahman", dt.date(2023, 9, 4)),
    ("CIC-BAR-01", SUBST, "Ruth Weller", dt.date(2024, 1, 8)),
]
# The chairs of SYB's bodies and its region's board (the same people as the chairs' seats).
DEMO_CHAIRS = [
    ("QF7", Body.Kind.ICS_COUNCIL, SUBST, "chair@syb.example", dt.date(2025, 4, 1)),
    ("QF7", Body.Kind.ICS_FACULTY, INTERIM, "ics.lead@syb.example", dt.date(2025, 9, 1)),
    ("Y63", Body.Kind.REGIONAL_BOARD, SUBST, "region@ney.example", dt.date(2024, 10, 1)),
]


def _load_seats() -> None:
    for email, code, kind, position, start in DEMO_SEATS:
        body = Body.objects.get(organisation__code=code, kind=kind)
        BodyMember.objects.update_or_create(
            body=body,
            user=User.objects.get(email=email),
            defaults={"position": position, "term_start": start, "term_end": None},
        )


def _holder(status, who):
    if status == LeadershipPost.Status.VACANT:
        return {"holder": None, "holder_name": ""}
    if "@" in who:
        return {"holder": User.objects.get(email=who), "holder_name": ""}
    return {"holder": None, "holder_name": who}


def load_leadership_register() -> None:
    """The demo's leadership register: SYB's chief AHPs and the chairs of SYB's council and
    faculty and of North East and Yorkshire's board (idempotent)."""
    for code, status, who, start in DEMO_CHIEF_AHPS:
        LeadershipPost.objects.update_or_create(
            organisation=Organisation.objects.get(code=code),
            post=LeadershipPost.Post.CHIEF_AHP,
            defaults={"status": status, "start_date": start, **_holder(status, who)},
        )
    for code, kind, status, who, start in DEMO_CHAIRS:
        body = Body.objects.get(organisation__code=code, kind=kind)
        LeadershipPost.objects.update_or_create(
            body=body,
            defaults={
                "organisation": body.organisation,
                "post": LeadershipPost.Post.CHAIR,
                "status": status,
                "start_date": start,
                **_holder(status, who),
            },
        )


def _ensure_user(email: str, name: str) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
    user.full_name = name
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def current_totp_code(secret: str = DEMO_TOTP_SECRET) -> str:
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))
