"""Fixtures for the operations tests: the API token client comes from tests/api."""

from tests.api.conftest import token_for  # noqa: F401 - a fixture used here too
