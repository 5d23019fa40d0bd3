"""The board report as a PDF: WeasyPrint lays out the same HTML the browser prints (print media,
A4), so the download and a browser's "Save as PDF" agree.

Stylesheets and images under ``STATIC_URL`` are read from disk (the static finders, or the
collected files in production); nothing else is fetched, so rendering never makes a request to
this server or to the network (the NHS.UK web fonts fall back to the system's sans-serif).
WeasyPrint needs the Pango library; where it is missing, :func:`available` is False and the
pages offer the browser's print command alone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

_weasyprint = None
_problem = ""


def _load():
    global _weasyprint, _problem
    if _weasyprint is None and not _problem:
        # it logs its progress (also while importing) and warns of every CSS rule it does not
        # support (vendor hacks in NHS.UK frontend): keep only its errors
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        try:
            import weasyprint
        except (ImportError, OSError) as exc:  # OSError: Pango is not installed
            _problem = f"{type(exc).__name__}: {exc}"
        else:
            _weasyprint = weasyprint
    return _weasyprint


def available() -> bool:
    return _load() is not None


def static_file(url: str) -> Path | None:
    """The file on disk behind a URL under STATIC_URL, or None."""
    path = unquote(urlsplit(url).path)
    prefix = urlsplit(settings.STATIC_URL).path
    if not path.startswith(prefix):
        return None
    name = path[len(prefix) :]
    if ".." in Path(name).parts:
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    try:  # collected (and possibly hashed) files in production
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:  # pragma: no cover - a remote storage
        return None
    return collected if collected.is_file() else None


def render(html: str, *, base_url: str) -> bytes:
    """PDF bytes of ``html``; raises RuntimeError when WeasyPrint cannot run here."""
    return document(html, base_url=base_url).write_pdf()


def document(html: str, *, base_url: str):
    """``html`` laid out in pages (a WeasyPrint Document: ``.pages``, ``.write_pdf()``)."""
    weasyprint = _load()
    if weasyprint is None:
        raise RuntimeError(f"PDF rendering is not available on this server ({_problem}).")

    class StaticOnly(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            found = static_file(url)
            if found is None:
                raise ValueError(f"Not fetched while making a PDF: {url}")
            return super().fetch(found.as_uri(), headers)

    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticOnly()).render()
