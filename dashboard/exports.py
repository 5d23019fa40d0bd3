"""CSV and XLSX of exactly what the scorecard shows, with its filters and computed-at time.

Figures pass through the same suppression as the page (the rows come from
``selectors.scorecard_for``), and every text cell goes through ``safe_cell`` so that a name
beginning with ``=``, ``+``, ``-`` or ``@`` cannot become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
from functools import partial

from django.http import HttpResponse
from django.utils import timezone

from workforce.csv_safety import safe_cell

from .metrics import BAND_GROUPS
from .selectors import Scorecard
from .selectors.common import quarter_label

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
        ["Structure", card.filters.view_sentence],
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
    if card.filters.view != "current":
        parts.append(card.filters.view.replace("_", "-"))
    return f"scorecard-{'-'.join(parts)}.{extension}"


def _layout(meta: list[list], sections: list[tuple[str, list[str], list[list]]]):
    """The rows of a download in order, each with its kind ("meta", "blank", "title", "header"
    or "row"): ``meta`` (label, value rows), then each section: its title, header and rows.
    Every cell but a header's passes through ``safe_cell``."""
    for row in meta:
        yield "meta", [safe_cell(cell) for cell in row]
    for title, header, rows in sections:
        yield "blank", []
        if title:
            yield "title", [safe_cell(title)]
        yield "header", header
        for row in rows:
            yield "row", [safe_cell(cell) for cell in row]


def _attachment(content, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv(meta: list[list], sections: list[tuple[str, list[str], list[list]]], name: str):
    """A CSV of :func:`_layout`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for _kind, row in _layout(meta, sections):
        writer.writerow(row)
    return _attachment(buffer.getvalue(), "text/csv; charset=utf-8", name)


def _xlsx(
    sheet_title: str,
    meta: list[list],
    sections: list[tuple[str, list[str], list[list]]],
    name: str,
    widths: tuple[int, ...] = (),
):
    """:func:`_layout` in one worksheet, the first row, titles and headers in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for kind, row in _layout(meta, sections):
        sheet.append(row)
        if kind == "title":
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        elif kind == "header":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    count = max([len(header) for _, header, _ in sections] + [2])
    for index in range(count):
        width = widths[index] if index < len(widths) else 22
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return _attachment(buffer.getvalue(), XLSX_TYPE, name)


def _download(extension: str, sheet_title: str, meta, sections, name: str) -> HttpResponse:
    """``sections(numbers=...)`` as CSV (the words on the page) or XLSX (figures as numbers)."""
    if extension == "csv":
        return _csv(meta, sections(numbers=False), name)
    return _xlsx(sheet_title, meta, sections(numbers=True), name)


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
        ["Structure", filters.view_sentence],
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
    if filters.view != "current":
        parts.append(filters.view.replace("_", "-"))
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
    period = "Survey year" if row.annual else "Quarter" if row.quarterly else "Month"
    series = [
        [
            item["month"].strftime("%Y")
            if row.annual
            else quarter_label(item["month"])
            if row.quarterly
            else item["month"].strftime("%B %Y"),
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
    return _download(extension, "Metric", meta, partial(metric_sections, detail), name)


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
    sex_age = [
        [
            r.label,
            _number(r.female_display, r.female.figure if r.female else None, numbers),
            r.female.people_display if r.female else "",
            _number(r.older_display, r.older.figure if r.older else None, numbers),
            r.older.people_display if r.older else "",
            r.completeness,
        ]
        for r in data.sex_age
    ]
    ages = [
        [a.label, _number(a.display, a.figure, numbers), a.completeness] for a in data.age_profile
    ]
    return [
        ("Ethnic minority share by band", BAND_HEADER, ethnicity),
        ("Disability declaration by band", DISABILITY_HEADER, disability),
        ("Sex and age by band group", SEX_AGE_HEADER, sex_age),
        ("Staff in post by age band", ["Age band", "People in post", "Providers reporting"], ages),
    ]


SEX_AGE_HEADER = [
    "Band group",
    "Female share",
    "People with a recorded sex",
    "Aged 55 and over",
    "People with a stated age band",
    "Providers reporting",
]


def _page_download(data, extension: str, page: str, title: str, sections, profession_name: str):
    """A dashboard page's download: its meta rows, then ``sections(data, numbers=...)``."""
    meta = _page_meta(
        f"Quality Dashboard: {title}",
        data.org,
        data.month,
        data.filters,
        profession_name=profession_name,
        computed_at=data.computed_at,
        freshness=data.freshness,
    )
    name = _page_filename(page, data.org, data.month, data.filters, extension)
    return _download(extension, page.capitalize(), meta, partial(sections, data), name)


def diversity_download(data, extension: str, *, profession_name: str) -> HttpResponse:
    return _page_download(
        data, extension, "diversity", "diversity", diversity_sections, profession_name
    )


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

    def measures(rows):
        return [
            [
                row.metric.name,
                row.metric.code,
                _number(row.display, row.figure, numbers),
                row.metric.unit,
                row.variation_label,
                row.completeness or "Not reported",
            ]
            for row in rows
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
        (
            "Support workforce and new routes into the professions",
            SUPPLY_TOTALS_HEADER,
            measures(data.totals),
        ),
        (
            "Placements, retirement risk, qualifications and clinical time",
            SUPPLY_TOTALS_HEADER,
            measures(data.capacity),
        ),
        ("Apprentices by level", SUPPLY_TOTALS_HEADER, measures(data.apprentice_levels)),
        ("Small and vulnerable professions", header, professions),
    ]


def supply_download(data, extension: str, *, profession_name: str) -> HttpResponse:
    """The supply page is of all professions together: ``profession_name`` is "All professions"."""
    return _page_download(
        data, extension, "supply", "workforce supply", supply_sections, profession_name
    )
