"""The Quality Dashboard pages: scorecard, metric page, diversity, supply, exports, board report.

Each view checks scope on its first line (out of scope is 404), parses the filters from the URL,
calls one selector and renders. Pages read only the MetricValue store.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from councils import selectors as councils_selectors
from councils.scoping import covers

from . import exports, pdf, selectors
from . import metrics as catalogue
from .metrics import ALL_PROFESSIONS, BAND_GROUPS


class FilterForm(forms.Form):
    """The filters a scorecard URL may carry (GET, so a view can be bookmarked and shared)."""

    profession = forms.ChoiceField(label="Profession", required=False)
    band_group = forms.ChoiceField(label="Band group", required=False, choices=())
    month = forms.ChoiceField(label="Month", required=False)

    def __init__(self, data, *, months, with_profession=True, with_band_group=True):
        super().__init__(data)
        from workforce.models import Profession

        if with_profession:
            self.fields["profession"].choices = [(ALL_PROFESSIONS, "All professions")] + [
                (p.code, p.name) for p in Profession.objects.all()
            ]
        else:
            del self.fields["profession"]
        if with_band_group:
            self.fields["band_group"].choices = list(BAND_GROUPS.items())
        else:
            del self.fields["band_group"]
        self.fields["month"].choices = [("", "Latest month")] + [
            (m.strftime("%Y-%m"), m.strftime("%B %Y")) for m in months
        ]

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return None
        return dt.date.fromisoformat(f"{value}-01")

    def filters(self) -> selectors.Filters:
        """The valid filters; a field with an error falls back to its default."""
        data = self.cleaned_data if self.is_bound else {}
        return selectors.Filters(
            month=data.get("month") or None,
            profession=data.get("profession") or ALL_PROFESSIONS,
            band_group=data.get("band_group") or "all",
        )


def _filters(request, months, **options) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None, months=months, **options)
    if form.is_bound:
        form.is_valid()
    return form, form.filters()


def _org(request, code):
    return councils_selectors.organisation_for(request.user, code, "view")


def _metric(code: str):
    try:
        return catalogue.get(code)
    except KeyError:
        raise Http404("No such metric.") from None


def _context(request, org, **extra):
    return {"org": org, "breadcrumb": councils_selectors.breadcrumb(request.user, org), **extra}


def _query(filters: selectors.Filters) -> str:
    params = filters.query()
    return f"?{urlencode(params)}" if params else ""


@login_required
@require_GET
def scorecard(request, code):
    org = _org(request, code)
    months = selectors.available_months(org)
    form, filters = _filters(request, months)
    card = selectors.scorecard_for(request.user, org, filters, months)
    children = list(councils_selectors.children_of(org).order_by("name"))
    return render(
        request,
        "dashboard/scorecard.html",
        _context(
            request,
            org,
            card=card,
            form=form,
            children=children,
            query=_query(filters),
            profession_name=_profession_name(form, filters),
        ),
    )


def _profession_name(form, filters) -> str:
    if filters.profession == ALL_PROFESSIONS or "profession" not in form.fields:
        return "All professions"
    return dict(form.fields["profession"].choices).get(filters.profession, filters.profession)


@login_required
@require_GET
def metric(request, code, metric):
    org = _org(request, code)
    definition = _metric(metric)
    months = selectors.available_months(org)
    form, filters = _filters(request, months)
    detail = selectors.metric_detail_for(request.user, org, definition, filters, months)
    return render(
        request,
        "dashboard/metric.html",
        _context(
            request,
            org,
            detail=detail,
            can_record_change_points=covers(request.user, "chair", org),
            form=form,
            query=_query(filters),
            profession_name=_profession_name(form, filters),
        ),
    )


@login_required
@require_GET
def diversity(request, code):
    org = _org(request, code)
    months = selectors.available_months(org)
    form, filters = _filters(request, months, with_band_group=False)
    data = selectors.diversity_for(request.user, org, filters, months)
    return render(
        request,
        "dashboard/diversity.html",
        _context(
            request,
            org,
            data=data,
            form=form,
            query=_query(filters),
            profession_name=_profession_name(form, filters),
            all_professions_query=urlencode(selectors.Filters(month=filters.month).query()),
        ),
    )


@login_required
@require_GET
def supply(request, code):
    org = _org(request, code)
    months = selectors.available_months(org)
    form, filters = _filters(request, months, with_profession=False, with_band_group=False)
    data = selectors.supply_for(request.user, org, filters, months)
    return render(
        request,
        "dashboard/supply.html",
        _context(request, org, data=data, form=form, query=_query(filters)),
    )


def _scorecard_for_export(request, code):
    org = _org(request, code)
    months = selectors.available_months(org)
    form, filters = _filters(request, months)
    card = selectors.scorecard_for(request.user, org, filters, months)
    return card, _profession_name(form, filters)


@login_required
@require_GET
def scorecard_csv(request, code):
    card, profession_name = _scorecard_for_export(request, code)
    return exports.scorecard_csv(card, profession_name=profession_name)


@login_required
@require_GET
def scorecard_xlsx(request, code):
    card, profession_name = _scorecard_for_export(request, code)
    return exports.scorecard_xlsx(card, profession_name=profession_name)


def _board_report_context(request, code):
    org = _org(request, code)
    months = selectors.available_months(org)
    form, filters = _filters(request, months)
    card = selectors.scorecard_for(request.user, org, filters, months)
    return _context(
        request,
        org,
        card=card,
        exception_charts=selectors.exception_charts(card),
        form=form,
        query=_query(filters),
        profession_name=_profession_name(form, filters),
        pdf_available=pdf.available(),
    )


@login_required
@require_GET
def board_report(request, code):
    return render(request, "dashboard/board_report.html", _board_report_context(request, code))


@login_required
@require_GET
def board_report_pdf(request, code):
    """The board report as an A4 PDF download (the same page, laid out for print)."""
    context = _board_report_context(request, code)
    if not context["pdf_available"]:
        return HttpResponse(
            "PDF downloads are not available on this server: open the board report and use "
            "your browser's print command to save it as a PDF.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    html = render_to_string("dashboard/board_report.html", {**context, "as_pdf": True}, request)
    document = pdf.render(html, base_url=request.build_absolute_uri("/"))
    card = context["card"]
    month = f"-{card.month:%Y-%m}" if card.month else ""
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="board-report-{context["org"].code}{month}.pdf"'
    )
    return response


urlpatterns = [
    path("org/<str:code>/dashboard/", scorecard, name="scorecard"),
    path("org/<str:code>/dashboard/export.csv", scorecard_csv, name="scorecard_csv"),
    path("org/<str:code>/dashboard/export.xlsx", scorecard_xlsx, name="scorecard_xlsx"),
    path("org/<str:code>/dashboard/board-report/", board_report, name="board_report"),
    path("org/<str:code>/dashboard/board-report.pdf", board_report_pdf, name="board_report_pdf"),
    path("org/<str:code>/dashboard/diversity/", diversity, name="diversity"),
    path("org/<str:code>/dashboard/supply/", supply, name="supply"),
    path("org/<str:code>/dashboard/<slug:metric>/", metric, name="metric"),
]
