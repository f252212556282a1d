"""The pages' Jinja2 templates render what Django's template language rendered (web/templating.py):
values escaped and safe strings kept, numbers and times the reader's way,
``a.b`` calling what takes no argument (never what alters data), missing names empty,
translations of the active language with their variables escaped, URLs reversed, and every POST
form's CSRF input and submission token."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import format_html


def _render(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_values_are_escaped_and_safe_strings_kept() -> None:
    html = _render("<td>{{ typed }}</td>{{ built }}|{{ n }}|{% trans name=typed %}I, {{ name }}, sign this record "
                   "as its author.{% endtrans %}", typed="<script>alert(\"x\", 'y')</script>",
                   built=format_html("<b>{}</b>", "<i>"), n=12345)
    typed = "&lt;script&gt;alert(&#34;x&#34;, &#39;y&#39;)&lt;/script&gt;"
    assert html == f"<td>{typed}</td><b>&lt;i&gt;</b>|12345|I, {typed}, sign this record as its author."


def test_numbers_and_times_are_shown_the_readers_way() -> None:
    moment = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 1 December, 00:30 in Paris
    source = "{{ weight }}|{{ moment|date('Y-m-d H:i') }}|{{ moment.hour }}|{{ moment }}"
    with translation.override("fr"):
        french = _render(source, weight=Decimal("62.5"), moment=moment)
    assert french.startswith("62,5|2026-12-01 00:30|23|") and "00:30" in french.split("|")[3]
    with translation.override("en"):
        assert _render(source, weight=62.5, moment=moment).startswith("62.5|2026-12-01 00:30|")


class Record:
    deleted = False

    def label(self) -> str:
        return "called"

    def named(self, name: str) -> str:
        return f"named {name}"

    def delete(self) -> None:
        self.deleted = True

    delete.alters_data = True  # type: ignore[attr-defined]


def test_lookups_call_what_takes_no_argument_and_never_what_alters_data() -> None:
    record = Record()
    html = _render("{{ r.label }}|{{ r.named('x') }}|{{ r.delete }}|{{ d.items|length }}|{{ r.missing.deeper }}|"
                   "{% if r.missing %}shown{% else %}empty{% endif %}", r=record, d={"a": 1})
    assert html == "called|named x||1||empty" and not record.deleted


def test_translations_with_their_variables_escaped() -> None:
    source = ('{{ _("withdrawn") }}|{{ _("Limit (%)") }}|{% trans name=who %}I, {{ name }}, sign this record as '
              'its author.{% endtrans %}|{{ url("donors:detail", "NCT05947682-001") }}')
    with translation.override("fr"):
        html = _render(source, who="<b>Ana</b>")
    assert html == ("retiré|Limite (%)|Je soussigné(e), &lt;b&gt;Ana&lt;/b&gt;, signe cet enregistrement en tant "
                    "qu'auteur.|/donors/NCT05947682-001/")


def test_a_post_form_carries_the_csrf_input_and_a_new_submission_token(db: Any) -> None:
    request = RequestFactory().get("/")
    template = engines["jinja2"].from_string("<form method=post>{{ form_tokens() }}</form>")
    first, second = template.render({}, request), template.render({}, request)
    assert re.search(r'name="csrfmiddlewaretoken" value="\w+"', first)
    tokens = [re.search(r'name="submission_token" value="([0-9a-f-]{36})"', html).group(1)  # type: ignore[union-attr]
              for html in (first, second)]
    assert tokens[0] != tokens[1]
    assert template.render({}) == "<form method=post></form>"  # no request, no form tokens


def test_djangos_filters_escape_once() -> None:
    html = _render('{{ items|join(", ") }}|{{ text|linebreaksbr }}|{{ missing|default("—") }}|{{ gone|date("Y") }}',
                   items=["<a>", "b"], text="x<\ny")
    assert html == "&lt;a&gt;, b|x&lt;<br>y|—|"
