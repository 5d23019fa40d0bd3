"""The leadership register's pages: an organisation's register (a region's or England's with a
line per ICS), its CSV and XLSX export, and the forms a chair or organisation admin uses to record
a chief AHP or a body's chair."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse

from dashboard.exports import XLSX_TYPE
from readiness.exports import table_xlsx
from workforce.csv_safety import stream_safe_csv

from . import leadership, selectors
from .forms import LeadershipPostForm
from .models import Body, Level, Organisation
from .pages import form_page, org_view
from .scoping import covers, get_in_scope_or_404


@org_view("councils/leadership.html")
def register(request, org):
    return {
        "register": leadership.register_for(org),
        "can_edit": covers(request.user, "register", org),
    }


@login_required
def register_export(request, code, fmt):
    org = selectors.organisation_for(request.user, code)
    rows = leadership.export_rows(leadership.register_for(org))
    name = f"leadership-register-{org.code}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            stream_safe_csv(rows, header=leadership.EXPORT_HEADER),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(
        table_xlsx("Leadership register", leadership.EXPORT_HEADER, rows), content_type=XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _post_form(request, *, organisation, body, back_code, title):
    post = leadership.post_for(organisation=organisation, body=body)
    initial = {}
    if post is not None:
        initial = {
            "status": post.status,
            "holder_email": post.holder.email if post.holder_id else "",
            "holder_name": post.holder_name,
            "start_date": post.start_date,
        }
    form = LeadershipPostForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form,
        lambda data: leadership.post_save(
            by=request.user,
            organisation=organisation,
            body=body,
            **{f: data[f] for f in ("status", "holder", "holder_name", "start_date")},
        ),
        template="councils/leadership_form.html",
        context={"org": organisation, "title": title, "back_code": back_code},
        done=lambda _: (
            f"Saved the register's line: {title}.",
            reverse("councils:leadership", kwargs={"code": back_code}),
        ),
    )


@login_required
def chief_ahp_edit(request, code):
    provider = get_in_scope_or_404(
        Organisation, request.user, "register", code=code, level=Level.PROVIDER
    )
    back = request.GET.get("from") or provider.code
    back_org = Organisation.objects.filter(code=back).in_scope(request.user, "view").first()
    return _post_form(
        request,
        organisation=provider,
        body=None,
        back_code=back_org.code if back_org else provider.code,
        title=f"Chief AHP of {provider.name}",
    )


@login_required
def chair_edit(request, pk):
    body = get_in_scope_or_404(
        Body.objects.select_related("organisation"), request.user, "register", pk=pk
    )
    return _post_form(
        request,
        organisation=body.organisation,
        body=body,
        back_code=body.organisation.code,
        title=f"Chair of {body.name}",
    )
