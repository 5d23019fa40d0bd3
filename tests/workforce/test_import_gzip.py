"""Gzip-compressed CSV uploads (name.csv.gz): read as they are decompressed, refused in words when
damaged or when they expand past WORKFORCE_MAX_UNCOMPRESSED_BYTES."""

import gzip

from tests.workforce.conftest import csv_bytes, errors_of, good_row
from workforce.models import ImportRun, Staff


def test_a_gzip_compressed_csv_is_read_as_the_csv_it_holds(run_import):
    rows = [good_row("staff"), good_row("staff", staff_id="S0002")]
    run = run_import("staff", data=gzip.compress(csv_bytes(rows)), name="staff.csv.gz")
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    assert run.rows_added == 2
    assert set(Staff.objects.values_list("staff_id", flat=True)) == {
        good_row("staff")["staff_id"],
        "S0002",
    }


def test_a_damaged_gzip_file_is_refused_in_words(run_import):
    data = gzip.compress(csv_bytes([good_row("staff")]))[:-12]
    run = run_import("staff", data=data, name="staff.csv.gz")
    assert run.status == ImportRun.Status.REJECTED
    assert "cannot be decompressed" in run.errors[0]["reason"]
    assert not Staff.objects.exists()


def test_a_gzip_file_expanding_past_the_limit_is_refused(run_import, settings):
    settings.WORKFORCE_MAX_UNCOMPRESSED_BYTES = 1000
    rows = [good_row("staff", staff_id=f"S{n:04d}") for n in range(1, 200)]
    run = run_import("staff", data=gzip.compress(csv_bytes(rows)), name="staff.csv.gz")
    assert run.status == ImportRun.Status.REJECTED
    assert "expands to more than" in run.errors[0]["reason"]
    assert not Staff.objects.exists()
