"""``{% table_export "donors" %}``: a list page's "Export: CSV · Excel" links, carrying the page's
filters (its query string, without the page number or the trail's cursors)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()

#: which page of the list is shown: not a filter, so not carried
PAGING = ("page", "before", "after")


@register.inclusion_tag("exports/_table_export.html", takes_context=True)
def table_export(context: Any, table: str) -> dict[str, str]:
    params = context["request"].GET.copy()
    for key in PAGING:
        params.pop(key, None)
    query = f"?{params.urlencode()}" if params else ""
    return {"csv": reverse(f"exports:{table}-csv") + query, "xlsx": reverse(f"exports:{table}-xlsx") + query}
