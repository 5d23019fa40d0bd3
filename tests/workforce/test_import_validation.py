"""Every validation rule of the importer: each bad cell is reported with row, column and reason,
the row number as the user sees it in the file (the header is row 1), and nothing is written."""

import pytest

from tests.workforce.conftest import csv_bytes, errors_of, good_row
from workforce.models import ImportRun, Spend, Staff


def preview(run_import, dataset, rows, **kwargs):
    return run_import(dataset, rows, commit=False, **kwargs)


def only_error(run):
    assert run.status == ImportRun.Status.REJECTED, errors_of(run)
    assert len(run.errors) == 1, errors_of(run)
    return errors_of(run)[0]


@pytest.fixture
def staff_in_db(run_import):
    run = run_import(
        "staff",
        [
            good_row("staff", staff_id="S0001", start_date="2024-03-15"),
            good_row(
                "staff",
                staff_id="S0002",
                end_date="2025-02-10",
                leaving_reason="Retirement",
            ),
        ],
    )
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)


def test_it_rejects_an_unknown_column(run_import):
    data = csv_bytes([dict(good_row("spend"), colour="blue")])
    row, column, reason = only_error(run_import("spend", data=data, commit=False))
    assert (row, column) == (1, "colour")
    assert "Unknown column 'colour'" in reason


def test_it_rejects_a_missing_required_column(run_import):
    rows = [good_row("spend")]
    columns = [c for c in rows[0] if c != "bank_spend"]
    run = run_import("spend", data=csv_bytes(rows, columns), commit=False)
    assert only_error(run) == (1, "bank_spend", "Required column 'bank_spend' is missing")


def test_optional_columns_may_be_left_out(run_import):
    rows = [good_row("staff")]
    columns = [c for c in rows[0] if c not in ("end_date", "leaving_reason")]
    run = run_import("staff", data=csv_bytes(rows, columns), commit=False)
    assert run.status == ImportRun.Status.VALIDATED, errors_of(run)


def test_it_rejects_a_column_given_twice(run_import):
    row = good_row("spend")
    data = csv_bytes([row], [*row, "month"])
    assert only_error(run_import("spend", data=data, commit=False))[1] == "month"


def test_it_rejects_a_blank_required_value(run_import):
    run = preview(run_import, "staff", [good_row("staff", band="")])
    assert only_error(run) == (2, "band", "band is blank")


@pytest.mark.parametrize("bad", ["01/04/2020", "2020-4-1", "2020-02-30", "yesterday"])
def test_it_rejects_a_bad_date(run_import, bad):
    run = preview(
        run_import, "staff", [good_row("staff"), good_row("staff", staff_id="S2", start_date=bad)]
    )
    row, column, reason = only_error(run)
    assert (row, column) == (3, "start_date")
    assert bad in reason


@pytest.mark.parametrize("month", ["2025-06", "2025-06-01"])
def test_a_month_is_yyyy_mm_or_the_first_of_the_month(run_import, month):
    run = preview(run_import, "spend", [good_row("spend", month=month)])
    assert run.status == ImportRun.Status.VALIDATED, errors_of(run)


@pytest.mark.parametrize(
    "month, words",
    [
        ("2025-06-15", "first day of the month"),
        ("June 2025", "not a month"),
        ("2025-13", "not a real month"),
        ("2999-01", "in the future"),
    ],
)
def test_it_rejects_a_bad_month(run_import, month, words):
    row, column, reason = only_error(preview(run_import, "spend", [good_row("spend", month=month)]))
    assert (row, column) == (2, "month")
    assert words in reason


def test_it_rejects_an_unknown_profession(run_import):
    run = preview(run_import, "staff", [good_row("staff", profession="herbalist")])
    row, column, reason = only_error(run)
    assert (row, column) == (2, "profession")
    assert "'herbalist' is not a profession code" in reason


def test_codes_are_case_insensitive_and_bands_may_say_band(run_import):
    row = good_row(
        "staff",
        profession="Physiotherapist",
        band="Band 8A",
        contract="Permanent",
        apprentice="no",
        job_plan="yes",
    )
    run = run_import("staff", [row])
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    assert Staff.objects.get().band == "8a"


def test_it_rejects_an_unknown_band(run_import):
    run = preview(run_import, "establishment", [good_row("establishment", band="10")])
    row, column, reason = only_error(run)
    assert (row, column) == (2, "band")
    assert "'10' is not a band" in reason


@pytest.mark.parametrize("fte", ["0", "-0.5", "1.6", "abc"])
def test_it_rejects_fte_out_of_range(run_import, fte):
    row, column, reason = only_error(preview(run_import, "staff", [good_row("staff", fte=fte)]))
    assert (row, column) == (2, "fte")


@pytest.mark.parametrize("fte", ["0.01", "1", "1.5"])
def test_fte_from_just_above_zero_to_one_and_a_half_is_accepted(run_import, fte):
    assert preview(run_import, "staff", [good_row("staff", fte=fte)]).status == "validated"


def test_it_rejects_more_than_two_decimal_places(run_import):
    run = preview(run_import, "staff", [good_row("staff", fte="0.805")])
    assert only_error(run) == (2, "fte", "fte has more than 2 decimal places")


def test_it_rejects_a_value_not_in_the_choices(run_import):
    run = preview(run_import, "staff", [good_row("staff", contract="zero_hours")])
    row, column, reason = only_error(run)
    assert (row, column) == (2, "contract")
    assert "permanent, fixed_term, bank" in reason


@pytest.mark.parametrize("flag", ["maybe", "1", "T"])
def test_it_rejects_a_flag_that_is_not_y_or_n(run_import, flag):
    run = preview(run_import, "staff", [good_row("staff", e_rostered=flag)])
    assert only_error(run) == (2, "e_rostered", f"'{flag}' is not Y or N")


@pytest.mark.parametrize("count", ["-1", "2.5", "many"])
def test_it_rejects_a_count_that_is_not_a_whole_number_zero_or_more(run_import, count):
    run = preview(run_import, "activity", [good_row("activity", contacts=count)])
    assert only_error(run) == (2, "contacts", f"'{count}' is not a whole number 0 or more")


def test_it_rejects_an_end_date_before_the_start_date(run_import):
    row = good_row("staff", start_date="2022-05-01", end_date="2022-04-30", leaving_reason="Moved")
    assert only_error(preview(run_import, "staff", [row])) == (
        2,
        "end_date",
        "end_date is before start_date",
    )


def test_it_rejects_a_leaving_reason_without_an_end_date(run_import):
    run = preview(run_import, "staff", [good_row("staff", leaving_reason="Retirement")])
    assert only_error(run)[:2] == (2, "leaving_reason")


def test_it_refuses_a_staff_id_that_looks_like_an_nhs_number(run_import):
    run = preview(run_import, "staff", [good_row("staff", staff_id="9434765919")])
    row, column, reason = only_error(run)
    assert (row, column) == (2, "staff_id")
    assert "NHS number" in reason


def test_it_rejects_duplicate_keys_within_the_file(run_import):
    rows = [good_row("staff"), good_row("staff", staff_id="S0002"), good_row("staff", band="7")]
    run = preview(run_import, "staff", rows)
    assert only_error(run) == (4, "staff_id", "Duplicates row 2 (same provider_code, staff_id)")


def test_the_same_key_at_two_providers_is_not_a_duplicate(run_import):
    rows = [good_row("staff"), good_row("staff", provider_code="RXE")]
    assert preview(run_import, "staff", rows).rows_added == 2


def test_unknown_and_out_of_scope_providers_get_the_same_message(run_import):
    rows = [good_row("spend", provider_code="RR8"), good_row("spend", provider_code="ZZZ")]
    run = preview(run_import, "spend", rows)
    (_, _, out_of_scope), (_, _, unknown) = errors_of(run)
    assert out_of_scope.replace("RR8", "X") == unknown.replace("ZZZ", "X")
    assert "is not a provider you can import for" in unknown


def test_a_provider_import_cannot_carry_rows_for_its_sibling(run_import):
    run = preview(run_import, "spend", [good_row("spend", provider_code="RXE")], org="RP5")
    assert only_error(run)[:2] == (2, "provider_code")


def test_staff_month_rows_need_the_staff_record(run_import, staff_in_db):
    run = preview(run_import, "staff_month", [good_row("staff_month", staff_id="S9999")])
    row, column, reason = only_error(run)
    assert (row, column) == (2, "staff_id")
    assert "No staff record 'S9999'" in reason and "import the staff file first" in reason


def test_staff_month_rows_must_fall_within_employment(run_import, staff_in_db):
    rows = [
        good_row("staff_month", staff_id="S0001", month="2024-02"),  # started 2024-03-15
        good_row("staff_month", staff_id="S0001", month="2024-03"),
        good_row("staff_month", staff_id="S0002", month="2025-02"),  # left 2025-02-10
        good_row("staff_month", staff_id="S0002", month="2025-03"),
    ]
    run = preview(run_import, "staff_month", rows)
    assert [(r, c) for r, c, _ in errors_of(run)] == [(2, "month"), (5, "month")]


@pytest.mark.parametrize("pct", ["-1", "100.5"])
def test_it_rejects_a_percentage_outside_0_to_100(run_import, staff_in_db, pct):
    run = preview(run_import, "staff_month", [good_row("staff_month", mandatory_training_pct=pct)])
    assert only_error(run)[:2] == (2, "mandatory_training_pct")


def test_a_blank_percentage_is_allowed(run_import, staff_in_db):
    run = preview(run_import, "staff_month", [good_row("staff_month", mandatory_training_pct="")])
    assert run.status == ImportRun.Status.VALIDATED, errors_of(run)


def test_it_rejects_more_sickness_than_days_available(run_import, staff_in_db):
    row = good_row("staff_month", sickness_days_lost="20", days_available="17.6")
    assert only_error(preview(run_import, "staff_month", [row]))[:2] == (2, "sickness_days_lost")


@pytest.mark.parametrize("score", ["-0.1", "10.5"])
def test_it_rejects_an_engagement_score_outside_0_to_10(run_import, score):
    run = preview(run_import, "staff_survey", [good_row("staff_survey", engagement_score=score)])
    assert only_error(run)[:2] == (2, "engagement_score")


def test_it_rejects_more_recommending_than_respondents(run_import):
    row = good_row("staff_survey", respondents="10", recommend_workplace="11")
    assert only_error(preview(run_import, "staff_survey", [row]))[:2] == (2, "recommend_workplace")


@pytest.mark.parametrize("year", ["1999", "3000", "25"])
def test_it_rejects_a_survey_year_out_of_range(run_import, year):
    assert (
        only_error(preview(run_import, "staff_survey", [good_row("staff_survey", year=year)]))[1]
        == "year"
    )


@pytest.mark.parametrize(
    "changes, column",
    [
        ({"fft_positive": "113"}, "fft_positive"),
        ({"prom_improved": "59"}, "prom_improved"),
        ({"waiting_over_18w": "431"}, "waiting_over_18w"),
    ],
)
def test_it_rejects_a_part_larger_than_its_whole(run_import, changes, column):
    run = preview(run_import, "activity", [good_row("activity", **changes)])
    assert only_error(run)[:2] == (2, column)


def test_it_rejects_a_row_with_more_cells_than_the_header(run_import):
    data = csv_bytes([good_row("spend")]) + b"RP5,2025-05,1,2,3,surplus\r\n"
    row, column, reason = only_error(run_import("spend", data=data, commit=False))
    assert row == 3 and "6 cells" in reason


def test_every_bad_row_is_reported_and_nothing_is_written(run_import):
    rows = [good_row("spend", month=f"2024-{m:02d}") for m in range(1, 13)]
    rows[2]["pay_bill"] = "lots"
    rows[7]["provider_code"] = "RAL"
    rows[7]["agency_spend"] = "-5"
    run = run_import("spend", rows, commit=True)
    assert run.status == ImportRun.Status.REJECTED
    assert [(r, c) for r, c, _ in errors_of(run)] == [
        (4, "pay_bill"),
        (9, "provider_code"),
        (9, "agency_spend"),
    ]
    assert run.error_count == 3 and run.rows_total == 12
    assert Spend.objects.count() == 0


def test_blank_lines_and_comment_rows_are_skipped(run_import):
    data = csv_bytes([good_row("spend")]) + b"\r\n# a note\r\n,,,,\r\n"
    run = run_import("spend", data=data, commit=False)
    assert run.status == ImportRun.Status.VALIDATED and run.rows_total == 1


def test_unknown_dataset_is_refused(run_import):
    with pytest.raises(ValueError, match="Unknown dataset"):
        run_import("payroll", [good_row("spend")])
