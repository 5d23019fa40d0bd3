"""Demo users: one per role, documented in the README. Never created when DEBUG is off."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Body, BodyMember, Membership, Organisation, User

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
    council = Body.objects.get(organisation__code="QF7", kind=Body.Kind.ICS_COUNCIL)
    BodyMember.objects.get_or_create(
        body=council,
        user=User.objects.get(email="chair@syb.example"),
        defaults={"position": "Chair"},
    )
    for email in ("chief.ahp@sth.example", "chief.ahp@dbth.example", "ics.lead@syb.example"):
        BodyMember.objects.get_or_create(body=council, user=User.objects.get(email=email))
    board = Body.objects.get(organisation__code="Y63", kind=Body.Kind.REGIONAL_BOARD)
    BodyMember.objects.get_or_create(
        body=board,
        user=User.objects.get(email="region@ney.example"),
        defaults={"position": "Chair"},
    )
    return rows


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
