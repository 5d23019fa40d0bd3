"""The secondary suppression rule as it first ran: one set-based SQL pass over every group
(window functions), repeated until a pass hides nothing. Kept here, in the tests only, as the
reference that :mod:`dashboard.compute_suppression` must agree with figure for figure."""

from django.db import connection

from councils.models import Organisation
from dashboard import compute
from dashboard.compute_datasets import T

# Each group: its kind, its organisation (SQL), its profession and band group keys (a constant
# where the group runs across that dimension), whether the figure is the group's total, and
# which figures belong.
GROUPS = (
    # the organisation tree: a figure as one of its parent's children, and as its own total
    (1, "p.id", "v.profession", "v.band_group", "0", "o.depth > 1"),
    (1, "v.organisation_id", "v.profession", "v.band_group", "1", "1 = 1"),
    # the professions: the figure for all professions and one per profession
    (2, "v.organisation_id", "'*'", "v.band_group",
     "CASE WHEN v.profession = 'all' THEN 1 ELSE 0 END", "1 = 1"),
    # the band groups: all bands, support (2-4) and registered (5-9)
    (3, "v.organisation_id", "v.profession", "'*'",
     "CASE WHEN v.band_group = 'all' THEN 1 ELSE 0 END",
     "v.band_group IN ('all', 'support', 'registered')"),
    # the single bands (diversity): all bands and band_2 .. band_9, for all professions
    (4, "v.organisation_id", "v.profession", "'#'",
     "CASE WHEN v.band_group = 'all' THEN 1 ELSE 0 END",
     "v.profession = 'all' AND v.band_group NOT IN ('support', 'registered')"),
)  # fmt: skip
GROUP_KEY = "m.kind, m.gorg, m.metric{c}, m.month, m.gprof{c}, m.gband{c}"


def secondary_pass_sql(months=None, table=T["value"]) -> tuple[str, list]:
    """One secondary pass: in every group with exactly one hidden member, more than one member
    and a total, hide the smallest visible part, or the total when no part is visible."""
    month_filter, params = "", []
    if months is not None:
        month_filter = f" AND v.month IN ({', '.join(['%s'] * len(months))})"
        params = list(months)
    c = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    key = GROUP_KEY.format(c=c)
    parent = (
        f"JOIN {T['org']} p ON p.path = substr(o.path, 1, length(o.path) - {Organisation.steplen})"
    )
    members = " UNION ALL ".join(
        f"SELECT v.id AS id, {kind} AS kind, {gorg} AS gorg, v.metric AS metric, "
        f"v.month AS month, {gprof} AS gprof, {gband} AS gband, {is_total} AS is_total, "
        "CASE WHEN v.suppressed THEN 1 ELSE 0 END AS hidden, v.people AS people, "
        "v.organisation_id AS org_id, v.profession AS profession, v.band_group AS band_group "
        f"FROM {table} v JOIN {T['org']} o ON o.id = v.organisation_id "
        f"{parent if gorg == 'p.id' else ''} "
        f"WHERE v.people IS NOT NULL AND {which}{month_filter}"
        for kind, gorg, gprof, gband, is_total, which in GROUPS
    )
    sql = f"""
        UPDATE {table} SET suppressed = TRUE WHERE id IN (
            SELECT id FROM (
                SELECT m.id AS id, m.hidden AS hidden, m.is_total AS is_total,
                       SUM(m.hidden) OVER (PARTITION BY {key}) AS hidden_in_group,
                       COUNT(*) OVER (PARTITION BY {key}) AS in_group,
                       MAX(m.is_total) OVER (PARTITION BY {key}) AS has_total,
                       SUM(CASE WHEN m.hidden = 0 AND m.is_total = 0 THEN 1 ELSE 0 END)
                           OVER (PARTITION BY {key}) AS visible_parts,
                       ROW_NUMBER() OVER (
                           PARTITION BY {key}, m.hidden, m.is_total
                           ORDER BY m.people, m.org_id, m.profession{c}, m.band_group{c}
                       ) AS smallest
                FROM ({members}) m
            ) ranked
            WHERE hidden = 0 AND hidden_in_group = 1 AND in_group > 1 AND has_total = 1
              AND ((is_total = 0 AND smallest = 1) OR (is_total = 1 AND visible_parts = 0))
        )"""
    return sql, params * len(GROUPS)


def reference_suppress(months=None) -> int:
    """The primary rule, then passes until one hides nothing; the passes that hid something."""
    compute.execute(*compute.suppression_sql(months))
    passes = 0
    while compute.execute(*secondary_pass_sql(months)):
        passes += 1
    return passes
