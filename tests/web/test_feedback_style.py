"""Refusals look like errors and success alone is green: each message carries its level and a
role (alert for warnings and errors); a 403 is a page that says why, in the user's language."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils import translation


def test_a_refusal_is_an_alert_and_a_success_a_status(client_as: Any, study: Any) -> None:
    client = client_as("coordinator")
    refused = client.post("/donors/new/", {"last_name": "", "first_name": ""}, follow=True).content.decode()
    assert 'class="errorlist' in refused  # beside the field
    saved = client.post("/donors/new/", {"last_name": "Martin", "first_name": "Claire"},
                        follow=True).content.decode()
    success = re.search(r'<li class="success" role="status">Donor registered as [^<]+</li>', saved)
    assert success, saved[:2000]
    assert 'role="alert"' not in saved


def test_a_forbidden_page_says_why_in_the_users_language(client_as: Any) -> None:
    client = client_as("operator")
    english = client.get("/audit/")
    assert english.status_code == 403
    page = english.content.decode()
    assert 'id="forbidden-reason"' in page and "your role may not do this" in page and "<header>" in page
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        french = client.get("/audit/").content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left French active in this thread
    assert "Accès refusé" in french and "votre rôle ne permet pas cette action" in french
