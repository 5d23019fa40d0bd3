from tests.isolation import ScopedURL

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
