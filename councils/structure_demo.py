"""The demo's reorganisations (PRODUCT.md 7), recorded by ``load_demo`` after the workforce demo
data is imported and before the dashboard's full recompute, so the demo's figures are on
today's structure from the start.

Both fall inside the demo's 24 months (October 2024 to September 2026) and are recorded through
:mod:`councils.structure` by the demo superuser, as an England admin would:

* Rotherham Doncaster and South Humber (RXE) moves from Doncaster place to Rotherham place on
  1 April 2025;
* Sheffield Children's (RCU) and Sheffield Health and Social Care (TAH) merge into a new,
  synthetic trust (RZS) in Sheffield place on 1 April 2026; its chief AHP post is vacant since
  then (on the leadership register, where the closed trusts' posts no longer count).

Re-running it records nothing new: a move already made (the provider is under its new place)
and a merger already recorded (the successor's code exists) are skipped.
"""

import datetime as dt

from dashboard.services import recomputes_deferred

from . import structure
from .demo import DEMO_SUPERUSER
from .models import LeadershipPost, Organisation, User

#: (provider, new place, first month, reason)
DEMO_MOVES = [
    (
        "RXE",
        "QF7-ROT",
        dt.date(2025, 4, 1),
        "Demo (synthetic): the trust's host place changes from Doncaster to Rotherham.",
    ),
]
#: (providers, new code, new name, first month, reason); each successor's chief AHP post is
#: vacant from the merger on
DEMO_MERGERS = [
    (
        ["RCU", "TAH"],
        "RZS",
        "Sheffield Children's and Mental Health NHS Foundation Trust",
        dt.date(2026, 4, 1),
        "Demo (synthetic): Sheffield Children's and Sheffield Health and Social Care merge "
        "into one trust.",
    ),
]


def load(*, stdout) -> None:
    # Each change asks for a full recompute; the dashboard's demo step runs one next, which
    # covers them, so they are recorded but not queued.
    with recomputes_deferred():
        _record(User.objects.get(email=DEMO_SUPERUSER[0]), stdout)


def _record(user, stdout) -> None:
    for code, to, effective, reason in DEMO_MOVES:
        organisation = Organisation.objects.get(code=code)
        new_parent = Organisation.objects.get(code=to)
        if organisation.parent_path == new_parent.path:
            stdout.write(f"Structure: {code} is already under {new_parent.name}.\n")
            continue
        structure.record_move(organisation, new_parent, effective, user=user, reason=reason)
        stdout.write(f"Structure: {code} moves to {new_parent.name} from {effective:%B %Y}.\n")
    for codes, code, name, effective, reason in DEMO_MERGERS:
        if Organisation.objects.filter(code=code).exists():
            stdout.write(f"Structure: {' and '.join(codes)} already merged into {code}.\n")
        else:
            providers = [Organisation.objects.get(code=c) for c in codes]
            structure.record_merger(
                providers, code=code, name=name, effective=effective, user=user, reason=reason
            )
            stdout.write(
                f"Structure: {' and '.join(codes)} merge into {code} ({name}) from "
                f"{effective:%B %Y}.\n"
            )
        LeadershipPost.objects.update_or_create(
            organisation=Organisation.objects.get(code=code),
            post=LeadershipPost.Post.CHIEF_AHP,
            defaults={
                "status": LeadershipPost.Status.VACANT,
                "start_date": effective,
                "holder": None,
                "holder_name": "",
            },
        )
