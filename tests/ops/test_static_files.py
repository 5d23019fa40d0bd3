"""Static files work with the manifest storage that DEBUG off uses."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

# The references ManifestStaticFilesStorage rewrites (and so needs to find), as Django writes them.
SOURCE_MAP = {
    ".css": re.compile(r"(?m)^/\*#[ \t]sourceMappingURL=(.*?)[ \t]*\*/$"),
    ".js": re.compile(r"(?m)^//# sourceMappingURL=(.*)$"),
}


def _static_files():
    for finder in finders.get_finders():
        for relative, storage in finder.list(["*.map"]):
            yield relative, Path(storage.path(relative))


def test_no_css_or_js_names_a_source_map_that_is_not_shipped():
    # ManifestStaticFilesStorage rewrites sourceMappingURL references; one that names a missing
    # file aborts collectstatic, and then every page is a 500 with DEBUG off.
    missing = []
    for relative, full in _static_files():
        if full.suffix not in {".css", ".js"}:
            continue
        text = full.read_text(encoding="utf-8", errors="replace")
        for name in SOURCE_MAP[full.suffix].findall(text):
            if not name.startswith("data:") and not (full.parent / name).exists():
                missing.append(f"{relative} -> {name}")
    assert not missing, missing


def test_collectstatic_with_the_manifest_storage_writes_every_page_asset(tmp_path, settings_):
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in (
        "nhsuk-frontend-10.6.1/nhsuk-frontend.min.css",
        "nhsuk-frontend-10.6.1/nhsuk-frontend.min.js",
        "nhsuk-frontend-10.6.1/assets/images/favicon.ico",
        "css/portal.css",
    ):
        assert f'"{name}"' in manifest


def test_collectstatic_leaves_out_redoc_and_keeps_swagger_ui_and_the_admin():
    # Redoc is never served (/api/v1/redoc/ leads to Swagger UI): ahpportal/staticfiles.py
    collected = {relative for finder in finders.get_finders() for relative, _ in finder.list([])}
    assert not [name for name in collected if name.startswith("drf_spectacular_sidecar/redoc/")]
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert "admin/css/base.css" in collected
    assert "js/portal.js" in collected  # the project's own


def test_source_maps_are_shipped_but_not_compressed(settings):
    assert "map" in settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS
    assert "png" in settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS  # whitenoise's own list kept


@pytest.fixture
def settings_(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        # The manifest storage without whitenoise's compression: the same checks, seconds faster.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    return settings
