"""CSV for every API response: lists stream every matching row (see
:meth:`ahpportal.api.viewsets.ScopedViewSet.stream_csv`); :class:`CSVRenderer` renders the rest.
Every cell is made spreadsheet-safe by :mod:`workforce.csv_safety`, whose streamer is the only one
in the portal."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse
from rest_framework import renderers

from workforce.csv_safety import stream_safe_csv


def flatten(record: dict, prefix="") -> dict:
    """A nested JSON record as one level of ``a.b`` columns (lists joined with ``; ``)."""
    out = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)
        else:
            out[name] = value
    return out


def csv_response(
    header: list[str], rows: Iterable[Iterable], *, filename: str, safe: bool = False
) -> StreamingHttpResponse:
    """A streamed CSV download named ``filename``.csv (``safe``: the rows are already safe)."""
    response = StreamingHttpResponse(
        stream_safe_csv(rows, header=header, safe=safe), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class CSVRenderer(renderers.BaseRenderer):
    """``text/csv``: lists stream through :meth:`ScopedViewSet.stream_csv`; this renders the
    rest (a single object, or a small list that is not a queryset)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        records = [flatten(r) for r in (data if isinstance(data, list) else [data])]
        header: list[str] = []
        for record in records:
            header.extend(k for k in record if k not in header)
        rows = ([record.get(k) for k in header] for record in records)
        return "".join(stream_safe_csv(rows, header=header)).encode()
