"""A recompute run says what it covers in its own field (``scope``), not in its note."""

import datetime as dt
import importlib
from unittest import mock

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from dashboard import services
from dashboard.models import RecomputeRun
from tests.dashboard.conftest import MARCH

migration = importlib.import_module("dashboard.migrations.0006_recompute_run_scope")


def test_a_request_for_every_provider_is_scoped_all_and_one_for_some_is_not(tree):
    with mock.patch.object(services, "enqueue"):
        every = services.request_recompute(provider_ids=None, months=[MARCH])
        some = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
    assert every.scope == RecomputeRun.Scope.ALL and every.covers_every_provider
    assert every.organisation == tree["ENG"] and every.note == ""
    assert some.scope == RecomputeRun.Scope.PROVIDERS and not some.covers_every_provider
    assert some.organisation == tree["RP5"]


def test_the_nightly_run_covers_every_provider(workforce, tree):
    run = services.recompute_all()
    assert run.scope == RecomputeRun.Scope.ALL
    assert run.status == RecomputeRun.Status.SUCCEEDED


def test_a_run_taken_over_from_a_lost_worker_keeps_its_scope(workforce, tree):
    lost = RecomputeRun.objects.create(
        organisation=tree["ENG"],
        kind=RecomputeRun.Kind.ON_DEMAND,
        scope=RecomputeRun.Scope.ALL,
        status=RecomputeRun.Status.RUNNING,
        attempts=1,
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    (redone,) = services.run_pending()
    assert redone.pk == lost.pk and redone.attempts == 2
    assert redone.scope == RecomputeRun.Scope.ALL
    assert redone.status == RecomputeRun.Status.SUCCEEDED


def test_the_progress_page_reads_the_scope_field(tree, client_for):
    client = client_for(is_superuser=True)
    every = RecomputeRun.objects.create(
        organisation=tree["ENG"], kind=RecomputeRun.Kind.ON_DEMAND, scope=RecomputeRun.Scope.ALL
    )
    none_listed = RecomputeRun.objects.create(
        organisation=tree["QF7"], kind=RecomputeRun.Kind.ON_DEMAND, provider_ids=[]
    )

    def covers(org, run):
        url = reverse("dashboard:run_status", kwargs={"code": org.code, "pk": run.pk})
        return client.get(url).content.decode()

    assert "Every provider" in covers(tree["ENG"], every)
    text = covers(tree["QF7"], none_listed)
    assert "Every provider" not in text and "0 providers below" in text


def test_the_migration_reads_the_old_note_into_the_scope_and_back(tree):
    old_all = RecomputeRun.objects.create(
        organisation=tree["ENG"], kind=RecomputeRun.Kind.ON_DEMAND, note="All providers"
    )
    old_full = RecomputeRun.objects.create(organisation=tree["ENG"], kind=RecomputeRun.Kind.FULL)
    old_some = RecomputeRun.objects.create(
        organisation=tree["RP5"],
        kind=RecomputeRun.Kind.INCREMENTAL,
        provider_ids=[tree["RP5"].pk],
        note="Covered by full run 1",
    )
    migration.scope_from_note(apps, None)
    for run in (old_all, old_full, old_some):
        run.refresh_from_db()
    assert (old_all.scope, old_all.note) == ("all", "")
    assert (old_full.scope, old_full.note) == ("all", "")
    assert (old_some.scope, old_some.note) == ("providers", "Covered by full run 1")
    migration.note_from_scope(apps, None)
    old_all.refresh_from_db()
    old_some.refresh_from_db()
    assert old_all.note == "All providers"
    assert old_some.note == "Covered by full run 1"
