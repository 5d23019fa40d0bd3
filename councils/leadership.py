"""The leadership register: the chief AHP of every provider and the chair of every body, with
vacancies and interim posts, read for an organisation and everything below it.

"In post" counts substantive and interim holders; a provider with no line on the register is
"not recorded" and is not in post. The register is a handful of rows per organisation, read in
a fixed number of queries whatever the size of the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from .models import Body, LeadershipPost, Level, Organisation
from .scoping import covers

NOT_RECORDED = "Not recorded"


@dataclass
class PostLine:
    """A provider's chief AHP or a body's chair: the organisation, the body (chairs only) and
    the register's line, or None when nothing is recorded."""

    organisation: Organisation
    post: LeadershipPost | None
    body: Body | None = None
    ics: Organisation | None = None  # the provider's or body's ICS, on a regional view

    @property
    def status_label(self) -> str:
        return self.post.get_status_display() if self.post else NOT_RECORDED

    @property
    def status(self) -> str:
        return self.post.status if self.post else "not_recorded"

    @property
    def holder(self) -> str:
        return self.post.holder_display if self.post else ""

    @property
    def in_post(self) -> bool:
        return bool(self.post and self.post.in_post)


@dataclass
class Tally:
    """How many providers have a chief AHP in post (substantive or interim), of how many."""

    total: int = 0
    substantive: int = 0
    interim: int = 0
    vacant: int = 0
    not_recorded: int = 0

    @property
    def in_post(self) -> int:
        return self.substantive + self.interim

    def add(self, line: PostLine) -> None:
        self.total += 1
        if line.post is None:
            self.not_recorded += 1
        else:
            name = line.post.status
            setattr(self, name, getattr(self, name) + 1)


@dataclass
class IcsLine:
    ics: Organisation
    chair: PostLine | None  # its ICS AHP council's chair (None: no council recorded)
    tally: Tally = field(default_factory=Tally)


@dataclass
class Register:
    organisation: Organisation
    chief_ahps: list[PostLine]
    chairs: list[PostLine]
    tally: Tally
    systems: list[IcsLine]  # one per ICS below (a region's or England's view), else empty


def register_for(organisation: Organisation) -> Register:
    """The register for ``organisation`` and below (four queries). The caller has fetched
    ``organisation`` through the scope."""
    below = list(
        Organisation.objects.below(organisation)
        .filter(level__in=[Level.ICS, Level.PROVIDER])
        # today's structure: a closed provider's post is its successor's (but its own page
        # keeps its record)
        .filter(Q(closed_on__isnull=True) | Q(pk=organisation.pk))
        .only("pk", "path", "code", "name", "short_name", "level", "depth")
    )
    posts = LeadershipPost.objects.below(organisation).select_related("holder")
    chief = {p.organisation_id: p for p in posts if p.post == LeadershipPost.Post.CHIEF_AHP}
    chair = {p.body_id: p for p in posts if p.post == LeadershipPost.Post.CHAIR}
    systems = {o.path: IcsLine(ics=o, chair=None) for o in below if o.level == Level.ICS}
    ics_depth = next(iter(systems.values())).ics.depth if systems else None

    def ics_of(org):
        if ics_depth is None or org.depth < ics_depth:
            return None
        line = systems.get(org.path[: ics_depth * Organisation.steplen])
        return line.ics if line else None

    tally = Tally()
    chief_ahps = []
    for org in below:
        if org.level != Level.PROVIDER:
            continue
        line = PostLine(organisation=org, post=chief.get(org.pk), ics=ics_of(org))
        chief_ahps.append(line)
        tally.add(line)
        if line.ics is not None:
            systems[line.ics.path].tally.add(line)
    chairs = []
    for body in Body.objects.below(organisation).select_related("organisation"):
        line = PostLine(
            organisation=body.organisation,
            post=chair.get(body.pk),
            body=body,
            ics=ics_of(body.organisation),
        )
        chairs.append(line)
        ics_line = systems.get(body.organisation.path)
        if ics_line is not None and body.kind == Body.Kind.ICS_COUNCIL:
            ics_line.chair = line
    return Register(
        organisation=organisation,
        chief_ahps=chief_ahps,
        chairs=chairs,
        tally=tally,
        systems=list(systems.values())
        if organisation.level in (Level.ENGLAND, Level.REGION)
        else [],
    )


EXPORT_HEADER = [
    "Post",
    "Organisation code",
    "Organisation",
    "Integrated care system",
    "Body",
    "Status",
    "Holder",
    "Start date",
]


def export_rows(register: Register) -> list[list[str]]:
    """The register as rows of :data:`EXPORT_HEADER`: chief AHPs, then chairs. Names only."""
    rows = []
    for title, lines in (("Chief AHP", register.chief_ahps), ("Chair", register.chairs)):
        for line in lines:
            start = line.post.start_date if line.post and line.post.start_date else None
            rows.append(
                [
                    title,
                    line.organisation.code,
                    line.organisation.name,
                    line.ics.display_name if line.ics else "",
                    line.body.name if line.body else "",
                    line.status_label,
                    line.holder,
                    start.isoformat() if start else "",
                ]
            )
    return rows


def post_for(*, organisation: Organisation, body: Body | None = None) -> LeadershipPost | None:
    lookup = {"body": body} if body else {"organisation": organisation, "post": "chief_ahp"}
    return LeadershipPost.objects.filter(**lookup).select_related("holder").first()


@transaction.atomic
def post_save(
    *,
    by,
    organisation: Organisation,
    body: Body | None = None,
    status: str,
    holder=None,
    holder_name: str = "",
    start_date=None,
) -> LeadershipPost:
    """Record who holds (or that nobody holds) the chief AHP post of a provider, or the chair
    of ``body``. ``by`` must hold chair or organisation admin at or above the organisation."""
    if not covers(by, "register", organisation):
        raise PermissionDenied("Only a chair or an organisation admin in scope may do this.")
    if body is None and organisation.level != Level.PROVIDER:
        raise ValidationError("A chief AHP post belongs to a provider.")
    if status == LeadershipPost.Status.VACANT:
        holder, holder_name = None, ""
    elif holder is None and not holder_name.strip():
        raise ValidationError({"holder_name": "Enter the post holder's email address or name."})
    post = (
        LeadershipPost.objects.select_for_update()
        .filter(**({"body": body} if body else {"organisation": organisation, "post": "chief_ahp"}))
        .first()
    )
    if post is None:
        post = LeadershipPost(
            organisation=organisation,
            body=body,
            post=LeadershipPost.Post.CHAIR if body else LeadershipPost.Post.CHIEF_AHP,
        )
    post.status = status
    post.holder = holder
    post.holder_name = "" if holder else holder_name.strip()
    post.start_date = start_date
    post.updated_by = by
    post.save()
    return post
