"""Secondary suppression (PRODUCT.md 3.4), decided at recompute time after the primary rule.

A hidden figure could be worked out by subtraction wherever it is the only hidden figure of an
additive group: a total and its parts, for one metric and month. The groups (a figure is in up
to five of them):

1. the organisation tree: a parent's figure (the total) and its children's figures with the
   same profession and band group;
2. the professions: an organisation's figure for all professions (the total) and one per
   profession, for one band group;
3. the band groups: all bands (the total), support (bands 2-4) and registered (5-9), for one
   profession;
4. the single bands (diversity): all bands (the total) and band_2 .. band_9, for all
   professions.

Rule, applied in synchronous rounds: in each round, every group with exactly one hidden member,
more than one member and a total hides, judged on the state at the start of the round, its
smallest visible part (fewest people, then lowest organisation id, profession, band group), or
its total when no part is visible; all of the round's choices are applied together. Hiding a
figure can leave another group with exactly one hidden member (the level above, the siblings,
the other dimensions), so the next round re-examines the groups holding a figure hidden in this
one; the rounds end when one hides nothing. Only figures resting on people (``people`` not
empty) take part; the others are never hidden.

The figures are read in one query, sorted by metric and month, and decided one (metric, month)
at a time (no group spans two), so memory holds one month of one metric; the figures to hide are
then written by id in chunks. Everything runs on the caller's connection, inside its
transaction, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import chain, filterfalse, groupby
from operator import itemgetter

from django.db import connection

from councils.models import Organisation

from . import changes
from .compute_datasets import T

THRESHOLD = 5  # dashboard.suppression.THRESHOLD: the primary rule
MAX_ROUNDS = 100  # each round hides at least one more figure or ends the loop; far above need
UPDATE_CHUNK = 500  # ids per UPDATE (placeholders)
FETCH_CHUNK = 5000
BANDS = ("all", "support", "registered")  # the band-group group; the rest are single bands
TREE, PROFESSIONS, BAND_GROUPS, SINGLE_BANDS = range(4)  # the kinds of group


def parents() -> dict[int, int]:
    """Each organisation's parent id (none for the root), from the materialised paths."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, path FROM {T['org']}")
        paths = cursor.fetchall()
    by_path = {path: org_id for org_id, path in paths}
    step = Organisation.steplen
    return {
        org_id: by_path[path[:-step]]
        for org_id, path in paths
        if len(path) > step and path[:-step] in by_path
    }


class _Month:
    """The groups of one metric and month. ``rows`` are (metric, month, people,
    organisation_id, profession, band_group, id, stored flag), unique on their first six, so
    sorting rows sorts them by the rule's order; the rounds start from the primary rule
    (``people`` under :data:`THRESHOLD`), whatever the stored flags say. A group without a
    total never hides anything, so each group is named by its total's row number and its kind,
    ``4 * total + kind``; ``parts`` holds its parts' row numbers and ``groups_of`` each row's
    groups."""

    def __init__(self, rows: list[tuple], parent_of: dict[int, int]):
        self.rows = rows
        self.hidden = bytearray(r[2] < THRESHOLD for r in rows)  # the primary rule
        row_of = {r[3:6]: i for i, r in enumerate(rows)}  # (organisation, profession, band)
        get = row_of.get
        parts: dict[int, list[int]] = defaultdict(list)
        self.groups_of: list[list[int]] = [[] for _ in rows]
        for i, r in enumerate(rows):
            org, prof, band = r[3:6]
            totals = [(TREE, get((parent_of.get(org), prof, band)))]
            if prof != "all":
                totals.append((PROFESSIONS, get((org, "all", band))))
            if band in BANDS:
                if band != "all":
                    totals.append((BAND_GROUPS, get((org, prof, "all"))))
            elif prof == "all":
                totals.append((SINGLE_BANDS, get((org, "all", "all"))))
            for kind, total in totals:
                if total is not None:
                    parts[4 * total + kind].append(i)
                    self.groups_of[i].append(4 * total + kind)
        for group in parts:  # and each total's groups
            self.groups_of[group >> 2].append(group)
        self.parts = parts

    def choice(self, group: int) -> int | None:
        """The row ``group`` hides this round, judged on the hidden rows as they are."""
        parts, hidden, total = self.parts[group], self.hidden, group >> 2
        if hidden[total] + sum(map(hidden.__getitem__, parts)) != 1:
            return None
        visible = list(filterfalse(hidden.__getitem__, parts))
        if visible:
            return min(visible, key=self.rows.__getitem__)
        return total  # its one part is the hidden member

    def settle(self) -> tuple[list[int], int]:
        """Run the rounds; the row numbers hidden, and the number of rounds that hid some. A
        group with no hidden member hides nothing, so the first round examines the groups of
        the figures the primary rule hid, and each later one those of the last round's."""
        hidden_now: list[int] = []
        changed = [i for i, h in enumerate(self.hidden) if h]
        rounds = 0
        while True:
            examine = set(chain.from_iterable(map(self.groups_of.__getitem__, changed)))
            changed = sorted({c for group in examine if (c := self.choice(group)) is not None})
            if not changed:
                return hidden_now, rounds
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise RuntimeError(f"Secondary suppression did not settle in {MAX_ROUNDS} rounds")
            for i in changed:  # the round's choices, applied together
                self.hidden[i] = 1
            hidden_now.extend(changed)


def where_settled(months: list[dt.date] | None, pairs, alias: str) -> tuple[str, list]:
    """SQL narrowing ``alias``'s figures to those a run settles: the (metric, month) ``pairs``
    when given, else ``months`` (None: every month). Pairs are written one condition per metric
    (``metric = ... AND month IN (...)``), which the store's (metric, month) index serves."""
    if pairs is not None:
        months_of: dict[str, set] = {}
        for metric, month in pairs:
            months_of.setdefault(metric, set()).add(month)
        if not months_of:
            return " AND 1 = 0", []
        parts, params = [], []
        for metric, of_metric in sorted(months_of.items()):
            parts.append(
                f"({alias}.metric = %s AND {alias}.month IN ({', '.join(['%s'] * len(of_metric))}))"
            )
            params += [metric, *sorted(of_metric)]
        return f" AND ({' OR '.join(parts)})", params
    if months is None:
        return "", []
    return f" AND {alias}.month IN ({', '.join(['%s'] * len(months))})", list(months)


def _figures(months: list[dt.date] | None, table: str, pairs=None):
    """The figures resting on people, in (metric, month) order, fetched in chunks."""
    narrow, params = where_settled(months, pairs, "v")
    # a server-side cursor on PostgreSQL (unless a pooler in transaction mode rules them out)
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    cursor = connection.chunked_cursor() if server_side else connection.cursor()
    try:
        cursor.execute(
            # month as text and the flag as 0 / 1: no conversion of each row on SQLite
            "SELECT v.metric, CAST(v.month AS TEXT), v.people, v.organisation_id, v.profession, "
            "v.band_group, v.id, CASE WHEN v.suppressed THEN 1 ELSE 0 END "
            f"FROM {table} v WHERE v.people IS NOT NULL{narrow} "
            "ORDER BY 1, 2",
            params,
        )
        while chunk := cursor.fetchmany(FETCH_CHUNK):
            yield from chunk
    finally:
        cursor.close()


def secondary(months: list[dt.date] | None, table: str = T["value"], *, pairs=None) -> int:
    """Decide the hidden figures of ``months`` (None: every month), or of the (metric, month)
    ``pairs`` only, from their people: the primary rule, then the rounds above. Only the figures
    whose stored flag is not what they decide are written (hidden, or shown again), and where
    they are is noted for the snapshot (:mod:`dashboard.changes`). Returns the number of rounds
    that hid something: the most any (metric, month) took, as they settle side by side (0 when
    the primary rule leaves nothing to work out)."""
    parent_of = parents()
    to_hide: list[int] = []
    to_show: list[int] = []
    places = []
    most_rounds = 0
    collect = changes.recording()
    for _, figures in groupby(_figures(months, table, pairs), key=itemgetter(0, 1)):
        rows = list(figures)
        month = _Month(rows, parent_of)
        _, rounds = month.settle()
        for row, hidden in zip(rows, month.hidden, strict=True):
            if hidden != row[7]:
                (to_hide if hidden else to_show).append(row[6])
                if collect:
                    places.append((row[3], row[1], row[0]))
        most_rounds = max(most_rounds, rounds)
    _hide(to_hide, table)
    _hide(to_show, table, hidden=False)
    changes.note(places)
    return most_rounds


HIDE = "suppression_to_hide"


def _hide(ids: list[int], table: str, *, hidden: bool = True) -> None:
    """Set the figures' flag (hidden, or shown): the ids go into a temporary table and one UPDATE
    joins it, so a table without an index yet (the full rebuild's) is read once, not once per
    chunk."""
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {HIDE}")
        cursor.execute(f"CREATE TEMP TABLE {HIDE} (id BIGINT PRIMARY KEY)")
        for start in range(0, len(ids), UPDATE_CHUNK):
            chunk = ids[start : start + UPDATE_CHUNK]
            cursor.execute(
                f"INSERT INTO {HIDE} (id) VALUES " + ", ".join(["(%s)"] * len(chunk)), chunk
            )
        cursor.execute(
            f"UPDATE {table} SET suppressed = {'TRUE' if hidden else 'FALSE'} "
            f"WHERE id IN (SELECT id FROM {HIDE})"
        )
        cursor.execute(f"DROP TABLE {HIDE}")
