"""A chair signs in, walks the tree down from their ICS and cannot reach a sibling ICS."""

from playwright.sync_api import expect

from councils.demo import current_totp_code


def test_chair_walks_the_tree(page, login, axe, tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.test")

    page.goto("/accounts/login/")
    axe(page)
    login("chair@syb.test")
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()
    axe(page)

    page.get_by_role("link", name=tree["QF7"].name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tree["QF7"].name)
    axe(page)

    page.get_by_role("link", name="Doncaster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Doncaster")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link", name=tree["QF7"].name)).to_be_visible()
    assert breadcrumb.get_by_role("link", name="North East and Yorkshire").count() == 0
    axe(page)

    page.get_by_role("link", name=tree["RP5"].name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tree["RP5"].name)
    axe(page)

    response = page.goto(f"/org/{tree['QWO'].code}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    axe(page)

    page.goto("/account/")
    expect(
        page.get_by_role("cell", name="Chair (council chair, regional lead)", exact=True)
    ).to_be_visible()
    axe(page)


def test_wrong_password_is_refused_clearly(page, login, axe, tree, make_user):
    make_user("viewer", tree["QF7"], email="viewer@syb.test")
    login("viewer@syb.test", password="not the password")
    assert "not correct" in page.content()
    axe(page)


def test_admin_signs_in_with_totp_and_invites(page, login, axe, tree, make_user):
    make_user("org_admin", tree["QF7"], email="admin@syb.test")
    login("admin@syb.test")
    page.get_by_label("Code", exact=True).fill(current_totp_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()

    page.goto(f"/org/{tree['QF7'].code}/people/")
    axe(page)
    page.get_by_label("Email address").fill("new.person@syb.test")
    page.get_by_label("Organisation").select_option(label=f"{tree['RP5'].name} (Provider)")
    page.get_by_label("Role", exact=True).select_option("respondent")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to new.person@syb.test")).to_be_visible()
    expect(page.get_by_role("cell", name="new.person@syb.test")).to_be_visible()
    axe(page)
