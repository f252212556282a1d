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

import datetime as dt
from typing import Any

from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    """The Jinja2 environment of settings.TEMPLATES: translations through Django's catalogues,
    ``url()`` as Django's ``{% url %}``, ``|date(format)`` as Django's ``|date`` (site time)."""
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["url"] = _url
    env.filters["date"] = _local_date
    return env


def _url(view_name: str, *args: Any) -> str:
    return reverse(view_name, args=args)


def _local_date(value: dt.datetime | dt.date | None, format_string: str) -> str:
    """Django's ``|date`` filter, which its engine gives the value in the site's time zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and is_aware(value):
        value = localtime(value)
    return date_filter(value, format_string)


def render_rows(template_name: str, **context: Any) -> SafeString:
    """The rows of ``template_name`` (a Jinja2 template) as HTML to place in a Django page."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)  # every value escaped by Jinja2 (autoescape)
