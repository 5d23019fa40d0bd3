"""The metric page's peer benchmarking (PRODUCT.md 9): a provider's figure against every
provider of its type in England, read from the store (``PeerStat``, ``PeerPosition``, written
by the recompute: :mod:`dashboard.peers`). Two queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.safestring import SafeString

from councils.models import Level, Organisation, ProviderType

from .. import charts
from ..metrics import Metric
from ..models import PeerPosition, PeerStat
from ..peers import MIN_PEERS
from ..suppression import Shown

QUARTERS = {
    1: "in the lowest quarter (at or below the lower quartile)",
    2: "in the second quarter (above the lower quartile, at or below the median)",
    3: "in the third quarter (above the median, at or below the upper quartile)",
    4: "in the highest quarter (above the upper quartile)",
}


@dataclass
class PeerBenchmark:
    kind: str  # "acute providers" ...
    month: dt.date
    stats: PeerStat | None
    position: PeerPosition | None
    own: Shown
    chart: SafeString | str
    min_peers: int = MIN_PEERS

    @property
    def quarter_words(self) -> str:
        return QUARTERS.get(self.position.quarter, "") if self.position else ""


def peer_group_name(org: Organisation) -> str:
    """ "acute providers", "mental health providers" ..."""
    return f"{ProviderType(org.provider_type).label.lower()} providers"


def peer_benchmark_for(
    org: Organisation, metric: Metric, filters, month: dt.date | None, own: Shown
) -> PeerBenchmark | None:
    """For a provider with a type, for all professions and all bands (the peer stats' only
    figures), in ``month``; None elsewhere."""
    if (
        org.level != Level.PROVIDER
        or not org.provider_type
        or month is None
        or filters.profession != "all"
        or filters.band_group != "all"
    ):
        return None
    stats = PeerStat.objects.filter(
        provider_type=org.provider_type,
        metric=metric.code,
        month=month,
        profession="all",
        band_group="all",
    ).first()
    position = None
    if stats is not None and not own.suppressed and own.value is not None:
        position = PeerPosition.objects.filter(
            organisation=org, metric=metric.code, month=month
        ).first()
    kind = peer_group_name(org)
    chart = ""
    if stats is not None:
        chart = charts.peer_box(
            chart_id=f"peers-{metric.code}",
            title=f"{metric.name}: {org.display_name} compared with {stats.count} {kind} "
            "in England",
            stats=stats,
            value=None if own.suppressed else own.value,
            label=org.display_name,
            unit=metric.unit,
        )
    return PeerBenchmark(kind, month, stats, position, own, chart)
