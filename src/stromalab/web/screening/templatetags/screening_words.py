"""``{{ verdict|verdict }}``: a screening verdict in the reader's language (pages store and
compare the English word; people read their own)."""

from __future__ import annotations

from django import template

from stromalab.web.screening.wording import verdict_label

register = template.Library()


@register.filter(name="verdict")
def verdict_filter(value: str | None) -> str:
    return verdict_label(value)
