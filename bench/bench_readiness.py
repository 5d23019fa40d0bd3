"""Readiness toolkits at England scale: opening a cycle, chair pages and exports.

A chair of England opens the employer toolkit for every provider (set-based inserts), half the
answers are filled, the submissions are signed off (next steps become actions), and then each
page is requested ``BENCH_PAGE_REPEATS`` times (default 10) in-process:

    p50 / p95   server time per request (ms)
    queries     SQL statements per request (constant whatever the number of providers)

Everything runs inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

REPEATS = int(os.environ.get("BENCH_PAGE_REPEATS", "10"))


class _Rollback(Exception):
    pass


def _measure(client, url: str) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times, queries, status = [], 0, 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries, status


def main() -> None:
    from django.db import connection, transaction
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from councils.models import Membership, Organisation, User
    from readiness import services
    from readiness.models import Answer, Section, Status, Submission, Transition
    from workforce.synthetic_tree import ensure_england_providers

    ensure_england_providers()
    try:
        with transaction.atomic():
            england = Organisation.objects.get(level="england")
            chair = User.objects.create_user("bench.readiness@example.invalid", "x")
            Membership.objects.create(user=chair, organisation=england, role="chair")
            section = Section.objects.filter(
                template__code="support_workforce", code="employer"
            ).order_by("-template__version")[0]
            start = time.perf_counter()
            cycle = services.cycle_open(
                actor=chair,
                organisation=england,
                section=section,
                name="Bench",
                due_date=timezone.localdate() + dt.timedelta(days=30),
            )
            opened_ms = (time.perf_counter() - start) * 1000
            subs = Submission.objects.filter(cycle=cycle)
            n = subs.count()
            answers = Answer.objects.filter(submission__cycle=cycle)
            answers.filter(Q(question__position__lte=10)).update(
                yes_no="Y", response="Bench response", next_steps="Bench next step"
            )
            answers.filter(question__position__gt=10).update(yes_no="N")
            now = timezone.now()
            half = list(subs.values_list("pk", flat=True)[: n // 2])
            Submission.objects.filter(pk__in=half).update(
                status=Status.SIGNED_OFF, submitted_at=now, signed_off_at=now
            )
            Transition.objects.bulk_create(
                Transition(
                    submission_id=pk,
                    action="signed_off",
                    from_status="submitted",
                    to_status="signed_off",
                    actor=chair,
                )
                for pk in half
            )
            start = time.perf_counter()
            for sub in Submission.objects.filter(pk__in=half):
                services.actions_from_next_steps(submission=sub)
            actions_ms = (time.perf_counter() - start) * 1000
            print(
                f"Database: {connection.vendor}; providers: {n}; answers: {answers.count():,}; "
                f"cycle opened in {opened_ms:.0f} ms; actions for {len(half)} sign-offs in "
                f"{actions_ms:.0f} ms"
            )
            client = Client()
            client.force_login(chair)
            one = subs.first()
            pages = [
                ("readiness home", reverse("readiness:home")),
                ("cycle progress", reverse("readiness:cycle", args=[cycle.pk])),
                ("heat map", reverse("readiness:heatmap", args=[cycle.pk])),
                ("action plan (first 500)", reverse("readiness:action_plan", args=["ENG"])),
                ("submission", reverse("readiness:submission", args=[one.pk])),
                ("cycle CSV", reverse("readiness:cycle_export", args=[cycle.pk, "csv"])),
                ("cycle XLSX", reverse("readiness:cycle_export", args=[cycle.pk, "xlsx"])),
                (
                    "action plan CSV",
                    reverse("readiness:action_plan_export", args=["ENG", "csv"]),
                ),
                (
                    "action plan XLSX",
                    reverse("readiness:action_plan_export", args=["ENG", "xlsx"]),
                ),
            ]
            print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}  status")
            with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
                for label, url in pages:
                    p50, p95, queries, status = _measure(client, url)
                    print(f"{label:<28} {p50:>8.0f} {p95:>8.0f} {queries:>8}  {status}")
            raise _Rollback
    except _Rollback:
        print("Rolled back: the database is unchanged.")
