"""Reads of import runs shared by the pages and the API. All go through councils.scoping.

Two ways a run belongs to an organisation's import history:

- it was uploaded *for* that organisation or one below it (``ImportRun.organisation``): the whole
  run is that organisation's, and its page and error report open for a data manager over it;
- it was uploaded for an organisation above (an ICS-wide file) and, once committed, wrote rows
  for providers below it (``ImportRunProvider``): the history shows who, when, which file and the
  outcome with only those providers' counts. The run's page and error report stay 404 unless the
  user may import for the organisation it was uploaded for, since they describe every provider's
  rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Sum

from councils.models import Organisation
from councils.scoping import below_q, covers, get_in_scope_or_404, scope_q

from .models import ImportRun, ImportRunProvider


def runs_in_scope(user):
    """Runs uploaded for organisations in the user's import scope (whole runs)."""
    return ImportRun.objects.in_scope(user, "import").select_related("organisation", "uploaded_by")


def runs_for(user, organisation: Organisation):
    """Runs uploaded for ``organisation`` or any organisation below it, newest first."""
    return runs_in_scope(user).below(organisation)


def run_for(user, organisation: Organisation, pk) -> ImportRun:
    return get_in_scope_or_404(
        runs_for(user, organisation).select_related("committed_by", "recompute"),
        user,
        "import",
        pk=pk,
    )


def _shares(user, organisation: Organisation | None, action: str):
    """Per-provider rows of committed runs, for providers in the user's scope for ``action`` (and
    below ``organisation`` when given)."""
    shares = ImportRunProvider.objects.in_scope(user, action)
    if organisation is not None:
        shares = shares.below(organisation)
    return shares


def history_for(user, organisation: Organisation | None = None, action: str = "import"):
    """The import history of ``organisation`` (or of the user's whole scope for ``action``),
    newest first: runs uploaded for it or below it, and committed runs uploaded elsewhere that
    wrote rows for its providers. Pass a page of it through :func:`history_rows` before showing
    it."""
    own = scope_q(user, action, "organisation__path")
    if organisation is not None:
        own &= below_q(organisation)
    wrote_here = Exists(_shares(user, organisation, action).filter(run=OuterRef("pk")))
    return (
        ImportRun.objects.filter(own | (Q(status=ImportRun.Status.COMMITTED) & wrote_here))
        .select_related("organisation", "uploaded_by")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Share:
    """The rows of a run that were for the providers of the history's organisation."""

    rows_added: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    error_count: int = 0  # only committed runs are shared, and they had no errors

    @property
    def rows_total(self) -> int:
        return self.rows_added + self.rows_updated + self.rows_unchanged


def history_rows(
    user, runs, organisation: Organisation | None = None, action: str = "import"
) -> list[ImportRun]:
    """Mark each run of a history page (one query for the lot):

    - ``run.can_open``: the user may open the run's page and error report (link to them);
    - ``run.share``: ``None`` when the whole run belongs to the history, else a :class:`Share`
      with only the counts for the providers below ``organisation`` (or in the user's scope).
    """
    runs = list(runs)
    partial = []
    for run in runs:
        run.can_open = covers(user, action, run.organisation)
        whole = run.can_open and (organisation is None or organisation.covers(run.organisation))
        run.share = None
        if not whole:
            partial.append(run)
    if partial:
        sums = {
            row["run_id"]: Share(row["added"], row["updated"], row["unchanged"])
            for row in _shares(user, organisation, action)
            .filter(run_id__in=[run.pk for run in partial])
            .values("run_id")
            .annotate(
                added=Sum("rows_added"),
                updated=Sum("rows_updated"),
                unchanged=Sum("rows_unchanged"),
            )
            .order_by()
        }
        for run in partial:
            run.share = sums.get(run.pk, Share())
    return runs
