"""Changes of structure with their dates (PRODUCT.md 7): a provider moves place, a place moves
ICS, an ICS moves region; two or more providers merge into a new code. Nothing is deleted.

* A move records the organisation's old parent as a :class:`~councils.models.ParentPeriod`
  (up to the month the move takes effect) and moves the node in the tree, so the tree is always
  today's structure and the periods are its past.
* A merger opens the new provider and closes the old ones with it as their successor; their
  data stays theirs, and the recompute counts it under the successor (the "current structure"
  view). Roles held at a closed provider follow it to the successor.

Both ask for a full recompute once they commit: every month's figures are re-aggregated under
the new tree, and until that recompute runs the stored figures are those of the old one.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dashboard.models import RecomputeRun
from dashboard.services import request_recompute

from .models import Level, Membership, Organisation, ParentPeriod
from .tree import organisation_ensure

#: Who may move under whom: a provider moves place, a place moves ICS, an ICS moves region.
PARENT_LEVEL = {Level.PROVIDER: Level.PLACE, Level.PLACE: Level.ICS, Level.ICS: Level.REGION}
_A = {
    Level.ENGLAND: "England",
    Level.REGION: "a region",
    Level.ICS: "an integrated care system",
    Level.PLACE: "a place",
    Level.PROVIDER: "a provider",
}


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_effective(effective, field: str = "effective") -> dt.date:
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise ValidationError({field: "Enter the date the change takes effect."})
    if effective.day != 1:
        raise ValidationError(
            {
                field: f"The change must take effect on the first of a month (for example "
                f"1 {effective:%B %Y}), not on {_day(effective)}."
            }
        )
    return effective


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the structure changed."})
    longest = ParentPeriod._meta.get_field("reason").max_length
    if len(reason) > longest:
        raise ValidationError(
            {"reason": f"A reason has at most {longest} characters; this one has {len(reason)}."}
        )
    return reason


def last_change(organisation: Organisation) -> dt.date | None:
    """The month the organisation's latest recorded parent change took effect (None: never)."""
    period = organisation.parent_periods.order_by("-valid_to").first()
    return period.valid_to if period else None


def _check_after_last_change(organisation: Organisation, effective: dt.date, field: str):
    last = last_change(organisation)
    if last is not None and effective <= last:
        raise ValidationError(
            {
                field: f"{organisation.name} last changed on {_day(last)}: a new change must "
                f"take effect after that, not on {_day(effective)}."
            }
        )
    return last


def record_move(
    organisation: Organisation,
    new_parent: Organisation,
    effective: dt.date,
    *,
    user,
    reason: str,
) -> ParentPeriod:
    """Move ``organisation`` under ``new_parent`` from ``effective`` (the first of a month) on:
    the old parent is kept as a :class:`ParentPeriod` ending then, and a full recompute is
    requested for when this commits. Raises ``ValidationError`` naming the field and the
    problem. Returns the period recorded."""
    _check_effective(effective)
    reason = _check_reason(reason)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        new_parent = Organisation.objects.get(pk=new_parent.pk)
        wanted = PARENT_LEVEL.get(organisation.level)
        if wanted is None:
            raise ValidationError(
                {
                    "organisation": f"{organisation.name} is {_A[organisation.level]}: only a "
                    "provider, a place or an integrated care system can move."
                }
            )
        if new_parent.level != wanted:
            raise ValidationError(
                {
                    "new_parent": f"{_A[organisation.level].capitalize()} moves to {_A[wanted]}; "
                    f"{new_parent.name} is {_A[new_parent.level]}."
                }
            )
        if organisation.closed_on is not None:
            raise ValidationError(
                {
                    "organisation": f"{organisation.name} closed on "
                    f"{_day(organisation.closed_on)}: a closed organisation cannot move."
                }
            )
        if new_parent.closed_on is not None:
            raise ValidationError(
                {
                    "new_parent": f"{new_parent.name} closed on {_day(new_parent.closed_on)}: "
                    "nothing can move under a closed organisation."
                }
            )
        old_parent = organisation.get_parent()
        if old_parent.pk == new_parent.pk:
            raise ValidationError(
                {"new_parent": f"{organisation.name} is already under {new_parent.name}."}
            )
        since = _check_after_last_change(organisation, effective, "effective")
        # the old parent, from the last change (or always) up to this one
        period = ParentPeriod(organisation=organisation, parent=old_parent, recorded_by=user)
        period.valid_from, period.valid_to, period.reason = since, effective, reason
        period.save()
        new_parent.refresh_from_db()  # treebeard needs the current paths and numchild
        organisation.move(new_parent, "sorted-child")
        _request_full_recompute(user)
    return period


def record_merger(
    providers: list[Organisation],
    *,
    code: str,
    name: str,
    effective: dt.date,
    user,
    reason: str,
    place: Organisation | None = None,
) -> Organisation:
    """Merge two or more open providers into a new provider ``code`` from ``effective`` (the
    first of a month) on, under ``place`` (by default the first provider's place). Each old
    provider is closed with the new one as its successor (nothing is deleted), and every role
    held at it is given at the successor too (unless its holder already has it there; the old
    role stays for the record). A full recompute is requested for when this commits. Raises
    ``ValidationError`` naming the field and the problem. Returns the new provider."""
    _check_effective(effective)
    reason = _check_reason(reason)
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationError({"code": "Enter the new provider's code."})
    longest = Organisation._meta.get_field("code").max_length
    if len(code) > longest:
        raise ValidationError({"code": f"A code has at most {longest} characters."})
    if not name:
        raise ValidationError({"name": "Enter the new provider's name."})
    with transaction.atomic():
        ids = [p.pk for p in providers]
        if len(set(ids)) < 2:
            raise ValidationError({"providers": "Choose two or more different providers to merge."})
        locked = Organisation.objects.select_for_update().in_bulk(ids)
        merging = [locked[pk] for pk in dict.fromkeys(ids)]
        for provider in merging:
            if provider.level != Level.PROVIDER:
                raise ValidationError(
                    {"providers": f"{provider.name} is {_A[provider.level]}: only providers merge."}
                )
            if provider.closed_on is not None:
                raise ValidationError(
                    {
                        "providers": f"{provider.name} closed on {_day(provider.closed_on)}: "
                        "only open providers merge."
                    }
                )
            _check_after_last_change(provider, effective, "effective")
        if Organisation.objects.filter(code=code).exists():
            raise ValidationError({"code": f"The code {code} is already in use."})
        place = Organisation.objects.get(pk=place.pk) if place else merging[0].get_parent()
        if place.level != Level.PLACE:
            raise ValidationError(
                {"place": f"A provider belongs to a place; {place.name} is {_A[place.level]}."}
            )
        if place.closed_on is not None:
            raise ValidationError(
                {"place": f"{place.name} closed on {_day(place.closed_on)}: choose an open place."}
            )
        successor = organisation_ensure(
            parent=place,
            code=code,
            name=name,
            level=Level.PROVIDER,
            provider_type=merging[0].provider_type,
        )
        closure = {
            "closed_on": effective,
            "successor": successor,
            "closure_reason": reason,
            "closure_recorded_by": user,
            "closure_recorded_at": timezone.now(),
        }
        for provider in merging:
            for field, value in closure.items():
                setattr(provider, field, value)
            provider.save(update_fields=list(closure))
        _roles_follow(merging, successor, granted_by=user)
        _request_full_recompute(user)
    return successor


def _roles_follow(closed: list[Organisation], successor: Organisation, *, granted_by) -> int:
    """Give each role held at the closed organisations at their successor too (once per
    person and role). Returns the roles given."""
    held = set(successor.memberships.values_list("user_id", "role"))
    given = 0
    for membership in Membership.objects.filter(organisation__in=closed).order_by("pk"):
        key = (membership.user_id, membership.role)
        if key in held:
            continue
        Membership.objects.create(
            user_id=membership.user_id,
            organisation=successor,
            role=membership.role,
            granted_by=granted_by,
        )
        held.add(key)
        given += 1
    return given


def _request_full_recompute(user) -> RecomputeRun:
    """Every month's figures under the new tree, once the change commits."""
    return request_recompute(
        provider_ids=None, months=None, requested_by=user, kind=RecomputeRun.Kind.FULL
    )
