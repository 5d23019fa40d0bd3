"""NHS-styled error pages: 400, 403, 404 and 500 in the base layout, with DEBUG off."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.template import loader
from django.test import override_settings
from django.urls import path

from ahpportal.urls import urlpatterns as project_urls


def _bad_request(request):
    raise BadRequest("bad")


def _forbidden(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-400/", _bad_request),
    path("test-403/", _forbidden),
    path("test-500/", _boom),
    *project_urls,
]


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-400/", 400, "Sorry, we could not understand that request"),
        ("/test-403/", 403, "You cannot do that"),
        ("/no-such-page/", 404, "Page not found"),
        ("/test-500/", 500, "Sorry, there is a problem with the service"),
    ],
)
def test_each_error_page_is_in_the_nhs_layout(client, db, production_errors, url, status, heading):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 class="nhsuk-heading-xl">{heading}</h1>' in html
    assert 'class="nhsuk-header"' in html and 'class="nhsuk-footer"' in html
    assert "nhsuk-frontend.min" in html  # the NHS.UK stylesheet, through the base layout


def test_an_out_of_scope_organisation_shows_the_nhs_404(client_for, tree, production_errors):
    client = client_for("viewer", tree["QWO"])
    response = client.get("/org/QF7/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="nhsuk-header"' in html
    assert "Go to your organisations" in html


def test_the_500_page_renders_without_a_request_or_the_database():
    # django.views.defaults.server_error renders it with no request, so no context processors
    # run: the page must not need the signed-in user, nor any query (the database may be down).
    # Without the db fixture pytest-django makes any query raise.
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert 'class="nhsuk-header"' in html


@override_settings(DEBUG=False)
def test_a_form_without_its_csrf_token_gets_the_nhs_403(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form could not be sent" in html and 'class="nhsuk-header"' in html
