"""Helpers for import tests: build CSV/XLSX files from rows, and good rows for each dataset."""

import io

import pytest

from workforce import services

GOOD_STAFF = {
    "provider_code": "RP5",
    "staff_id": "S0001",
    "profession": "physiotherapist",
    "band": "6",
    "fte": "0.8",
    "contract": "permanent",
    "start_date": "2020-04-01",
    "end_date": "",
    "leaving_reason": "",
    "ethnic_group": "white",
    "disability": "no",
    "apprentice": "N",
    "advanced_practice": "N",
    "return_to_practice": "N",
    "job_plan": "Y",
    "e_rostered": "Y",
}

GOOD = {
    "staff": GOOD_STAFF,
    "staff_month": {
        "provider_code": "RP5",
        "staff_id": "S0001",
        "month": "2025-06",
        "sickness_days_lost": "1.5",
        "days_available": "17.6",
        "appraised_12m": "Y",
        "mandatory_training_pct": "92.5",
    },
    "establishment": {
        "provider_code": "RP5",
        "profession": "physiotherapist",
        "band": "6",
        "month": "2025-06",
        "funded_fte": "24.6",
    },
    "activity": {
        "provider_code": "RP5",
        "profession": "podiatrist",
        "month": "2025-06",
        "contacts": "1250",
        "clinical_hours": "980.5",
        "dna": "61",
        "waiting_total": "430",
        "waiting_over_18w": "37",
        "fft_responses": "112",
        "fft_positive": "104",
        "prom_completed": "58",
        "prom_improved": "41",
    },
    "spend": {
        "provider_code": "RP5",
        "month": "2025-06",
        "pay_bill": "1843200.00",
        "bank_spend": "61250",
        "agency_spend": "48900.5",
    },
    "staff_survey": {
        "provider_code": "RP5",
        "year": "2024",
        "respondents": "412",
        "engagement_score": "6.9",
        "recommend_workplace": "261",
    },
    "placements": {
        "provider_code": "RP5",
        "profession": "physiotherapist",
        "quarter": "2025-04",
        "offered": "24",
        "requested": "30",
        "filled": "21",
    },
}
# The staff columns added by issue 19 (optional: GOOD_STAFF is a file made before them).
NEW_STAFF_COLUMNS = {
    "age_band": "55_64",
    "sex": "female",
    "apprenticeship_level": "",
    "qualification_level": "6",
    "dcc_sessions": "6.5",
}


def good_row(dataset, **changes):
    row = dict(GOOD[dataset])
    row.update(changes)
    return row


def csv_bytes(rows, columns=None, delimiter=",", bom=False):
    columns = columns or list(rows[0])
    lines = [delimiter.join(columns)]
    for row in rows:
        lines.append(delimiter.join(str(row.get(c, "")) for c in columns))
    text = "\r\n".join(lines) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows, columns=None):
    import openpyxl

    columns = columns or list(rows[0])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def run_import(tree):
    """``run_import("staff", rows, commit=True, org="QF7", user=None)`` -> ImportRun."""

    def do(dataset, rows=None, *, data=None, commit=True, org="QF7", user=None, name=None):
        payload = data if data is not None else csv_bytes(rows)
        return services.import_file(
            dataset=dataset,
            fileobj=io.BytesIO(payload),
            file_name=name or f"{dataset}.csv",
            organisation=tree[org],
            user=user,
            commit=commit,
        )

    return do


def errors_of(run):
    return [(e["row"], e["column"], e["reason"]) for e in run.errors]
