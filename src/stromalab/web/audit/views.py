"""Reading the trail: all events, or one subject's (a donor pseudonym, a batch code), filtered,
a page at a time without counting (trail.py), readable (formatting.py), exported as CSV
(export.py).

The people who work on batches reach only a batch's trail, from the batch page: any other
subject is refused with the reason on the 403 page (permissions.py).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext

from stromalab.web.accounts.permissions import require_role

from .export import csv_lines, record_export
from .formatting import readable, zone_name
from .permissions import BATCH_TRAIL_READERS, READERS
from .trail import TrailFilter, filter_html, filtered, page


def _trail(request: Any, subject: str = "") -> HttpResponse:
    form = TrailFilter(request.GET or None)
    found = page(filtered(form, subject), request.GET.get("before"), request.GET.get("after"))
    kept = request.GET.copy()
    for cursor in ("before", "after"):
        kept.pop(cursor, None)
    return render(request, "audit/event_list.html", {
        "form": form, "form_html": filter_html(form), "subject": subject, "page": found,
        "rows": readable(request.user, found.events),
        "zone": zone_name(), "query": kept.urlencode()})


def _export(request: Any, subject: str = "") -> StreamingHttpResponse:
    form = TrailFilter(request.GET or None)
    event = record_export(acting_user=request.user, subject=subject, filters=form.applied())
    response = StreamingHttpResponse(csv_lines(request.user, filtered(form, subject), event.id - 1),
                                     content_type="text/csv; charset=utf-8")
    name = f"audit-trail-{slugify(subject)}" if subject else "audit-trail"
    response["Content-Disposition"] = f'attachment; filename="{name}-{event.id}.csv"'
    return response


def _check_subject(user: Any, subject: str) -> None:
    """The batch people read a batch's trail only: say so when the subject is anything else."""
    if getattr(user, "role", None) in READERS:
        return
    batch = apps.get_model("manufacturing", "Batch")
    if not batch._default_manager.filter(code=subject).exists():
        raise PermissionDenied(gettext(
            "Your role reads the audit trail of a batch only, from the batch's page; "
            "“%(subject)s” is not a batch.") % {"subject": subject})


@require_role(READERS)
def event_list(request: Any) -> HttpResponse:
    """All events, newest first, filtered."""
    return _trail(request)


@require_role(READERS)
def event_export(request: Any) -> StreamingHttpResponse:
    """All events under the page's filters, as CSV."""
    return _export(request)


@require_role(READERS, BATCH_TRAIL_READERS)
def subject_trail(request: Any, subject: str) -> HttpResponse:
    """One donor's or batch's events (every record filed under it), newest first, filtered."""
    _check_subject(request.user, subject)
    return _trail(request, subject)


@require_role(READERS, BATCH_TRAIL_READERS)
def subject_export(request: Any, subject: str) -> StreamingHttpResponse:
    """One donor's or batch's events under the page's filters, as CSV."""
    _check_subject(request.user, subject)
    return _export(request, subject)
