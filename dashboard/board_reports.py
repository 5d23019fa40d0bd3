"""Board report PDFs rendered off the request by a task, and kept.

A download asks for the report of an organisation with the page's filters (the month included).
The data behind it changes only through a recompute, so the key is (organisation, filters, the
last finished recompute run): the first download records a pending file and queues
:func:`dashboard.tasks.render_board_report`; the page says it is being prepared and refreshes
itself; later downloads of the same key are the stored file, at once. After the next recompute the
key changes and a new file is made.

The task renders the same template as the page, for the person who asked and with their scope
checked again, without their request (so no account details or breadcrumbs are in the file,
which other people with the same organisation in scope may download).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string

from councils import selectors as councils_selectors
from councils.models import Organisation

from . import pdf
from .models import BoardReportFile, RecomputeRun

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 3  # the "being prepared" page


def _last_recompute_id() -> int:
    last = (
        RecomputeRun.objects.filter(status=RecomputeRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return last or 0


def board_report_file(
    *, user, organisation: Organisation, params: QueryDict, retry: bool = False
) -> BoardReportFile:
    """The kept report for the filters in ``params``, queued for rendering when it is new (or,
    with ``retry``, when it failed before). ``organisation`` comes from the scoped view."""
    from .views import board_report_filters

    filters, months = board_report_filters(organisation, params)
    month = filters.month or (max(months) if months else None)
    query = urlencode(sorted(filters.query(month).items()))
    key = {"organisation": organisation, "query": query, "recompute_id": _last_recompute_id()}
    report = BoardReportFile.objects.filter(**key).first()
    if report is None:
        try:
            with transaction.atomic():
                report = BoardReportFile.objects.create(**key, month=month)
        except IntegrityError:  # asked for twice at once: the other request made it
            return BoardReportFile.objects.get(**key)
    elif retry and report.status == BoardReportFile.Status.FAILED:
        BoardReportFile.objects.filter(pk=report.pk).update(
            status=BoardReportFile.Status.PENDING, error=""
        )
        report.status = BoardReportFile.Status.PENDING
    else:
        return report
    user_id = user.pk
    transaction.on_commit(lambda: _enqueue(report.pk, user_id))
    return report


def _enqueue(report_id: int, user_id: int) -> None:
    from .services import BROKER_ERRORS
    from .tasks import render_board_report

    try:
        render_board_report.delay(report_id, user_id)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable, board report %s not queued: %s", report_id, exc)
        BoardReportFile.objects.filter(pk=report_id).update(
            status=BoardReportFile.Status.FAILED,
            error="The report could not be queued (the task queue is not available).",
        )


def board_report_render(*, report: BoardReportFile, user) -> BoardReportFile:
    """Render and store the PDF (the task). The user's scope is checked again: a report they can
    no longer see is not made. A failure is kept on the report with its reason."""
    from django.http import Http404

    try:
        organisation = councils_selectors.organisation_for(user, report.organisation.code, "view")
        from .views import board_report_context

        context = board_report_context(user, organisation, QueryDict(report.query))
        context.update(as_pdf=True, breadcrumb=None)
        html = render_to_string("dashboard/board_report.html", context)
        document = pdf.render(html, base_url="http://localhost/")
    except Http404:
        report.status, report.error = BoardReportFile.Status.FAILED, "Not in your scope."
    except Exception as exc:
        logger.exception("Board report %s failed", report.pk)
        report.status = BoardReportFile.Status.FAILED
        report.error = f"The PDF could not be made ({exc.__class__.__name__}: {exc})."
    else:
        month = f"-{report.month:%Y-%m}" if report.month else ""
        report.file.save(
            f"board-report-{report.organisation.code}{month}.pdf", ContentFile(document), False
        )
        report.status, report.error = BoardReportFile.Status.READY, ""
    report.save()
    return report
