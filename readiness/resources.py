"""The toolkit's "Supporting resources" (seed 002), word for word with their links, and the
links from the next-step prompts that point to them ("Review resources under workforce
planning.") to the right section of the resources page."""

from __future__ import annotations

import json
import re
from functools import cache

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .loading import SEED_DATA

RESOURCES_FILE = SEED_DATA / "supporting_resources.json"


@cache
def supporting_resources() -> dict:
    """The transcription in readiness/seed_data/supporting_resources.json (read once)."""
    return json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))


def item_html(item: dict) -> SafeString:
    """One resource's wording with the part that is its hyperlink as a link."""
    before, _, after = item["text"].partition(item["link"])
    return format_html('{}<a href="{}">{}</a>{}', before, item["url"], item["link"], after)


@cache
def _pointer_pattern() -> tuple[re.Pattern, dict[str, str]]:
    pointers = {p["phrase"]: p["anchor"] for p in supporting_resources()["pointers"]}
    longest_first = sorted(pointers, key=len, reverse=True)
    return re.compile("|".join(re.escape(phrase) for phrase in longest_first)), pointers


def link_prompt(text: str) -> SafeString:
    """A next-step prompt, escaped, with each phrase that points to the supporting resources
    made a link to the section it names on the resources page."""
    pattern, anchors = _pointer_pattern()
    page = reverse("readiness:resources")
    html, position = [], 0
    for match in pattern.finditer(text):
        anchor = anchors[match.group(0)]
        html.append(escape(text[position : match.start()]))
        html.append(
            format_html(
                '<a href="{}{}">{}</a>', page, f"#{anchor}" if anchor else "", match.group(0)
            )
        )
        position = match.end()
    html.append(escape(text[position:]))
    return mark_safe("".join(html))  # noqa: S308 - every piece above is escaped or format_html
