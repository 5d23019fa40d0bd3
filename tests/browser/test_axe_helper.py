"""The axe-core check every browser test relies on finds a violation, with the rule named, and
passes a page without one (it reports violations only, which keeps it fast on large pages)."""

import pytest

from tests.browser.conftest import assert_accessible

CLEAN = (
    '<!DOCTYPE html><html lang="en"><head><title>Clean</title></head><body><main>'
    '<h1>Clean</h1><label for="q">Search</label><input id="q" name="q"></main></body></html>'
)
BROKEN = (
    '<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main>'
    '<h1>Broken</h1><img src="data:,"><input name="q"></main></body></html>'
)


@pytest.fixture
def blank(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def test_a_page_without_violations_passes(blank):
    blank.set_content(CLEAN)
    assert_accessible(blank)


def test_each_violation_is_reported_by_its_rule(blank):
    blank.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(blank)
    assert "image-alt" in str(failure.value) and "label" in str(failure.value)
