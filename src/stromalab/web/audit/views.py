"""Reading the trail: all events (filterable) and per subject (donor pseudonym, batch)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from stromalab.web.accounts.permissions import require_role

from .models import AuditEvent, ChainHead
from .permissions import READERS
from .visibility import as_seen_by


@require_role(READERS)
def event_list(request: Any) -> HttpResponse:
    qs = AuditEvent.objects.order_by("-id")
    filters = {k: request.GET.get(k, "").strip() for k in ("subject", "record_type", "username", "action")}
    for key, value in filters.items():
        if value:
            qs = qs.filter(**{key: value})
    paginator = Paginator(qs, 100)
    if not any(filters.values()):
        # ids run 1..last_id without gaps (chain.py): the head counts the whole trail, where
        # COUNT(*) would read every row of it on each page
        paginator.count = ChainHead.objects.values_list("last_id", flat=True).filter(pk=1).first() or 0
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {
        "page": page, "events": as_seen_by(request.user, page.object_list), "filters": filters})


@require_role(READERS)
def subject_trail(request: Any, subject: str) -> HttpResponse:
    """The whole trail of one donor (or batch), oldest first: printable."""
    events = AuditEvent.objects.filter(subject=subject).order_by("id")
    return render(request, "audit/subject_trail.html",
                  {"subject": subject, "events": as_seen_by(request.user, events)})
