"""The "as it was" view (PRODUCT.md 7): each month's figures under the structure of that month.

The store (:class:`~dashboard.models.MetricValue`) holds every month on today's structure: a
provider's data, of any month, counts under its parent of today, and a closed provider's under
its final successor. Where a month's own structure was different, the same month "as it was"
has other figures for some organisations: a place a provider has since left still counted it; a
provider later merged had figures of its own; the merger's new provider had none yet. Only those
organisation-months differ, so only they are stored, apart (:class:`AsItWasScope` names them,
:class:`AsItWasValue` holds their figures); everywhere else the view reads the store. Every
recompute writes them whole, in its own transaction, after the store (:func:`rebuild`), so pages
never aggregate per request and both views change together.

**The month's structure.** An organisation's parent in a month is the parent of the
:class:`~councils.models.ParentPeriod` covering the month, else today's (the tree's). A provider
closed by that month counts as its successor then (the first of its chain still open), and a
merger's new provider exists from the day its predecessors closed. Each month is computed by the
engine's own SQL (:func:`dashboard.compute.figures_sql` with a dated structure), so a figure as
it was is a sum of its providers' parts exactly as a figure on today's structure is.

**Suppression.** The primary rule holds (fewer than 5 people: hidden from anyone without a role
at the organisation). The two views together must not let a hidden figure be recovered by
subtraction, so a figure as it was is also hidden, decided in rounds until none changes:

1. where the same organisation's figure on today's structure is hidden (the two differ by
   providers whose figures are shown, so the one would give the other away);
2. where a provider counted in it in one view and not in the other (a provider that moved, or
   was merged) has its own figure hidden that month;
3. for the providers that became one: the predecessors of a merger and the provider they count
   as today (whose figure on today's structure is their sum), all of them, where one of them is
   hidden, or where that sum is.

Like the store's secondary suppression, this is decided figure by figure (organisation, metric,
profession, band group, month) at recompute time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from ahpportal.months import month_start
from councils.models import Level, Organisation, ParentPeriod

from . import metrics as catalogue
from .compute import execute, figures_sql
from .compute_datasets import DATASETS
from .models import AsItWasScope, AsItWasValue, MetricValue

CURRENT, AS_IT_WAS = "current", "as_it_was"
VIEWS = {
    CURRENT: "Today's structure",
    AS_IT_WAS: "As it was",
}
SENTENCES = {
    CURRENT: "Figures are on today's structure: every month's data is counted under the "
    "organisations as they are now, so a trend compares like with like.",
    AS_IT_WAS: "Figures are as it was: each month's data is counted under the structure of "
    "that month, before any later move or merger.",
}
DATED = "as_it_was_structure"  # temporary: (provider, unit, organisation, month) as it was
THRESHOLD = 5


@dataclass
class Structure:
    """The tree's dated facts, read once (two queries)."""

    parent: dict[int, int | None]  # today's parent
    level: dict[int, str]
    periods: dict[int, list[tuple[dt.date | None, dt.date, int]]]  # (from, to, parent)
    closed_on: dict[int, dt.date]
    successor: dict[int, int]
    opened: dict[int, dt.date]  # a merger's new provider: the day its predecessors closed

    @classmethod
    def read(cls) -> Structure:
        rows = list(
            Organisation.objects.order_by().values_list(
                "pk", "path", "level", "closed_on", "successor_id"
            )
        )
        by_path = {path: pk for pk, path, *_ in rows}
        step = Organisation.steplen
        structure = cls(
            parent={pk: by_path.get(path[:-step]) for pk, path, *_ in rows},
            level={pk: level for pk, _, level, *_ in rows},
            periods=defaultdict(list),
            closed_on={pk: closed for pk, _, _, closed, _ in rows if closed},
            successor={pk: succ for pk, *_, succ in rows if succ},
            opened={},
        )
        for pk, closed in structure.closed_on.items():
            succ = structure.successor.get(pk)
            if succ is not None:
                opened = structure.opened.get(succ)
                structure.opened[succ] = closed if opened is None else min(opened, closed)
        for pk, since, until, parent in ParentPeriod.objects.order_by().values_list(
            "organisation_id", "valid_from", "valid_to", "parent_id"
        ):
            structure.periods[pk].append((since, until, parent))
        return structure

    def changes(self) -> list[dt.date]:
        """The days the structure changed (every one the first of a month)."""
        return sorted(
            {until for periods in self.periods.values() for _, until, _ in periods}
            | set(self.closed_on.values())
        )

    def parent_at(self, pk: int, month: dt.date) -> int | None:
        for since, until, parent in self.periods.get(pk, ()):
            if (since is None or since <= month) and month < until:
                return parent
        return self.parent[pk]

    def chain_at(self, pk: int, month: dt.date | None) -> list[int]:
        """The organisation and every one above it, in ``month`` (None: today)."""
        chain = []
        while pk is not None and pk not in chain:
            chain.append(pk)
            pk = self.parent[pk] if month is None else self.parent_at(pk, month)
        return chain

    def unit_at(self, pk: int, month: dt.date | None) -> int:
        """The provider ``pk``'s data counts as in ``month`` (None: today, its final successor)."""
        seen = {pk}
        while pk in self.successor and (month is None or self.closed_on[pk] <= month):
            pk = self.successor[pk]
            if pk in seen:
                break
            seen.add(pk)
        return pk

    def members(self, month: dt.date | None) -> dict[int, set[tuple[int, int]]]:
        """Organisation -> the (provider, the provider it counts as) pairs counted in it, in
        ``month`` (None: today). As it was, a provider not yet open counts nowhere."""
        out: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for pk, level in self.level.items():
            if level != Level.PROVIDER:
                continue
            unit = self.unit_at(pk, month)
            if month is not None and self.opened.get(unit, month) > month:
                continue
            for org in self.chain_at(unit, month):
                out[org].add((pk, unit))
        return out


@dataclass
class Plan:
    """What differs as it was: the rows of the dated structure and the organisation-months."""

    rows: list[tuple[int, int, int, dt.date]]  # (provider, unit, organisation, month)
    scope: list[tuple[int, dt.date]]
    differs: dict[tuple[int, dt.date], set[int]]  # (organisation, month) -> providers in one view
    groups: dict[int, set[int]]  # provider counted as today -> the providers that became it


def plan(structure: Structure, months: list[dt.date]) -> Plan:
    """The organisation-months whose providers (or their count) differ as it was, and the
    dated structure's rows for them. Months between two changes share one structure, so each
    stretch is worked out once."""
    result = Plan([], [], {}, {})
    days = structure.changes()
    if not days:
        return result
    today = structure.members(None)
    stretches: dict[tuple[bool, ...], list[dt.date]] = defaultdict(list)
    for month in months:
        stretches[tuple(month >= day for day in days)].append(month)
    for stretch in stretches.values():
        then = structure.members(stretch[0])
        for org in sorted(set(then) | set(today)):
            was, now = then.get(org, set()), today.get(org, set())
            if was == now:
                continue
            moved = {p for p, _ in was} ^ {p for p, _ in now}
            for month in stretch:
                result.scope.append((org, month))
                result.differs[(org, month)] = moved - {org}
                result.rows += [(p, unit, org, month) for p, unit in sorted(was)]
    for pk in structure.successor:
        result.groups.setdefault(structure.unit_at(pk, None), set()).add(pk)
    for unit, group in result.groups.items():
        group.add(unit)
    return result


def months_of(in_range: list[dt.date]) -> list[dt.date]:
    """The months of the range and the January of each of its survey years (annual figures)."""
    return sorted(set(in_range) | {catalogue.annual_month(m.year) for m in in_range})


def rebuild(in_range: list[dt.date], computed_at, *, only=None) -> int:
    """Write the "as it was" figures for the month range (inside the recompute's transaction,
    after the store): whole, or (``only``: the months an incremental run changed) for those
    months alone, since a month's figures and flags as it was rest on that month's data and
    today's figures and flags of that month only. Returns the figures written."""
    months = [month_start(m) for m in in_range]
    everything = months_of(months)
    if only is None:
        AsItWasValue.objects.all().delete()
        AsItWasScope.objects.all().delete()
    else:
        # the annual figures of a month's survey year are recomputed with it
        wanted = set(months_of([month_start(m) for m in only]))
        everything = [m for m in everything if m in wanted]
        AsItWasValue.objects.filter(month__in=everything).delete()
        AsItWasScope.objects.filter(month__in=everything).delete()
    if not everything:
        return 0
    structure = Structure.read()
    found = plan(structure, everything)
    if not found.scope:
        return 0
    AsItWasScope.objects.bulk_create(
        [AsItWasScope(organisation_id=org, month=month) for org, month in found.scope],
        batch_size=2000,
    )
    if not isinstance(computed_at, str):
        computed_at = connection.ops.adapt_datetimefield_value(computed_at)
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {DATED}")
        cursor.execute(
            f"CREATE TEMP TABLE {DATED} (provider_id INTEGER, unit_id INTEGER, "
            "org_id INTEGER, month DATE)"
        )
        cursor.executemany(f"INSERT INTO {DATED} VALUES (%s, %s, %s, %s)", found.rows)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {DATED}")
        for dataset in DATASETS:
            sql, params = figures_sql(
                dataset, months, None, computed_at, table=AsItWasValue._meta.db_table, dated=DATED
            )
            rows += execute(sql, params)
        cursor.execute(f"DROP TABLE {DATED}")
    suppress(found)
    return rows


def _key(org, month, metric, profession, band_group):
    return (org, month, metric, profession, band_group)


def suppress(found: Plan) -> int:
    """Hide the figures as it was of the plan's months that the rules of this module's
    docstring hide, beyond the primary rule (which the write applied). Returns the figures
    hidden by those rules."""
    figures = {}  # key -> [id, hidden]
    months = sorted({month for _, month in found.scope})
    for pk, org, month, metric, profession, band, hidden in AsItWasValue.objects.filter(
        month__in=months
    ).values_list(
        "pk", "organisation_id", "month", "metric", "profession", "band_group", "suppressed"
    ):
        figures[_key(org, month, metric, profession, band)] = [pk, hidden]
    if not figures:
        return 0
    in_scope = set(found.differs)
    # today's hidden figures of the organisations and providers involved, in those months
    involved = {org for org, _ in in_scope} | {p for ps in found.differs.values() for p in ps}
    involved |= set(found.groups)
    hidden_now = set(
        MetricValue.objects.filter(
            organisation__in=sorted(involved), month__in=months, suppressed=True
        ).values_list("organisation_id", "month", "metric", "profession", "band_group")
    )

    def hidden_as_it_was(key) -> bool:
        """The figure as it was is hidden: stored apart if its organisation-month differs,
        else the store's."""
        if (key[0], key[1]) in in_scope:
            figure = figures.get(key)
            return figure is not None and figure[1]
        return key in hidden_now

    group_of = {p: unit for unit, group in found.groups.items() for p in group}
    first = sum(1 for figure in figures.values() if figure[1])
    changed = True
    while changed:
        changed = False
        for key, figure in figures.items():
            if figure[1]:
                continue
            org, month, *rest = key
            others = found.differs.get((org, month), ())
            unit = group_of.get(org)
            group = found.groups.get(unit, ()) if unit is not None else ()
            if (
                key in hidden_now
                or any(hidden_as_it_was(_key(p, month, *rest)) for p in others)
                or any(hidden_as_it_was(_key(p, month, *rest)) for p in group if p != org)
                or (unit is not None and _key(unit, month, *rest) in hidden_now)
            ):
                figure[1] = changed = True
    ids = [pk for pk, hidden in figures.values() if hidden]
    for start in range(0, len(ids), 5000):
        AsItWasValue.objects.filter(pk__in=ids[start : start + 5000]).update(suppressed=True)
    return len(ids) - first
