"""JSON endpoints answer ``application/problem+json`` even when the body cannot be read.

Django refuses a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``) or
with too many fields the first time something reads it, usually the CSRF middleware, and turns
that into its HTML 400 page. For the API and the readiness autosave, which scripts call, this
middleware reads the body first and answers a problem instead: 413 for too large, 400 for too
many fields. Uploaded files in a multipart body do not count towards the limit (Django streams
them to disk), so import uploads are not affected.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

from .api.exceptions import problem_response

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_json_endpoint(path: str) -> bool:
    return path.startswith("/api/") or (
        path.startswith("/readiness/submissions/") and path.endswith("/autosave/")
    )


class JsonBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS and is_json_endpoint(request.path_info):
            refused = self._read(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def _read(request):
        try:
            if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                request.POST  # noqa: B018 - parse now, so that a refusal is a problem
            else:
                request.body  # noqa: B018
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return problem_response(
                413,
                f"The request body is larger than the {limit:,} bytes allowed. Send less text "
                "at once (a free-text field holds at most 10,000 characters).",
            )
        except (TooManyFieldsSent, TooManyFilesSent) as error:
            return problem_response(400, f"The request has too many fields: {error}")
        return None
