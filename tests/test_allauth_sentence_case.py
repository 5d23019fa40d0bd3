"""django-allauth's pages in sentence case (CONVENTIONS.md): its Title Case headings, buttons and
labels are translated by the project's en_GB catalogue (locale/en_GB, LOCALE_PATHS), and the
compiled catalogue matches the source one."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"
TITLE_CASE = ["Sign Out", "Change Password", "Password Reset", "Bad Token", "Set Password",
              "Current Password", "New Password", "Reset My Password", "Sign In"]  # fmt: skip


def _entries():
    text = PO.read_text()
    return [(a, b) for a, b in re.findall(r'msgid "(.+)"\nmsgstr "(.+)"', text)]


def test_every_entry_of_the_catalogue_is_compiled_and_in_sentence_case():
    entries = _entries()
    assert len(entries) > 50
    with translation.override("en-gb"):
        for msgid, msgstr in entries:
            assert translation.gettext(msgid) == msgstr, f"recompile the .mo: {msgid}"
            assert msgstr[0] == msgid[0] and msgstr != msgid


def _assert_sentence_case(html):
    for phrase in TITLE_CASE:
        assert phrase not in html, phrase


@pytest.mark.parametrize("name", ["account_logout", "account_change_password"])
def test_signed_in_account_pages_are_in_sentence_case(name, client_for, tree):
    client = client_for("viewer", tree["QF7"])
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_sentence_case(html)
    expected = {"account_logout": "Sign out", "account_change_password": "Change password"}
    assert expected[name] in html


def test_the_password_reset_pages_are_in_sentence_case(client, db):
    html = client.get(reverse("account_reset_password")).content.decode()
    _assert_sentence_case(html)
    done = client.get(reverse("account_reset_password_done")).content.decode()
    _assert_sentence_case(done)
    assert "Password reset" in done
    bad = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}),
        follow=True,
    ).content.decode()
    _assert_sentence_case(bad)
    assert "Bad token" in bad
