"""Settings of the analyst REST API (imported at the end of ahpportal/settings.py).

Throttle rates come from the environment: ``API_THROTTLE_TOKEN`` (per API token) and
``API_THROTTLE_SESSION`` (per signed-in browser user), e.g. ``"1200/hour"``.
"""

import environ

env = environ.Env()

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "ahpportal.api.ProblemAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ahpportal.api_base.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "ahpportal.api_base.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "ahpportal.api_base.CursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ahpportal.api_base.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["ahpportal.api_base.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_THROTTLE_TOKEN", default="1200/hour"),
        "session": env("API_THROTTLE_SESSION", default="1200/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": "format",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AHP Portal API",
    "DESCRIPTION": (
        "Read the AHP Quality Dashboard, readiness toolkits and delivery plans.\n\n"
        "**Authentication**: create a personal token on your account page (API tokens) and send "
        "it as `Authorization: Bearer <token>`. Tokens are for people holding the analyst or the "
        "data manager role: every read is limited to the organisations where you hold the "
        "analyst role (and everything below them), and a workforce import to those where you "
        "hold the data manager role. Anything outside that scope answers 404, exactly as if it "
        "did not exist.\n\n"
        "**Formats**: JSON by default; add `?format=csv` (or send `Accept: text/csv`) to any "
        "list to stream every matching row as CSV, without pagination.\n\n"
        "**Pagination**: lists are cursor-paginated; follow `next` until it is null. "
        "`page_size` takes up to 1000.\n\n"
        "**Caching**: responses, streamed CSV included, carry an `ETag`; send it back as "
        "`If-None-Match` to get `304 Not Modified` when nothing changed, which lists answer "
        "without reading their rows. `Last-Modified` is sent where one time covers every "
        "change (metric values: when the latest recompute finished).\n\n"
        "**Errors** are RFC 9457 problem details (`application/problem+json`).\n\n"
        "**Small numbers**: values resting on fewer than 5 people are returned as null with "
        "`suppressed: true` for organisations other than your own."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "ENUM_NAME_OVERRIDES": {},
    "DISABLE_ERRORS_AND_WARNINGS": False,
    # Swagger UI and Redoc served from drf-spectacular-sidecar: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
