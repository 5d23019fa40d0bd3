"""The organisation tree, leadership bodies, users and the roles they hold."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from .fields import user_fk
from .scoping import ScopedQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address. No NHS numbers, no dates of birth."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Level(models.TextChoices):
    ENGLAND = "england", "England"
    REGION = "region", "Region"
    ICS = "ics", "Integrated care system"
    PLACE = "place", "Place"
    PROVIDER = "provider", "Provider"


class ProviderType(models.TextChoices):
    """The kind of provider, for peer benchmarking in the Model Hospital manner (PRODUCT.md 9)."""

    ACUTE = "acute", "Acute"
    COMMUNITY = "community", "Community"
    MENTAL_HEALTH = "mental_health", "Mental health"
    AMBULANCE = "ambulance", "Ambulance"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    INDEPENDENT = "independent", "Independent"


LEVEL_ORDER = [Level.ENGLAND, Level.REGION, Level.ICS, Level.PLACE, Level.PROVIDER]


class OrganisationQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def children_of(self, organisation: "Organisation"):
        """The organisations directly below ``organisation`` (treebeard's children interval,
        read from the path so a stale ``numchild`` on the object cannot hide them)."""
        return self.filter(
            depth=organisation.depth + 1,
            path__range=Organisation._get_children_path_interval(organisation.path),
        )


class OrganisationManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().order_by("path")


class Organisation(MP_Node):
    """A node of the tree: England > region > ICS > place > provider.

    The materialised path (``path``) makes "this organisation and everything below it" one
    indexed prefix query at any depth: ``path LIKE '<path>%'``.
    """

    code = models.CharField(max_length=20, unique=True, help_text="ODS code or stable local code")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    provider_type = models.CharField(
        max_length=20,
        choices=ProviderType.choices,
        blank=True,
        db_index=True,
        help_text="Providers only: the peer group a provider is benchmarked in",
    )
    # Effective-dated structure (PRODUCT.md 7, councils.structure): a closed organisation stays
    # in the tree with its data; a provider's data counts under its final successor.
    closed_on = models.DateField(
        null=True, blank=True, help_text="The first day it no longer existed; blank while open"
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text="The organisation that took it over when it closed (a merger's new code)",
    )
    closure_reason = models.CharField(max_length=500, blank=True, help_text="Why it closed")
    closure_recorded_by = user_fk(models.SET_NULL, null=True, blank=True)
    closure_recorded_at = models.DateTimeField(null=True, blank=True)

    node_order_by = ["name"]
    objects = OrganisationManager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(successor__isnull=True) | models.Q(closed_on__isnull=False),
                name="a_successor_follows_a_closure",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    # The tree, walked one way everywhere (see councils.scoping for querysets of other models).
    @classmethod
    def paths_above(cls, path: str, *, include_self: bool = False) -> list[str]:
        """The paths of the ancestors of the node at ``path``, root first (and ``path`` itself
        last with ``include_self``), from treebeard's own path arithmetic."""
        depth = len(path) // cls.steplen
        last = depth if include_self else depth - 1
        return [cls._get_basepath(path, level) for level in range(1, last + 1)]

    def ancestor_paths(self, *, include_self: bool = False) -> list[str]:
        return self.paths_above(self.path, include_self=include_self)

    def ancestors(self, *, include_self: bool = False):
        """The organisations above this one, root first (treebeard's ``get_ancestors``)."""
        paths = self.ancestor_paths(include_self=include_self)
        return Organisation.objects.filter(path__in=paths).order_by("depth")

    @property
    def parent_path(self) -> str:
        """The parent's path ('' for a root)."""
        return self._get_basepath(self.path, self.depth - 1)

    @property
    def root_path(self) -> str:
        return self._get_basepath(self.path, 1)

    def subtree(self):
        """This organisation and every organisation below it (one indexed query)."""
        return Organisation.objects.below(self)

    def children(self):
        return Organisation.objects.children_of(self)

    def covers(self, other: "Organisation") -> bool:
        return other.path.startswith(self.path)


class ParentPeriod(models.Model):
    """A past parent of an organisation: from ``valid_from`` (empty: since records began) up to
    ``valid_to`` (exclusive: the first month under the next parent). The current parent is the
    tree's parent, from the latest period's ``valid_to`` on (from the beginning when there is
    no period), so an organisation that never moved has no period at all."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="parent_periods"
    )
    parent = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(null=True, blank=True, help_text="Blank: since records began")
    valid_to = models.DateField(help_text="Exclusive: the first month under the next parent")
    reason = models.CharField(max_length=500)
    recorded_by = user_fk(models.SET_NULL, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "valid_to"], name="one_parent_change_a_month"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="a_parent_period_ends_after_it_starts",
            ),
        ]
        ordering = ["organisation__path", "valid_to"]

    def __str__(self):
        since = f"{self.valid_from:%B %Y}" if self.valid_from else "the beginning"
        return f"{self.organisation} under {self.parent} from {since} to {self.valid_to:%B %Y}"

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id, "parent_id": self.parent_id}


class Body(models.Model):
    """A leadership body: regional AHP board, ICS AHP council or ICS AHP faculty."""

    class Kind(models.TextChoices):
        REGIONAL_BOARD = "regional_board", "Regional AHP board"
        ICS_COUNCIL = "ics_council", "ICS AHP council"
        ICS_FACULTY = "ics_faculty", "ICS AHP faculty"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bodies")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_body_of_a_kind")
        ]
        ordering = ["organisation__path", "kind"]

    def __str__(self):
        return self.name


class Position(models.TextChoices):
    """A seat on a body. Only a chair may manage the body's members (besides an organisation
    admin at the body's organisation or above)."""

    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice chair"
    MEMBER = "member", "Member"
    SECRETARY = "secretary", "Secretary"
    OBSERVER = "observer", "Observer"


class BodyMemberQuerySet(ScopedQuerySet):
    scope_path_field = "body__organisation__path"

    def current(self, on=None):
        """Seats whose term has begun (or has no recorded start) and has not ended by ``on``
        (today by default). A term ending today is still current today."""
        on = on or timezone.localdate()
        return self.filter(
            models.Q(term_start__isnull=True) | models.Q(term_start__lte=on),
            models.Q(term_end__isnull=True) | models.Q(term_end__gte=on),
        )


class BodyMember(models.Model):
    """A person's seat on a body. A current seat is a role: its holder may read what the body
    sees (viewer scope at the body's organisation, councils.scoping); a chair's seat also lets
    them manage that body's members."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = user_fk(models.CASCADE, related_name="body_seats")
    position = models.CharField(max_length=20, choices=Position.choices, default=Position.MEMBER)
    term_start = models.DateField(
        null=True, blank=True, help_text="Blank only for seats recorded before terms were kept"
    )
    term_end = models.DateField(null=True, blank=True, help_text="Blank while open-ended")
    added_by = user_fk(models.SET_NULL, null=True, blank=True)

    objects = BodyMemberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="one_seat_per_body"),
            models.CheckConstraint(
                condition=models.Q(term_start__isnull=True)
                | models.Q(term_end__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="term_ends_after_it_starts",
            ),
        ]
        ordering = ["body", "user__full_name", "user__email"]

    def __str__(self):
        return f"{self.user} ({self.get_position_display()}, {self.body})"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (self.term_start is None or self.term_start <= on) and (
            self.term_end is None or self.term_end >= on
        )

    def get_additional_data(self) -> dict:
        """Kept with each audit-log entry, so the body's member history outlives the row."""
        return {
            "body_id": self.body_id,
            "organisation_id": self.body.organisation_id,
            "user": self.user.get_full_name(),
            "position": self.position,
        }


class LeadershipPost(models.Model):
    """One line of the leadership register: the chief AHP of a provider, or the chair of a
    body. The holder is a user where they have an account, else a name; a vacant post has
    neither."""

    class Post(models.TextChoices):
        CHIEF_AHP = "chief_ahp", "Chief AHP"
        CHAIR = "chair", "Chair"

    class Status(models.TextChoices):
        SUBSTANTIVE = "substantive", "Substantive"
        INTERIM = "interim", "Interim"
        VACANT = "vacant", "Vacant"

    #: Statuses counted as "in post" on the register's summaries.
    IN_POST = (Status.SUBSTANTIVE, Status.INTERIM)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="leadership_posts"
    )
    body = models.OneToOneField(
        Body, on_delete=models.CASCADE, null=True, blank=True, related_name="chair_post"
    )
    post = models.CharField(max_length=20, choices=Post.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    holder = user_fk(models.SET_NULL, null=True, blank=True, related_name="leadership_posts")
    holder_name = models.CharField(max_length=150, blank=True)
    start_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = user_fk(models.SET_NULL, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(post="chief_ahp"),
                name="one_chief_ahp_per_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(post="chief_ahp", body__isnull=True)
                | models.Q(post="chair", body__isnull=False),
                name="a_chair_post_belongs_to_a_body",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="vacant")
                | models.Q(holder__isnull=True, holder_name=""),
                name="a_vacant_post_has_no_holder",
            ),
        ]
        ordering = ["organisation__path", "post"]

    def __str__(self):
        where = self.body.name if self.body_id else self.organisation.name
        return f"{self.get_post_display()}, {where}: {self.holder_display or 'vacant'}"

    @property
    def holder_display(self) -> str:
        if self.holder_id:
            return self.holder.get_full_name()
        return self.holder_name

    @property
    def in_post(self) -> bool:
        return self.status in self.IN_POST

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id, "body_id": self.body_id}


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    RESPONDENT = "respondent", "Respondent (chief AHP, lead)"
    CHAIR = "chair", "Chair (council chair, regional lead)"
    DATA_MANAGER = "data_manager", "Data manager"
    ANALYST = "analyst", "Analyst"
    ORG_ADMIN = "org_admin", "Organisation admin"


class Membership(models.Model):
    """A role held at one organisation, covering it and everything below it."""

    user = user_fk(models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_by = user_fk(models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_role_per_org"
            )
        ]
        ordering = ["organisation__path", "role"]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} at {self.organisation}"

    def get_additional_data(self) -> dict:
        """Kept with each audit-log entry (django-auditlog), so that a role's history outlives
        the row: the organisation's id (which the People page scopes by), whose role, and who
        granted it."""
        return {
            "organisation_id": self.organisation_id,
            "user": self.user.email,
            "role": self.role,
            "granted_by": self.granted_by.email if self.granted_by_id else None,
        }


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An organisation admin's invitation to take a role. The emailed token is stored hashed."""

    email = models.EmailField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Blank for an invitation to a seat on a body and nothing else",
    )
    # An invitation to a seat on a body (from its chair or an organisation admin): accepting it
    # creates the seat with this position and term.
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    position = models.CharField(max_length=20, choices=Position.choices, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = user_fk(models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = user_fk(models.SET_NULL, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} ({self.offer})"

    @property
    def offer(self) -> str:
        """What accepting gives, in words: "Viewer at ..." or "Vice chair of <body>"."""
        if self.body_id:
            return f"{self.get_position_display()} of {self.body.name}"
        return f"{self.get_role_display()} at {self.organisation.name}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def hash_token(token: str) -> str:
        return _hash_token(token)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "Accepted"
        return "Expired" if self.is_expired else "Pending"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """One person's token. Only the SHA-256 of the secret is kept; ``prefix`` identifies it."""

    user = user_fk(models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Power BI'")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if timezone.now() >= self.expires_at:
            return "Expired"
        return "Active"

    @property
    def is_usable(self) -> bool:
        return self.status == "Active"


class Heartbeat(models.Model):
    """When a background process last showed it was alive (``worker``: a Celery worker ran the
    heartbeat task that beat queues every minute). /healthz and /status/ read it."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
