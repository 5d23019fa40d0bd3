"""The plan exports to CSV and XLSX: one row per measure, statuses in words, live metric values,
every update in XLSX, and no cell a spreadsheet would run as a formula."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from delivery import services


def export(client, fmt, quarter="2026/27 Q3"):
    url = reverse("delivery:export", kwargs={"code": "QF7", "fmt": fmt}) + f"?quarter={quarter}"
    return client.get(url)


def test_csv_has_a_row_per_measure_with_status_and_live_metric(
    syb_plan, tree, client_for, action_of, metric_series
):
    chair = client_for("chair", tree["QF7"])
    services.update_add(
        action=action_of("4.4"), quarter="2026/27 Q3", status="off_track",
        narrative="Turnover rising.", author=chair.user,
    )  # fmt: skip
    measure = action_of("4.4").measures.get(position=1)
    services.measure_link_metric(measure=measure, metric="turnover_rate", target=10.0)
    metric_series(tree["QF7"], "turnover_rate", [12.5])

    response = export(client_for("viewer", tree["QF7"]), "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="delivery-plan-QF7-2026-27-Q3.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 32
    row = next(r for r in rows if r["Measure of success"].startswith("Improve recruitment"))
    assert row["Action reference"] == "4.4"
    assert row["Status"] == "Off track"
    assert row["Latest narrative"] == "Turnover rising."
    assert row["Linked metric"] == "Turnover rate % (12 months rolling)"
    assert (row["Metric month"], row["Metric value"], row["Target"]) == (
        "2026-09",
        "12.5%",
        "10.0%",
    )
    assert row["Target status"] == "Not met"
    other = next(r for r in rows if r["Action reference"] == "1.1")
    assert other["Status"] == "No update yet" and other["Linked metric"] == ""


def test_cells_that_look_like_formulas_are_defused(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"])
    services.update_add(
        action=action_of("1.1"), quarter="2026/27 Q3", status="at_risk",
        narrative='=HYPERLINK("http://evil.example","x")', author=chair.user,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(export(chair, "csv").content.decode())))
    cell = next(r for r in rows if r[2] == "1.1")[9]
    assert cell.startswith("'=HYPERLINK")

    wb = load_workbook(io.BytesIO(export(chair, "xlsx").content))
    narratives = [row[4] for row in wb["Progress updates"].iter_rows(min_row=2, values_only=True)]
    assert narratives == ['\'=HYPERLINK("http://evil.example","x")']
    assert all(c.data_type != "f" for row in wb["Plan"].iter_rows() for c in row)


def test_xlsx_has_the_plan_and_every_update(syb_plan, tree, client_for, action_of):
    chair = client_for("chair", tree["QF7"], full_name="Chris Chair")
    for quarter, status in [("2026/27 Q2", "on_track"), ("2026/27 Q3", "complete")]:
        services.update_add(
            action=action_of("1.2"), quarter=quarter, status=status,
            narrative=f"{quarter} note", author=chair.user,
        )  # fmt: skip
    response = export(client_for("viewer", tree["QF7"]), "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    plan = list(wb["Plan"].iter_rows(values_only=True))
    assert plan[0][0].startswith("Delivering the Plan - Areas for Consideration")
    assert plan[1][0] == "Theme number"
    assert len(plan) == 2 + 32
    row = next(r for r in plan[2:] if r[2] == "1.2")
    assert row[8] == "Complete"
    updates = list(wb["Progress updates"].iter_rows(min_row=2, values_only=True))
    assert [(u[2], u[3], u[5]) for u in updates] == [
        ("2026/27 Q2", "On track", "Chris Chair"),
        ("2026/27 Q3", "Complete", "Chris Chair"),
    ]


def test_an_unknown_format_is_not_found(syb_plan, tree, client_for):
    assert export(client_for("viewer", tree["QF7"]), "pdf").status_code == 404


def test_exports_read_in_constant_queries(
    syb_plan, tree, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree["QF7"])
    for fmt in ("csv", "xlsx"):
        with django_assert_max_num_queries(11):
            assert export(client, fmt).status_code == 200
