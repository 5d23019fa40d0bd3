"""The API reference at 1,280 px and at 320 px: no axe-core violations (WCAG 2.2 A and AA), no
sideways scroll of the page, its tables in focusable scroll regions, and the way back to the
portal and on to the Swagger UI."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def test_the_api_reference_is_accessible_at_both_widths(page, login, axe, tree, make_user):
    make_user("analyst", tree["QF7"], email="analyst@syb.test")
    login("analyst@syb.test")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="API").click()
    page.wait_for_url("**/api/v1/reference/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    assert page.title() == "API reference - AHP Portal"
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert page.evaluate(OVERFLOW) <= 0, f"the page scrolls sideways at {width} px"
        axe(page)
    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="List metric values").click()
    expect(page.get_by_role("heading", level=3, name="List metric values")).to_be_in_viewport()
    region = page.get_by_role("region", name="Parameters: List metric values")
    region.focus()
    expect(region).to_be_focused()
    assert page.get_by_role("table", name="Parameters: List metric values").is_visible()
    page.get_by_role("link", name="Try the API in the interactive documentation").click()
    page.wait_for_url("**/api/v1/docs/")
    page.go_back()
    page.get_by_role("link", name="Back to the portal").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
