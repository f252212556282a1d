"""English and French pages; the committed .mo matches the .po."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stromalab.web.i18n import LOCALE_DIR, mo_bytes, parse_po

pytestmark = pytest.mark.django_db


def test_mo_is_compiled_from_po() -> None:
    po = LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po"
    entries = parse_po(po.read_text(encoding="utf-8"))
    assert len(entries) > 50
    assert (po.with_suffix(".mo")).read_bytes() == mo_bytes(entries)


def test_language_switch(client_as: Any) -> None:
    client = client_as("coordinator")
    assert b"Register a donor" in client.get("/donors/").content
    client.post("/i18n/setlang/", {"language": "fr", "next": "/donors/"})
    body = client.get("/donors/").content.decode()
    assert "Enregistrer un donneur" in body and 'lang="fr"' in body
    login = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/accounts/login/").content.decode()
    assert "Connexion" in login
