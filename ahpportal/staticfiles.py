"""The apps' static files, as Django finds them, less one bundle no page serves."""

from django.contrib.staticfiles import finders

# drf-spectacular-sidecar ships Redoc (5 MB with its source map), but /api/v1/redoc/ leads to
# Swagger UI (ahpportal/api/urls.py): hashing and compressing it took a third of every
# `collectstatic`, which `make serve` runs at each start.
NEVER_SERVED = ["drf_spectacular_sidecar/redoc/*"]


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder; what it lists for ``collectstatic`` leaves out :data:`NEVER_SERVED`."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NEVER_SERVED])
