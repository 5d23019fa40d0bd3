"""Demo delivery plan: the SYB ICS plan (QF7) seeded from seed 000 appendix 1, with owners, dates,
two quarters of progress updates and one measure linked to the turnover metric."""

import datetime as dt

from councils.models import Organisation, User

from . import quarters, services
from .models import Action, MeasureOfSuccess, ProgressUpdate

# (action seed reference, [(quarters back from now, status, narrative)])
DEMO_UPDATES = [
    ("1.1", [
        (1, "on_track", "Job planning policy agreed by the council; three providers have started."),
        (0, "at_risk", "Two providers have paused job planning while e-job planning licences "
            "are procured."),
    ]),
    ("1.2", [
        (1, "on_track", "State of readiness template circulated to all AHP services."),
        (0, "complete", "Returns received from every provider and summarised for the council."),
    ]),
    ("4.4", [
        (1, "at_risk", "Workforce data for two places is incomplete."),
        (0, "off_track", "Turnover has risen for three months; a retention task and finish group "
            "is proposed."),
    ]),
    ("3.4", [
        (0, "on_track", "AHP representatives named for the stroke and MSK pathway groups."),
    ]),
]  # fmt: skip


def load(*, stdout):
    org = Organisation.objects.filter(code="QF7").first()
    if org is None:
        stdout.write("Delivery plan demo skipped: no organisation QF7.")
        return
    result = services.plan_seed_from_appendix(organisation=org)
    stdout.write(f"Delivery plan for {org.name}: {result.summary()}")
    plan = result.plan
    chair = User.objects.filter(email="chair@syb.example").first()
    lead = User.objects.filter(email="ics.lead@syb.example").first()
    actions = {a.seed_ref: a for a in Action.objects.filter(theme__plan=plan)}
    start = dt.date(2026, 4, 1)
    for ref, owner, place in (("1.1", lead, None), ("1.2", chair, None), ("4.4", lead, "QF7-SHE")):
        action = actions.get(ref)
        if action and action.owner_user_id is None and owner:
            action.owner_user = owner
            action.owner_organisation = Organisation.objects.filter(code=place).first()
            action.start_date, action.due_date = start, dt.date(2027, 3, 31)
            action.save()
    if ProgressUpdate.objects.filter(action__theme__plan=plan).exists():
        stdout.write("  progress updates already present")
        return
    current = quarters.quarter_of(dt.date.today())
    labels = [current, quarters.previous(current)]
    for ref, rows in DEMO_UPDATES:
        for back, status, narrative in rows:
            services.update_add(
                action=actions[ref], quarter=labels[back], status=status,
                narrative=narrative, author=chair,
            )  # fmt: skip
    measure = MeasureOfSuccess.objects.filter(action=actions["4.4"]).order_by("position").first()
    if measure and not measure.metric:
        services.measure_link_metric(measure=measure, metric="turnover_rate", target=10.0)
    stdout.write(
        f"  {sum(len(r) for _, r in DEMO_UPDATES)} progress updates for {labels[1]} and {current}"
    )
