"""The long row lists of the busiest pages, rendered by Jinja2 inside Django's pages.

Django's template engine walks its nodes for every value (variable lookup, localisation,
escaping): the audit trail's 100 rows took 10 ms of its page, under load the largest part of it
(docs/performance.md). Jinja2, which Django supports as a second engine, compiles a template to
Python and renders the same rows byte for byte in 2 ms. Only row lists are Jinja2 templates (an
app's ``jinja2/`` folder); the page around them stays a Django template and receives the rows as
one string, already escaped.

Autoescaping is on (Django's Jinja2 backend turns it on), so a value is escaped exactly as in
a Django template; ``_()`` is Django's ``gettext`` (the active language, the apps' catalogues).
"""

from __future__ import annotations

from typing import Any

from django.template import engines
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of settings.TEMPLATES: translations through Django's catalogues."""
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render_rows(template_name: str, **context: Any) -> SafeString:
    """The rows of ``template_name`` (a Jinja2 template) as HTML to place in a Django page."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)  # every value escaped by Jinja2 (autoescape)
