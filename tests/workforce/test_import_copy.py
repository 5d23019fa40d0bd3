"""The PostgreSQL commit (COPY into a staging table, set-based upsert and corrections trail,
workforce.import_copy) and the Python one (chunks through bulk_create/bulk_update, the path on
SQLite) give the same result for the same files: the same stored rows, runs, counts, touched
months, problems and corrections, in the same order. Each sequence of imports runs once per
path on the same database, the first rolled back before the second."""

import pytest
from django.db import connection, transaction

from tests.workforce.conftest import NEW_STAFF_COLUMNS, good_row
from workforce import import_copy
from workforce.datasets import DATASETS
from workforce.models import ImportCorrection, ImportRun, ImportRunProvider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the staged path is PostgreSQL's")


def staff(staff_id, provider="RP5", **changes):
    return good_row("staff", provider_code=provider, staff_id=staff_id, **changes)


def month(staff_id, when, provider="RP5", **changes):
    return good_row("staff_month", provider_code=provider, staff_id=staff_id, month=when, **changes)


STAFF = [
    staff("A", band="5"),
    staff("B", contract="bank"),
    staff("C", end_date="2025-08-31", leaving_reason="Retirement"),
    staff("D", provider="RXE", **NEW_STAFF_COLUMNS),
    staff("E", provider="RHQ", fte="1", start_date="2024-11-15"),
]
MONTHS = [
    month("A", "2025-05"),
    month("A", "2025-06", mandatory_training_pct=""),
    month("B", "2025-06", sickness_days_lost="0"),
    month("C", "2025-07"),
    month("D", "2025-06", provider="RXE"),
    month("E", "2025-06", provider="RHQ", days_available="20"),
]
OTHERS = [
    ("establishment", [good_row("establishment"), good_row("establishment", band="7")]),
    ("activity", [good_row("activity"), good_row("activity", provider_code="RHQ")]),
    ("spend", [good_row("spend"), good_row("spend", month="2025-07")]),
    ("staff_survey", [good_row("staff_survey"), good_row("staff_survey", year="2025")]),
    ("placements", [good_row("placements")]),
]
FIRST = [("staff", STAFF), ("staff_month", MONTHS), *OTHERS]

STAFF_CHANGED = [
    staff("A", band="6"),  # a change the figures read
    staff("B", contract="permanent"),  # bank no more: counts from now on
    staff("C", end_date="2025-08-31", leaving_reason="Promotion"),  # a change no figure reads
    staff("D", provider="RXE", **dict(NEW_STAFF_COLUMNS, dcc_sessions="6.50")),  # the same
    staff("E", provider="RHQ", fte="1.00", end_date="2025-09-30"),
    staff("F", provider="RHQ"),  # new
]
MONTHS_CHANGED = [
    month("A", "2025-05", sickness_days_lost="1.50"),  # the same number
    month("A", "2025-06", mandatory_training_pct="80"),  # was blank
    month("B", "2025-06", sickness_days_lost="2", appraised_12m="N"),
    month("C", "2025-07", mandatory_training_pct=""),  # now blank
    month("E", "2025-07", provider="RHQ"),  # new
]
CHANGED = [
    ("staff", STAFF_CHANGED),
    ("staff_month", MONTHS_CHANGED),
    ("establishment", [good_row("establishment", funded_fte="24.60"), good_row("establishment")]),
    ("activity", [good_row("activity", contacts="1300", dna="0")]),
    ("spend", [good_row("spend", bank_spend="61250.00"), good_row("spend", month="2025-08")]),
    ("staff_survey", [good_row("staff_survey", engagement_score="7")]),
    ("placements", [good_row("placements", filled="0")]),
]


def _snapshot(runs: list[ImportRun]) -> dict:
    """Everything an import leaves, without database ids (a staff-month row and its
    correction name the person by provider and staff_id)."""
    from workforce.models import Staff

    person = {
        pk: (p, code) for pk, p, code in Staff.objects.values_list("pk", "provider_id", "staff_id")
    }
    stored = {}
    for code, spec in DATASETS.items():
        fields = list(dict.fromkeys(("provider_id", *spec.db_key, *spec.value_fields)))
        rows = [
            tuple(
                person[v] if f == "staff_id" and code == "staff_month" else v
                for f, v in zip(fields, row, strict=True)
            )
            for row in spec.model.objects.values_list(*fields)
        ]
        stored[code] = sorted(rows, key=repr)
    trail = []
    for c in ImportCorrection.objects.filter(run__in=runs).order_by("run_id", "pk"):
        key = dict(c.row_key)
        if c.run.dataset == "staff_month":
            key["staff_id"] = person[key["staff_id"]]
        trail.append((runs.index(c.run), c.provider_id, key, c.old, c.new))
    shares = [
        (runs.index(s.run), s.provider_id, s.rows_added, s.rows_updated, s.rows_unchanged)
        for s in ImportRunProvider.objects.filter(run__in=runs).order_by("run_id", "provider_id")
    ]
    summary = [
        (
            r.dataset,
            r.status,
            r.rows_total,
            r.rows_added,
            r.rows_updated,
            r.rows_unchanged,
            r.rows_written,
            r.error_count,
            r.errors,
            r.touched,
            r.recompute_id is not None,
        )
        for r in runs
    ]
    return {"stored": stored, "trail": trail, "shares": shares, "runs": summary}


class _Rollback(Exception):
    pass


def _both_paths(run_import, monkeypatch, imports, *, before=()):
    """Run ``before`` then ``imports`` once through each path; their snapshots, and how many
    times the staged path wrote."""
    writes = {"n": 0}
    original = import_copy.Stage.write

    def counted(self, *args):
        writes["n"] += 1
        return original(self, *args)

    monkeypatch.setattr(import_copy.Stage, "write", counted)
    snapshots = {}
    for staged in (False, True):
        monkeypatch.setattr(import_copy, "USE_COPY", staged)
        try:
            with transaction.atomic():
                for dataset, rows in before:
                    assert run_import(dataset, rows).status == ImportRun.Status.COMMITTED
                runs = [run_import(dataset, rows) for dataset, rows in imports]
                snapshots[staged] = _snapshot(runs)
                raise _Rollback
        except _Rollback:
            pass
    return snapshots[False], snapshots[True], writes["n"]


def test_a_first_import_of_every_dataset_is_the_same_both_ways(run_import, monkeypatch):
    python, staged, writes = _both_paths(run_import, monkeypatch, FIRST)
    assert writes >= len(FIRST)  # the staged path did the writing
    assert staged == python
    assert all(run[1] == ImportRun.Status.COMMITTED for run in staged["runs"])
    assert staged["trail"] == []  # every row was new
    assert len(staged["stored"]["staff_month"]) == len(MONTHS)


def test_a_reimport_of_changed_values_writes_the_same_rows_and_trail(run_import, monkeypatch):
    python, staged, _ = _both_paths(run_import, monkeypatch, CHANGED, before=FIRST)
    assert staged == python
    by_run = {}
    for run, _provider, key, old, new in staged["trail"]:
        by_run.setdefault(staged["runs"][run][0], []).append((key, old, new))
    assert by_run["staff"][0] == ({"staff_id": "A"}, {"band": "5"}, {"band": "6"})
    assert (
        {"staff_id": "C"},
        {"leaving_reason": "Retirement"},
        {"leaving_reason": "Promotion"},
    ) in by_run["staff"]
    assert len(by_run["staff"]) == 4  # A, B, C and E changed; D the same; F new
    months = [(key["month"], old, new) for key, old, new in by_run["staff_month"]]
    assert months == [
        ("2025-06-01", {"mandatory_training_pct": None}, {"mandatory_training_pct": "80.00"}),
        (
            "2025-06-01",
            {"sickness_days_lost": "0.00", "appraised_12m": True},
            {"sickness_days_lost": "2.00", "appraised_12m": False},
        ),
        ("2025-07-01", {"mandatory_training_pct": "92.50"}, {"mandatory_training_pct": None}),
    ]
    assert "establishment" not in by_run and "spend" not in by_run  # the same numbers
    staff_run = staged["runs"][0]
    assert staff_run[3:6] == (1, 4, 1)  # added, updated, unchanged


def test_an_unchanged_reimport_writes_nothing_and_no_corrections(run_import, monkeypatch):
    python, staged, _ = _both_paths(run_import, monkeypatch, FIRST, before=FIRST)
    assert staged == python
    assert staged["trail"] == []
    for run in staged["runs"]:
        assert run[3:7] == (0, 0, run[2], 0)  # nothing added, updated or written
        assert run[9]["provider_ids"] == [] and run[10] is False  # no recompute


def test_a_file_with_a_bad_row_writes_nothing_and_says_the_same(run_import, monkeypatch):
    bad_staff = [*STAFF_CHANGED, staff("G", fte="2"), staff("A", band="7")]
    bad_months = [*MONTHS_CHANGED, month("Z", "2025-06"), month("A", "2025-06")]
    python, staged, writes = _both_paths(
        run_import, monkeypatch, [("staff", bad_staff), ("staff_month", bad_months)], before=FIRST
    )
    assert writes == len(FIRST)  # only the imports before: the bad files were not written
    assert staged == python
    staff_run, month_run = staged["runs"]
    assert staff_run[1] == month_run[1] == ImportRun.Status.REJECTED
    assert [(e["row"], e["column"]) for e in staff_run[8]] == [(8, "fte"), (9, "staff_id")]
    assert "Duplicates row 2" in staff_run[8][1]["reason"]
    assert [(e["row"], e["column"]) for e in month_run[8]] == [(7, "staff_id"), (8, "month")]
    assert staged["trail"] == [] and staged["shares"] == []
