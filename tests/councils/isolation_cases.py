from tests.councils.body_data import body_of as _body
from tests.isolation import ScopedURL

LEVELS = ("provider", "place", "ics", "region")

CASES = [
    ScopedURL("councils:organisation", "viewer", level="provider"),
    ScopedURL("councils:organisation", "viewer", level="place"),
    ScopedURL("councils:organisation", "viewer", level="ics"),
    ScopedURL("councils:organisation", "viewer", level="region"),
    ScopedURL("councils:people", "org_admin", level="provider"),
    ScopedURL("councils:people", "org_admin", level="ics"),
    ScopedURL(
        "councils:role_revoke",
        "org_admin",
        level="provider",
        build=lambda org, make_user: {
            "code": org.code,
            "pk": make_user("viewer", org).memberships.get().pk,
        },
        method="post",
        ok_status=(302,),
    ),
]


def _seat(org, make_user):
    from councils.models import BodyMember

    body = _body(org)
    member = BodyMember.objects.create(body=body, user=make_user())
    return {"pk": body.pk, "member_pk": member.pk}


MANAGE = ("org_admin",)
REGISTER = ("chair", "org_admin")

CASES += [
    *(
        ScopedURL(
            "councils:body", "viewer", level=level, build=lambda org, _: {"pk": _body(org).pk}
        )
        for level in ("ics", "region")
    ),
    ScopedURL(
        "councils:body_member_add",
        "org_admin",
        level="ics",
        build=lambda org, _: {"pk": _body(org).pk},
    ),
    ScopedURL("councils:body_member_change", "org_admin", level="ics", build=_seat),
    ScopedURL(
        "councils:body_member_remove",
        "org_admin",
        level="region",
        build=_seat,
        method="post",
        ok_status=(302,),
    ),
    *(ScopedURL("councils:leadership", "viewer", level=level) for level in LEVELS),
    *(
        ScopedURL(
            "councils:leadership_export",
            "viewer",
            level="ics",
            build=lambda org, _, fmt=fmt: {"code": org.code, "fmt": fmt},
        )
        for fmt in ("csv", "xlsx")
    ),
    ScopedURL("councils:chief_ahp_edit", "chair", level="provider", open_to=REGISTER),
    ScopedURL(
        "councils:chair_edit",
        "chair",
        level="ics",
        build=lambda org, _: {"pk": _body(org).pk},
        open_to=REGISTER,
    ),
]

# England's own page: an organisation admin at England records changes of structure there (GET
# shows the page, POST records; a POST with no change named shows the page again).
CASES += [
    ScopedURL("councils:structure", "org_admin", level="england"),
    ScopedURL("councils:structure", "org_admin", level="england", method="post"),
]
