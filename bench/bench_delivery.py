"""Delivery plan page speed (issue 9): server time and SQL queries for the SYB ICS plan.

Inside one transaction that is rolled back at the end (the database is left as it was): the SYB
plan (QF7) is seeded from seed 000 appendix 1 (26 actions, 32 measures), every action gets
``BENCH_DELIVERY_QUARTERS`` quarterly updates (default 8), every measure is linked to a dashboard
metric, and QF7 gets 24 months of figures for each metric where the store has none. Then the plan
page, the board summary, the print view and both exports are each requested
``BENCH_PAGE_REPEATS`` times (default 30) in-process, signed in as a viewer of QF7:

    p50 / p95   server time per request (ms)
    queries     SQL statements per request (constant: the tests assert the caps)
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

REPEATS = int(os.environ.get("BENCH_PAGE_REPEATS", "30"))
QUARTERS = int(os.environ.get("BENCH_DELIVERY_QUARTERS", "8"))


class _Rollback(Exception):
    pass


def _prepare():
    from django.core.management import call_command
    from django.utils import timezone

    from ahpportal.months import add_months
    from councils.models import Membership, Organisation, User
    from dashboard.metrics import CATALOGUE
    from dashboard.models import MetricValue
    from delivery import quarters, services
    from delivery.models import Action, MeasureOfSuccess, ProgressUpdate

    if not Organisation.objects.filter(code="QF7").exists():
        call_command("load_tree", verbosity=0)
    org = Organisation.objects.get(code="QF7")
    plan = services.plan_seed_from_appendix(organisation=org).plan
    user = User.objects.create_user("bench.delivery@example.test", "bench-password-1")
    Membership.objects.create(user=user, organisation=org, role="viewer")

    labels = [quarters.quarter_of(dt.date.today())]
    while len(labels) < QUARTERS:
        labels.append(quarters.previous(labels[-1]))
    actions = list(Action.objects.filter(theme__plan=plan))
    statuses = ["on_track", "at_risk", "off_track", "complete"]
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            action=a,
            quarter=q,
            status=statuses[(i + j) % 4],
            narrative="Bench update.",
            author=user,
        )
        for i, a in enumerate(actions)
        for j, q in enumerate(labels)
    )
    measures = list(MeasureOfSuccess.objects.filter(action__theme__plan=plan))
    for i, m in enumerate(measures):
        m.metric = CATALOGUE[i % len(CATALOGUE)].code
    MeasureOfSuccess.objects.bulk_update(measures, ["metric"])
    have = set(
        MetricValue.objects.filter(organisation=org, profession="all", band_group="all")
        .values_list("metric", flat=True)
        .distinct()
    )
    now = timezone.now()
    MetricValue.objects.bulk_create(
        MetricValue(
            organisation=org, metric=metric.code, month=add_months(dt.date(2024, 1, 1), n),
            numerator=10 + n % 5, denominator=100, value=10 + n % 5, people=500,
            providers_reporting=9, providers_total=9, computed_at=now,
        )
        for metric in CATALOGUE
        if metric.code not in have
        for n in range(24)
    )  # fmt: skip
    return user, labels[0], len(actions) * len(labels), len(measures)


def _measure(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up: template compilation, first-use imports
    times = []
    queries = 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, queries


def main() -> None:
    from django.db import connection, transaction
    from django.test import Client

    try:
        with transaction.atomic():
            user, quarter, updates, measures = _prepare()
            client = Client()
            client.force_login(user)
            print(
                f"{connection.vendor}: SYB plan, 26 actions, {updates} updates, "
                f"{measures} measures linked to metrics, {REPEATS} requests per page"
            )
            q = f"?quarter={quarter}"
            for name, url in [
                ("plan by theme", f"/org/QF7/plan/{q}"),
                ("board summary", f"/org/QF7/plan/summary/{q}"),
                ("print view", f"/org/QF7/plan/print/{q}"),
                ("export CSV", f"/org/QF7/plan/export.csv{q}"),
                ("export XLSX", f"/org/QF7/plan/export.xlsx{q}"),
            ]:
                p50, p95, queries = _measure(client, url)
                print(f"  {name:14} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  queries {queries}")
            raise _Rollback
    except _Rollback:
        print("  (rolled back: the database is unchanged)")
