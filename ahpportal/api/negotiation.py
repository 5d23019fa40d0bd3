"""Content negotiation: an unknown ``?format=`` is a 400 problem naming the formats the endpoint
offers, instead of DRF's bare 404 (which reads as "no such resource")."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


def offered_formats(renderers) -> list[str]:
    """The ``format`` values the renderers answer to, in their order, once each."""
    return list(dict.fromkeys(r.format for r in renderers if getattr(r, "format", None)))


class ProblemContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            allowed = offered_formats(renderers)
            raise exceptions.ValidationError(
                {
                    self.settings.URL_FORMAT_OVERRIDE: (
                        f"Unknown format {format!r}; use one of: {', '.join(allowed)}."
                    )
                }
            )
        return chosen
