"""The Jinja2 row lists (web/partials.py) render as the Django page around them would: values
escaped, Django's safe strings kept, translations of the active language, dates in the site's
time zone, URLs reversed."""

from __future__ import annotations

import datetime as dt

from django.template import engines
from django.utils import translation
from django.utils.html import format_html

from stromalab.web.partials import render_rows


def _render(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_values_are_escaped_and_safe_strings_kept() -> None:
    html = _render("<td>{{ typed }}</td>{{ built }}", typed='<script>alert("x")</script>',
                   built=format_html("<b>{}</b>", "<i>"))
    assert html == "<td>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td><b>&lt;i&gt;</b>"


def test_translations_dates_and_urls_are_djangos() -> None:
    moment = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 1 December in Paris
    source = '{{ _("withdrawn") }} {{ moment|date("Y-m-d H:i") }} {{ url("donors:detail", "NCT05947682-001") }}'
    with translation.override("fr"):
        assert _render(source, moment=moment) == "retiré 2026-12-01 00:30 /donors/NCT05947682-001/"
    with translation.override("en"):
        assert _render(source, moment=moment).startswith("withdrawn 2026-12-01 00:30")


def test_rows_reach_the_django_page_as_one_safe_string(db: None) -> None:
    rows = render_rows("audit/trail_rows.html", rows=[])
    assert rows.__html__() == rows and "No events." in rows
