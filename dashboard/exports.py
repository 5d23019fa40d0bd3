"""CSV and XLSX of exactly what the scorecard shows, with its filters and computed-at time.

Figures pass through the same suppression as the page (the rows come from
``selectors.scorecard_for``), and every text cell goes through ``safe_cell`` so that a name
beginning with ``=``, ``+``, ``-`` or ``@`` cannot become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from workforce.csv_safety import safe_cell

from .metrics import BAND_GROUPS
from .selectors import Scorecard

HEADER = [
    "Domain",
    "Metric",
    "Metric code",
    "Value",
    "Unit",
    "Target",
    "Status",
    "Variation (SPC)",
    "Assurance (SPC)",
    "Completeness",
    "Computed at",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stamp(when) -> str:
    if when is None:
        return ""
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M %Z")


def meta_rows(card: Scorecard, *, profession_name: str) -> list[list[str]]:
    rows = [
        ["Quality Dashboard scorecard"],
        ["Organisation", card.org.name],
        ["Organisation code", card.org.code],
        ["Month", card.month.strftime("%B %Y") if card.month else "No figures yet"],
        ["Profession", profession_name],
        ["Band group", BAND_GROUPS.get(card.filters.band_group, card.filters.band_group)],
        ["Figures computed at", _stamp(card.computed_at)],
    ]
    if card.freshness:
        rows.append(["Note", card.freshness])
    return rows


def table_rows(card: Scorecard, *, numbers: bool = False) -> list[list]:
    """One row per metric as on the page. With ``numbers`` the value and target are numbers
    (for XLSX); suppressed figures are the words "fewer than 5" either way."""
    rows = []
    for _, domain_name, metric_rows in card.domains:
        for row in metric_rows:
            if row.note:
                value, status, variation, assurance = row.note, "", "", ""
            else:
                value = row.display
                if numbers and row.figure.value is not None:
                    value = round(row.figure.value, 2)
                status, variation, assurance = (
                    row.status_label,
                    row.variation_label,
                    row.assurance_label,
                )
            target = row.target_display
            if numbers and row.target is not None:
                target = row.target
            rows.append(
                [
                    domain_name,
                    row.metric.name,
                    row.metric.code,
                    value,
                    row.metric.unit,
                    target,
                    status,
                    variation,
                    assurance,
                    row.completeness,
                    _stamp(row.computed_at),
                ]
            )
    return rows


def filename(card: Scorecard, extension: str) -> str:
    month = card.month.strftime("%Y-%m") if card.month else "latest"
    parts = [card.org.code, month]
    if card.filters.profession != "all":
        parts.append(card.filters.profession)
    if card.filters.band_group != "all":
        parts.append(card.filters.band_group)
    return f"scorecard-{'-'.join(parts)}.{extension}"


def _csv(meta: list[list], sections: list[tuple[str, list[str], list[list]]], name: str):
    """A CSV of ``meta`` (label, value rows), then each section: its title, header and rows.
    Every cell passes through ``safe_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in meta:
        writer.writerow([safe_cell(cell) for cell in row])
    for title, header, rows in sections:
        writer.writerow([])
        if title:
            writer.writerow([safe_cell(title)])
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(
    sheet_title: str,
    meta: list[list],
    sections: list[tuple[str, list[str], list[list]]],
    name: str,
    widths: tuple[int, ...] = (),
):
    """The same layout as :func:`_csv` in one worksheet, titles and headers in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in meta:
        sheet.append([safe_cell(cell) for cell in row])
    sheet["A1"].font = Font(bold=True, size=14)
    for title, header, rows in sections:
        sheet.append([])
        if title:
            sheet.append([safe_cell(title)])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
    count = max([len(header) for _, header, _ in sections] + [2])
    for index in range(count):
        width = widths[index] if index < len(widths) else 22
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def scorecard_csv(card: Scorecard, *, profession_name: str) -> HttpResponse:
    meta = meta_rows(card, profession_name=profession_name)
    return _csv(meta, [("", HEADER, table_rows(card))], filename(card, "csv"))


def scorecard_xlsx(card: Scorecard, *, profession_name: str) -> HttpResponse:
    return _xlsx(
        "Scorecard",
        meta_rows(card, profession_name=profession_name),
        [("", HEADER, table_rows(card, numbers=True))],
        filename(card, "xlsx"),
        widths=(26, 40, 28, 14, 9, 10, 22, 40, 32, 22, 22),
    )


# ---------------------------------------------------------------------------------------------
# The metric page, diversity and supply: each page's tables as on screen, for the same filters.


def _number(text: str, figure, numbers: bool):
    """A figure's cell: the words on the page, or (XLSX) its value as a number when it is shown."""
    if numbers and figure is not None and not figure.suppressed and figure.value is not None:
        return round(figure.value, 2)
    return text


def _page_meta(
    title: str, org, month, filters, *, profession_name: str, computed_at, freshness: str
) -> list[list[str]]:
    rows = [
        [title],
        ["Organisation", org.name],
        ["Organisation code", org.code],
        ["Month", month.strftime("%B %Y") if month else "No figures yet"],
        ["Profession", profession_name],
        ["Band group", BAND_GROUPS.get(filters.band_group, filters.band_group)],
        ["Figures computed at", _stamp(computed_at)],
    ]
    if freshness:
        rows.append(["Note", freshness])
    return rows


def _page_filename(page: str, org, month, filters, extension: str) -> str:
    parts = [page, org.code, month.strftime("%Y-%m") if month else "latest"]
    if filters.profession != "all":
        parts.append(filters.profession)
    if filters.band_group != "all":
        parts.append(filters.band_group)
    return f"{'-'.join(parts)}.{extension}"


def _peer_completeness(peer) -> str:
    """As on the page: nothing beside a hidden figure, else its completeness."""
    if peer.figure.suppressed:
        return ""
    return peer.completeness or "Not reported"


PEER_HEADER = ["Organisation", "Organisation code", "Value", "Completeness"]
BENCHMARK_HEADER = [
    "Organisation",
    "Organisation code",
    "Value",
    "Rank (1 is best)",
    "Completeness",
]


def metric_sections(detail, *, numbers: bool = False) -> list[tuple[str, list[str], list[list]]]:
    """The metric page's tables: the XmR series, the chart's lines, drill-down, benchmarking."""
    row, metric = detail.row, detail.metric
    if detail.note or not detail.month:
        return []
    period = "Survey year" if row.annual else "Month"
    series = [
        [
            item["month"].strftime("%Y") if row.annual else item["month"].strftime("%B %Y"),
            _number(item["value"], item.get("figure"), numbers),
            item["special"],
            item["change_point"],
            item["completeness"] or "Not reported",
        ]
        for item in detail.table
    ]
    sections = [
        (
            f"{metric.name} by {period.lower()}",
            [period, "Value", "Special cause", "Change point", "Providers reporting"],
            series,
        )
    ]
    if detail.lines:
        sections.append(("Chart", ["Line", "Value"], [list(line) for line in detail.lines]))
    if detail.children:
        sections.append(
            (
                f"Drill down: organisations below {detail.org.display_name}",
                PEER_HEADER,
                [
                    [
                        p.org.name,
                        p.org.code,
                        _number(p.display, p.figure, numbers),
                        _peer_completeness(p),
                    ]
                    for p in detail.children
                ],
            )
        )
    if detail.siblings:
        rows = [
            [
                p.org.name,
                p.org.code,
                _number(p.display, p.figure, numbers),
                p.rank if p.rank is not None else "",
                _peer_completeness(p),
            ]
            for p in detail.siblings
        ]
        if detail.england:
            england = detail.england
            rows.append(
                [
                    england.org.name,
                    england.org.code,
                    _number(england.display, england.figure, numbers),
                    "",
                    _peer_completeness(england),
                ]
            )
        sections.append(("Benchmarking: organisations at the same level", BENCHMARK_HEADER, rows))
    return sections


def metric_meta(detail, *, profession_name: str) -> list[list[str]]:
    row = detail.row
    meta = _page_meta(
        f"Quality Dashboard: {detail.metric.name}",
        detail.org,
        detail.month,
        detail.filters,
        profession_name=profession_name,
        computed_at=row.computed_at,
        freshness=detail.freshness,
    )
    meta.insert(1, ["Metric", detail.metric.name])
    meta.insert(2, ["Metric code", detail.metric.code])
    if detail.note:
        meta.append(["Note", f"{detail.note}: only for all professions and all bands"])
    elif detail.month:
        meta += [
            ["Latest value", row.display],
            ["Unit", detail.metric.unit],
            ["Target", row.target_display],
            ["Status", row.status_label],
            ["Variation (SPC)", row.variation_label],
            ["Assurance (SPC)", row.assurance_label],
            ["Completeness", row.completeness or "Not reported"],
        ]
        if detail.siblings:
            meta.append(["Rank", rank_words(detail)])
    return meta


def rank_words(detail) -> str:
    if detail.rank:
        return f"{detail.rank} of {detail.ranked} (1 is best)"
    return "Not ranked"


def metric_download(detail, extension: str, *, profession_name: str) -> HttpResponse:
    meta = metric_meta(detail, profession_name=profession_name)
    name = _page_filename(detail.metric.code, detail.org, detail.month, detail.filters, extension)
    if extension == "csv":
        return _csv(meta, metric_sections(detail), name)
    return _xlsx("Metric", meta, metric_sections(detail, numbers=True), name)


BAND_HEADER = [
    "Band",
    "Ethnic minority share",
    "People in post",
    "Against the overall share",
    "Providers reporting",
]
DISABILITY_HEADER = [
    "Band",
    "Declared whether they have a disability (of staff in post)",
    "Have a disability (of those who declared)",
    "People in post",
    "Providers reporting",
]


def diversity_sections(data, *, numbers: bool = False) -> list[tuple[str, list[str], list[list]]]:
    if not data.month:
        return []
    bands = data.bands + data.groups + ([data.overall] if data.overall else [])
    ethnicity = [
        [
            b.label,
            _number(b.display, b.figure, numbers),
            b.people_display,
            "(the overall share)" if b.is_overall else b.gap,
            b.completeness,
        ]
        for b in bands
    ]
    disability = [
        [
            r.label,
            _number(r.declared_display, r.declared.figure if r.declared else None, numbers),
            _number(r.disabled_display, r.disabled.figure if r.disabled else None, numbers),
            r.people_display,
            r.completeness,
        ]
        for r in data.disability
    ]
    return [
        ("Ethnic minority share by band", BAND_HEADER, ethnicity),
        ("Disability declaration by band", DISABILITY_HEADER, disability),
    ]


def diversity_download(data, extension: str, *, profession_name: str) -> HttpResponse:
    meta = _page_meta(
        "Quality Dashboard: diversity",
        data.org,
        data.month,
        data.filters,
        profession_name=profession_name,
        computed_at=data.computed_at,
        freshness=data.freshness,
    )
    name = _page_filename("diversity", data.org, data.month, data.filters, extension)
    if extension == "csv":
        return _csv(meta, diversity_sections(data), name)
    return _xlsx("Diversity", meta, diversity_sections(data, numbers=True), name)


SUPPLY_TOTALS_HEADER = [
    "Measure",
    "Metric code",
    "Value",
    "Unit",
    "Variation (SPC)",
    "Completeness",
]


def supply_sections(data, *, numbers: bool = False) -> list[tuple[str, list[str], list[list]]]:
    if not data.month:
        return []
    totals = [
        [
            row.metric.name,
            row.metric.code,
            _number(row.display, row.figure, numbers),
            row.metric.unit,
            row.variation_label,
            row.completeness or "Not reported",
        ]
        for row in data.totals
    ]
    header = ["Profession", "Staff in post", "Staff in post: providers reporting"]
    for metric in data.metrics:
        header += [metric.name, f"{metric.name}: providers reporting"]
    professions = []
    for item in data.professions:
        cells = [item.profession.name, item.in_post, item.in_post_completeness]
        for _, value, reporting in item.cells:
            cells += [value, reporting]
        professions.append(cells)
    return [
        ("Support workforce and new routes into the professions", SUPPLY_TOTALS_HEADER, totals),
        ("Small and vulnerable professions", header, professions),
    ]


def supply_download(data, extension: str) -> HttpResponse:
    meta = _page_meta(
        "Quality Dashboard: workforce supply",
        data.org,
        data.month,
        data.filters,
        profession_name="All professions",
        computed_at=data.computed_at,
        freshness=data.freshness,
    )
    name = _page_filename("supply", data.org, data.month, data.filters, extension)
    if extension == "csv":
        return _csv(meta, supply_sections(data), name)
    return _xlsx("Supply", meta, supply_sections(data, numbers=True), name)
