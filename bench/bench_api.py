"""Analyst API speed at England scale (issue 8).

Signed in with an API token of an analyst at England (so the scope filter is real), in-process
through Django's test client:

    page p95    server time for a 1,000-row page of metric values (p50 / p95 over
                ``BENCH_API_REPEATS`` requests, default 30), walking the cursor through one ICS's
                values (every profession and band group) and through England's
    csv         time to stream every metric value of one ICS (its whole subtree, every
                profession and band group) as CSV: rows, seconds, rows/s, and the peak Python
                memory while streaming (tracemalloc) for the ICS and for one of its places, which
                should be about the same (flat memory, whatever the number of rows)

Targets: page p95 under 200 ms; CSV at least 50,000 rows/s with flat memory. The figures that
count are PostgreSQL's (DATABASE_URL=postgres://...). The store is filled by bench_pages'
synthetic England figures if the metrics engine has not filled it.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
import tracemalloc

REPEATS = int(os.environ.get("BENCH_API_REPEATS", "30"))
ICS = os.environ.get("BENCH_API_ICS", "QF7")  # South Yorkshire and Bassetlaw


def _client():
    from django.conf import settings
    from django.utils import timezone
    from rest_framework.test import APIClient

    from councils.api_tokens import api_token_create
    from councils.models import Membership, Organisation, User

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "session": None},
    }
    england = Organisation.objects.get(code="ENG")
    user, _ = User.objects.get_or_create(email="bench.analyst@example.test")
    Membership.objects.get_or_create(user=user, organisation=england, role="analyst")
    _, secret = api_token_create(
        user=user, name="bench", expires_on=timezone.localdate() + dt.timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _pages(client, first_url: str, label: str, target: float = 100) -> tuple:
    times, rows = [], 0
    url = first_url
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += len(body["results"])
        url = body["next"] or first_url
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"{label:<44} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"({rows / len(times):.0f} rows/page)"
    )
    return (f"{label}, p95", f"<= {target:.0f} ms", f"{p95:.0f} ms", p95 <= target)


def _stream(client, params: dict) -> tuple[int, float]:
    start = time.perf_counter()
    response = client.get("/api/v1/metric-values/", params)
    assert response.status_code == 200 and response.streaming
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    return lines - 1, time.perf_counter() - start


def _csv(client, code: str, label: str) -> tuple:
    params = {
        "organisation": code,
        "subtree": "true",
        "profession": "*",
        "band_group": "*",
        "format": "csv",
    }
    rows, seconds = _stream(client, params)
    tracemalloc.start()
    _stream(client, params)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = rows / seconds if seconds else 0
    print(
        f"{label:<44} {rows:>9,} rows in {seconds:6.2f} s = {rate:>9,.0f} rows/s   "
        f"peak memory {peak / 2**20:5.1f} MiB"
    )
    return (
        f"{label} ({rows:,} rows, peak {peak / 2**20:.0f} MiB)",
        ">= 100,000 rows/s",
        f"{rate:,.0f} rows/s",
        rate >= 100_000,
    )


def main() -> list[tuple]:
    from django.db import connection

    from bench.bench_pages import _ensure_tree, _fill_store
    from councils.models import Organisation

    print(f"Database: {connection.vendor}")
    _ensure_tree()
    _fill_store()
    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum keeps them in use
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE councils_organisation")
            cursor.execute("ANALYZE dashboard_metricvalue")
    client = _client()
    ics = Organisation.objects.get(code=ICS)
    place = Organisation.objects.below(ics).filter(level="place").first()
    last = Organisation.objects.filter(level="provider").order_by("-pk").first()
    results = [
        _pages(
            client,
            f"/api/v1/metric-values/?organisation={ics.code}&subtree=true&profession=*"
            "&band_group=*&page_size=1000",
            f"1,000-row page, {ics.code} subtree",
        ),
        _pages(client, "/api/v1/metric-values/?page_size=1000", "1,000-row page, England"),
        _pages(
            client,
            f"/api/v1/metric-values/?organisation={last.code}&profession=*&band_group=*"
            "&page_size=1000",
            f"1,000-row page, last provider {last.code}",
        ),
        _pages(
            client,
            f"/api/v1/metric-values/?organisation={ics.code}&subtree=true&shape=wide"
            "&page_size=1000",
            f"1,000-row wide page, {ics.code} subtree",
            target=200,
        ),
        _csv(client, ics.code, f"CSV of every {ics.code} value"),
    ]
    if place is not None:
        results.append(_csv(client, place.code, f"CSV of every {place.code} value"))
    return results
