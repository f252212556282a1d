"""English and French pages, and every message catalogue (the project's and each app's):
Babel reads it, it has no untranslated or fuzzy entry, every template string has an entry, and
the ``.mo`` Django loads is Babel's compilation of the ``.po`` (plurals and contexts included)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation
from jinja2.ext import babel_extract

from stromalab.web.catalogues import WEB_DIR, catalogues, mo_bytes, read_catalogue

pytestmark = pytest.mark.django_db

CATALOGUES = catalogues()
APP_DIRS = {po.parents[3] for po in CATALOGUES}
#: the translation functions of the pages' templates (web/templating.py)
TEMPLATE_KEYWORDS = ("_", "gettext", "ngettext", "pgettext", "npgettext")


def _name(po: Path) -> str:
    return str(po.relative_to(WEB_DIR))


def _templates(po: Path) -> list[Path]:
    """An app catalogue covers the app's templates; the project's, those of apps without one."""
    app = po.parents[3]
    apps = [app] if app != WEB_DIR else [d for d in WEB_DIR.iterdir() if d.is_dir() and d not in APP_DIRS]
    folders = [WEB_DIR / "jinja2"] if app == WEB_DIR else []
    folders += [a / "jinja2" for a in apps]
    return sorted(t for folder in folders for t in folder.rglob("*.html"))


def test_every_app_catalogue_is_found() -> None:
    assert {app.name for app in APP_DIRS} >= {"web", "manufacturing", "quality", "warehouse"}


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_catalogue_is_complete_and_compiled(po: Path) -> None:
    catalog = read_catalogue(po)
    entries = [message for message in catalog if message.id]
    assert len(entries) > 50
    assert catalog.plural_forms == "nplurals=2; plural=(n > 1);"  # Django's own French rule
    strings = [s for m in entries for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    assert all(strings), [m.id for m in entries if not all(m.string if isinstance(m.string, tuple) else (m.string,))]
    assert not [m.id for m in entries if m.fuzzy]
    assert po.with_suffix(".mo").is_file(), "run `stromalab i18n compile` (make test does)"
    assert po.with_suffix(".mo").read_bytes() == mo_bytes(catalog)


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_every_template_string_has_an_entry(po: Path) -> None:
    own = read_catalogue(po)
    # the project catalogue's pages may link into an app and reuse that app's label
    others = [read_catalogue(p) for p in CATALOGUES if p != po] if po.parents[3] == WEB_DIR else []
    for template in _templates(po):
        with template.open("rb") as source:
            # Jinja2's own extractor: _(), pgettext() and {% trans %} blocks, with their plurals
            extracted = list(babel_extract(source, TEMPLATE_KEYWORDS, [], {"newstyle_gettext": "true"}))
        for _line, function, message, _comments in extracted:
            context, msgid = message if function == "pgettext" else (None, message)
            if function in ("ngettext", "npgettext"):
                context, msgid = (message[0], message[1]) if function == "npgettext" else (None, message[0])
            found = [c for c in (own, *others) if c.get(msgid, context=context) is not None]
            assert found, (template.name, msgid, context)


#: the translation functions the Python sources use, and which arguments are the message (Babel's notation)
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "ngettext": (1, 2), "ngettext_lazy": (1, 2),
            "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2)}


def test_every_python_string_marked_for_translation_has_a_french_entry() -> None:
    """Verdicts, refusals, role names, event kinds: a string the code marks for translation but
    no catalogue holds reaches a French page in English."""
    from babel.messages.extract import extract_from_file

    french = [read_catalogue(po) for po in CATALOGUES if po.parts[-3] == "fr"]
    missing = []
    for source in sorted(WEB_DIR.rglob("*.py")):
        if "migrations" in source.parts:
            continue
        for line, message, _comments, context in extract_from_file("python", str(source), keywords=KEYWORDS):
            msgid = message if isinstance(message, str) else message[0]
            if not any(c.get(msgid, context=context) is not None for c in french):
                missing.append(f"{source.relative_to(WEB_DIR)}:{line}: {msgid}")
    assert not missing, "\n".join(missing)


def test_donor_trace_page_plural_is_french() -> None:
    # the page's own {% trans %} block with its plural, rendered as the page renders it
    template = (WEB_DIR / "manufacturing" / "jinja2" / "manufacturing" / "trace_donor.html").read_text(encoding="utf-8")
    block = re.search(r"{% trans n=blocked\|length %}.*?{% endtrans %}", template)
    assert block is not None
    page = engines["jinja2"].from_string(block.group(0))
    with translation.override("fr"):
        assert page.render({"blocked": [1]}) == "Consentement retiré ou non valide : 1 contenant est bloqué."
        assert page.render({"blocked": [1, 2, 3, 4]}) == "Consentement retiré ou non valide : 4 contenants sont bloqués."
    assert page.render({"blocked": [1, 2]}) == "Consent withdrawn or not valid: 2 containers are blocked."


def test_context_entries_reach_the_pages() -> None:
    page = engines["jinja2"].from_string('{{ pgettext("verb", "Release") }}|{{ pgettext("noun", "Release") }}')
    with translation.override("fr"):
        assert page.render({}) == "Libérer|Libération"


def test_language_switch(client_as: Any) -> None:
    client = client_as("coordinator")
    assert b"Register a donor" in client.get("/donors/").content
    client.post("/i18n/setlang/", {"language": "fr", "next": "/donors/"})
    body = client.get("/donors/").content.decode()
    assert "Enregistrer un donneur" in body and 'lang="fr"' in body
    login = Client(HTTP_ACCEPT_LANGUAGE="fr").get("/accounts/login/").content.decode()
    assert "Connexion" in login
