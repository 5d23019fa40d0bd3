"""The metrics engine's organisation URLs: targets, recompute and its progress need the chair
role in scope; everyone else gets 404. The catalogue holds no organisation data."""

from dashboard.models import RecomputeRun
from tests.isolation import ScopedURL

from .isolation_cases_pages import CASES as PAGE_CASES


def run_kwargs(org, make_user):
    run = RecomputeRun.objects.create(organisation=org, kind=RecomputeRun.Kind.ON_DEMAND)
    return {"code": org.code, "pk": run.pk}


CASES = []
for level in ("provider", "place", "ics", "region"):
    CASES += [
        ScopedURL("dashboard:targets", "chair", level=level),
        ScopedURL("dashboard:recompute", "chair", level=level, method="post", ok_status=(302,)),
        ScopedURL("dashboard:run_status", "chair", level=level, build=run_kwargs),
    ]

CASES += PAGE_CASES
