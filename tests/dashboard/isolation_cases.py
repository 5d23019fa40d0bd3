"""The metrics engine's organisation URLs: targets, recompute and its progress need the chair
role in scope; everyone else gets 404. The catalogue holds no organisation data."""

import datetime as dt

from ahpportal.months import add_months
from dashboard.models import ChangePoint, RecomputeRun
from tests.isolation import ScopedURL

from .isolation_cases_pages import CASES as PAGE_CASES


def run_kwargs(org, make_user):
    run = RecomputeRun.objects.create(organisation=org, kind=RecomputeRun.Kind.ON_DEMAND)
    return {"code": org.code, "pk": run.pk}


def change_points_kwargs(org, make_user):
    return {"code": org.code, "metric": "sickness_absence_rate"}


def change_point_kwargs(org, make_user):
    # a new month each time: the matrix builds the URL once per request
    n = ChangePoint.objects.filter(organisation=org).count()
    point = ChangePoint.objects.create(
        organisation=org,
        metric="sickness_absence_rate",
        month=add_months(dt.date(2000, 1, 1), n),
        reason="r",
    )
    return {"code": org.code, "metric": "sickness_absence_rate", "pk": point.pk}


CASES = []
for level in ("provider", "place", "ics", "region"):
    CASES += [
        ScopedURL("dashboard:targets", "chair", level=level),
        ScopedURL("dashboard:recompute", "chair", level=level, method="post", ok_status=(302,)),
        ScopedURL("dashboard:run_status", "chair", level=level, build=run_kwargs),
        ScopedURL("dashboard:change_points", "chair", level=level, build=change_points_kwargs),
        ScopedURL(
            "dashboard:change_point_remove",
            "chair",
            level=level,
            build=change_point_kwargs,
            method="post",
            ok_status=(302,),
        ),
    ]

CASES += PAGE_CASES
