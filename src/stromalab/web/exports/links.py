"""``{{ table_export("donors") }}``: a list page's "Export: CSV · Excel" links, carrying the
page's filters (its query string, without the page number or the trail's cursors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context

#: which page of the list is shown: not a filter, so not carried
PAGING = ("page", "before", "after")


@pass_context
def table_export(context: Context, table: str) -> SafeString:
    params = context["request"].GET.copy()
    for key in PAGING:
        params.pop(key, None)
    query = f"?{params.urlencode()}" if params else ""
    return format_html('<p class="table-export">{}: <a class="export-csv" href="{}" download>CSV</a> · '
                       '<a class="export-xlsx" href="{}" download>Excel</a></p>', _("Export what this page shows"),
                       reverse(f"exports:{table}-csv") + query, reverse(f"exports:{table}-xlsx") + query)
