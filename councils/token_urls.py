"""The API token pages (included at "" by ahpportal/urls.py; names without a namespace)."""

from django.urls import path

from . import token_views

urlpatterns = [
    path("account/tokens/", token_views.api_tokens, name="api_tokens"),
    path(
        "account/tokens/<int:pk>/revoke/",
        token_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
]
