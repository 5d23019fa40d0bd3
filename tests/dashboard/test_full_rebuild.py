"""The full recompute on PostgreSQL builds a new store table and swaps it in: the figures are the
same as writing into the live table, the table keeps every key, index and foreign key the
migrations made (under the same names), and a failure leaves the old table as it was."""

import datetime as dt
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction

from councils.models import Organisation
from dashboard import compute, compute_datasets, compute_months, services
from dashboard.models import MetricValue, RecomputeRun
from tests.dashboard.conftest import MARCH, store_snapshot

FEBRUARY = dt.date(2025, 2, 1)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the table swap is PostgreSQL's full run"
)


@pytest.fixture
def two_months(workforce, tree, data):
    data.activity(tree["RP5"], FEBRUARY, contacts=100, dna=25)
    data.staff(tree["RR8"], band="5", start=dt.date(2023, 1, 1), job_plan=True)
    return workforce


def _schema():
    with connection.cursor() as cursor:
        return compute._schema_of(cursor, MetricValue._meta.db_table)


def _tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def test_the_store_has_a_database_foreign_key_to_the_organisation(db):
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, MetricValue._meta.db_table)
    assert any(
        c["foreign_key"] == ("councils_organisation", "id") and c["columns"] == ["organisation_id"]
        for c in found.values()
    )


@postgresql_only
def test_a_full_run_swaps_in_the_same_figures_with_the_same_schema(two_months):
    # the figures written row by row into the live table (an incremental run over everything)
    services.recompute(run=services.request_recompute(provider_ids=None, months=None))
    written_in_place = store_snapshot()
    schema = _schema()
    assert {kind for _, kind, _ in schema[0]} == {"p", "u", "f"}
    assert len(schema[1]) == 3  # the three composite indexes

    run = services.recompute_all()

    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    assert run.rows == MetricValue.objects.count()
    assert store_snapshot() == written_in_place
    assert _schema() == schema  # names, definitions and the id sequence
    assert compute.NEXT not in _tables()
    # and the table still works as Django expects: new ids, the unique key, the foreign key
    services.recompute(run=services.request_recompute(provider_ids=None, months=[MARCH]))
    assert store_snapshot() == written_in_place
    row = MetricValue.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricValue.objects.create(
            organisation_id=row.organisation_id,
            month=row.month,
            metric=row.metric,
            profession=row.profession,
            band_group=row.band_group,
            computed_at=row.computed_at,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        MetricValue.objects.create(
            organisation_id=10**9, month=MARCH, metric="dna_rate", computed_at=row.computed_at
        )


@postgresql_only
def test_a_full_run_that_fails_leaves_the_old_table_and_figures(two_months, settings):
    settings.RECOMPUTE_MAX_ATTEMPTS = 1  # failed at once, not queued to be tried again
    services.recompute_all()
    before, schema = store_snapshot(), _schema()
    broken = compute_datasets.Dataset(
        name="broken",
        base="SELECT no_such_column FROM councils_organisation",
        columns=(),
        by_profession=False,
        by_band_group=False,
        parts=(),
    )
    with mock.patch.object(compute, "DATASETS", (*compute.DATASETS, broken)):
        run = services.recompute_all()

    assert run.status == RecomputeRun.Status.FAILED
    assert run.error.startswith("ProgrammingError")
    assert store_snapshot() == before
    assert _schema() == schema
    assert compute.NEXT not in _tables()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_pages_read_the_old_figures_while_a_full_run_builds_the_new_table(two_months, tree, data):
    import threading

    services.recompute_all()
    before = store_snapshot()
    data.activity(tree["RXE"], MARCH, contacts=40, dna=10)  # the next run changes figures
    seen, errors = [], []
    building = threading.Event()
    real_figures_sql = compute.figures_sql

    def reader():
        try:
            building.wait(30)
            seen.append(store_snapshot())  # another connection, mid-run: must not block
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def figures_sql(dataset, *args, **kwargs):
        if dataset is compute.DATASETS[-1]:
            building.set()
            thread.join(30)
        return real_figures_sql(dataset, *args, **kwargs)

    thread = threading.Thread(target=reader)
    thread.start()
    with mock.patch.object(compute, "figures_sql", figures_sql):
        run = services.recompute_all()
    thread.join(30)
    assert errors == []
    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    assert seen == [before]
    assert store_snapshot() != before


def test_a_national_file_takes_the_full_rebuild_path_and_writes_the_same_figures(two_months):
    """An import's run that changed every provider's every month (a national file) rebuilds the
    store whole (on PostgreSQL the swap); one provider short of that is replaced in place."""
    services.recompute(run=services.request_recompute(provider_ids=None, months=None))
    in_place = store_snapshot()
    months = compute_months.months_with_data()
    providers = list(Organisation.objects.filter(level="provider").values_list("pk", flat=True))
    every = dict.fromkeys(providers, months)
    swaps = 1 if connection.vendor == "postgresql" else 0
    for provider_months, swapped in ((every, swaps), (dict(list(every.items())[1:]), 0)):
        with mock.patch.object(
            compute, "_rebuild_and_swap", wraps=compute._rebuild_and_swap
        ) as spy:
            run = services.recompute(
                run=services.request_recompute(
                    provider_ids=list(provider_months),
                    months=months,
                    provider_months=provider_months,
                )
            )
        assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
        assert spy.call_count == swapped
        assert store_snapshot() == in_place
