"""The body of an organisation for tests: the test tree makes no bodies (load_tree does)."""

from councils.models import Body


def body_of(org, kind=None):
    """``org``'s body of ``kind`` (by default its regional board or ICS council), made if need
    be."""
    if kind is None:
        kind = Body.Kind.REGIONAL_BOARD if org.level == "region" else Body.Kind.ICS_COUNCIL
    kind = Body.Kind(kind)
    body, _ = Body.objects.get_or_create(
        organisation=org,
        kind=kind,
        defaults={"name": f"{org.display_name} {kind.label}"},
    )
    return body
