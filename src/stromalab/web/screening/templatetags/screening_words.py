"""``{{ verdict|verdict }}``: a screening verdict in the reader's language (pages store and
compare the English word; people read their own). ``{{ query|query_text }}``: a data query's
text, an automatic one in the reader's language (:mod:`stromalab.web.screening.query_text`)."""

from __future__ import annotations

from django import template

from stromalab.web.screening.models import DataQuery
from stromalab.web.screening.query_text import shown_text
from stromalab.web.screening.wording import verdict_label

register = template.Library()


@register.filter(name="verdict")
def verdict_filter(value: str | None) -> str:
    return verdict_label(value)


@register.filter(name="query_text")
def query_text_filter(query: DataQuery) -> str:
    return shown_text(query)
