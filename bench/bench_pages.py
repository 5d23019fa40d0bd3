"""Quality Dashboard page speed at England scale (issue 6): server time and SQL queries.

For the England, a region, an ICS and a provider scorecard and a metric page (plus the ICS's
diversity, supply and board report pages), each requested ``BENCH_PAGE_REPEATS`` times (default
30) in-process through Django's test client, signed in as a viewer of that organisation:

    p50 / p95   server time per request (ms): URL routing, scope, selectors, SQL, rendering
    cpu p50     CPU time of the Django process per request (ms): the part other processes on a
                busy machine cannot inflate (it excludes the database server's own time)
    queries     SQL statements per request (the tests assert at most 20)

Targets: p95 under 150 ms and at most 20 queries on every page at every level. Figures on
PostgreSQL are the ones that count (DATABASE_URL=postgres://...).

Pages read only the MetricValue store, so their speed depends on the store's size, not on how
it was filled. If the store does not hold England-scale figures yet (the metrics engine fills it
from imported workforce data), this benchmark fills it with synthetic figures of the engine's
shape in one set-based INSERT: every organisation of the England tree (with the synthetic
generator's places and providers) x 21 metrics x 24 months x all professions and each of the 15
professions (where a metric is recorded by profession), and the support / registered band groups
(where it is recorded by band group). Rows the engine has computed are never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

REPEATS = int(os.environ.get("BENCH_PAGE_REPEATS", "30"))
MONTHS = 24
LATEST = dt.date(2025, 12, 1)


def _ensure_tree() -> None:
    from workforce.synthetic_tree import ensure_england_providers

    ensure_england_providers()


def _fill_store() -> int:
    """Synthetic England-scale figures where the store has none; returns rows added."""
    from django.db import connection, transaction
    from django.utils import timezone

    from councils.models import Organisation
    from dashboard import metrics as catalogue
    from dashboard.models import MetricValue
    from dashboard.series import window
    from workforce.models import Profession

    providers = Organisation.objects.filter(level="provider").count()
    have = (
        MetricValue.objects.filter(organisation__level="provider", profession="all")
        .values("organisation")
        .distinct()
        .count()
    )
    if have >= providers * 0.9:
        print(f"Store already holds figures for {have} of {providers} providers; using them.")
        return 0
    months = window(LATEST, MONTHS)
    professions = list(Profession.objects.values_list("code", flat=True))
    keys = []  # (metric, profession, band_group)
    for metric in catalogue.CATALOGUE:
        keys.append((metric, "all", "all"))
        if metric.by_profession:
            keys += [(metric, p, "all") for p in professions]
        if metric.by_band_group:
            keys += [(metric, "all", g) for g in ("support", "registered")]
        if metric.by_band:
            keys += [(metric, "all", band) for band in catalogue.SINGLE_BANDS]
    now = timezone.now()
    start = time.perf_counter()
    if connection.vendor != "postgresql":
        print("Not PostgreSQL: filling all-professions rows only (figures are indicative).")
        keys = [k for k in keys if k[1] == "all"]
        rows = [
            MetricValue(
                organisation_id=org_id,
                month=month,
                metric=metric.code,
                profession=profession,
                band_group=band,
                numerator=50.0,
                denominator=100.0,
                value=50.0,
                people=40,
                providers_reporting=1,
                providers_total=1,
                computed_at=now,
            )
            for org_id in Organisation.objects.values_list("pk", flat=True)
            for metric, profession, band in keys
            for month in months
        ]
        MetricValue.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        added = len(rows)
    else:
        key_values = ", ".join("(%s, %s, %s, %s::float)" for _ in keys)
        params: list = []
        for metric, profession, band in keys:
            params += [metric.code, profession, band, metric.default_target or 40.0]
        month_values = ", ".join("(%s::date)" for _ in months)
        params += months
        params += [now]
        sql = f"""
            INSERT INTO dashboard_metricvalue (organisation_id, month, metric, profession,
                band_group, numerator, denominator, value, people, providers_reporting,
                providers_total, computed_at)
            SELECT o.id, m.month, k.metric, k.profession, k.band_group,
                   v.value, 100.0, v.value,
                   CASE WHEN o.depth = 5 AND k.profession <> 'all' THEN (o.id %% 9) ELSE 250 END,
                   1, 1, %s
            FROM councils_organisation o
            CROSS JOIN (VALUES {key_values}) AS k(metric, profession, band_group, base)
            CROSS JOIN (VALUES {month_values}) AS m(month)
            CROSS JOIN LATERAL (
                SELECT round((k.base * (0.9 + ((o.id * 7 + extract(month from m.month)::int * 3)
                       %% 20) / 100.0))::numeric, 3)::float AS value
            ) v
            ON CONFLICT DO NOTHING
        """
        # the computed_at parameter comes first in the SELECT
        params = [params[-1]] + params[:-1]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            added = cursor.rowcount
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dashboard_metricvalue")
    print(
        f"Filled the store with {added:,} synthetic rows in {time.perf_counter() - start:.1f} s "
        f"({MetricValue.objects.count():,} rows in the store)."
    )
    return added


def _viewer(org):
    from councils.models import Membership, User

    user, _ = User.objects.get_or_create(email=f"bench.viewer.{org.code.lower()}@example.test")
    Membership.objects.get_or_create(user=user, organisation=org, role="viewer")
    return user


def _measure(client, url: str, repeats: int = REPEATS) -> tuple[float, float, float, int, int]:
    """p50 and p95 wall time, p50 CPU time of this process (ms), queries and status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, first connection)
    times, cpu, queries, status = [], [], 0, 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(cpu), queries, status


def main() -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from councils.models import Organisation
    from dashboard.models import MetricValue

    _ensure_tree()
    _fill_store()
    provider = (
        Organisation.objects.filter(level="provider", metric_values__isnull=False)
        .order_by("code")
        .first()
    )
    targets = [
        ("England scorecard", "ENG" if Organisation.objects.filter(code="ENG").exists() else None),
        ("region scorecard", "Y63"),
        ("ICS scorecard", "QF7"),
        ("provider scorecard", provider.code if provider else None),
    ]
    print(
        f"Database: {connection.vendor}; store rows: {MetricValue.objects.count():,}; "
        f"organisations: {Organisation.objects.count()}; {REPEATS} requests each"
    )
    print(f"Load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'queries':>8}  status")
    rows = []
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        for label, code in targets:
            if code is None:
                continue
            org = Organisation.objects.get(code=code)
            client = Client()
            client.force_login(_viewer(org))
            urls = [(label, reverse("dashboard:scorecard", args=[code]))]
            urls.append(
                (
                    f"{label.split()[0]} metric page",
                    reverse("dashboard:metric", args=[code, "sickness_absence_rate"]),
                )
            )
            if code == "QF7":
                urls += [
                    ("ICS scorecard, physiotherapists", urls[0][1] + "?profession=physiotherapist"),
                    ("ICS diversity", reverse("dashboard:diversity", args=[code])),
                    ("ICS supply", reverse("dashboard:supply", args=[code])),
                    ("ICS board report", reverse("dashboard:board_report", args=[code])),
                    ("ICS scorecard XLSX", reverse("dashboard:scorecard_xlsx", args=[code])),
                ]
            for name, url in urls:
                p50, p95, cpu, queries, status = _measure(client, url)
                rows.append((name, p50, p95, queries))
                print(
                    f"{name:<36} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f} {queries:>8}  {status}",
                    flush=True,
                )
        from dashboard import pdf

        if pdf.available():  # a download, not a page: timed for information, no target
            client = Client()
            client.force_login(_viewer(Organisation.objects.get(code="QF7")))
            url = reverse("dashboard:board_report_pdf", args=["QF7"])
            p50, p95, cpu, queries, status = _measure(client, url, repeats=5)
            print(
                f"{'ICS board report PDF (5 requests)':<36} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f} "
                f"{queries:>8}  {status}",
                flush=True,
            )
    return [
        (
            f"page {name}, p95 / queries",
            "<= 100 ms, <= 15",
            f"{p95:.0f} ms, {queries}",
            p95 <= 100 and queries <= 15,
        )
        for name, _, p95, queries in rows
    ]
