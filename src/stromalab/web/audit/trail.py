"""Which events a trail page shows: the filters people choose and keyset pages.

The trail may hold a million events. A page never counts them: it reads the 100 events below
(or above) an id along the primary key, plus one to know whether more follow, and the links say
"newer" and "older" instead of "page 3 of 10,000" (``COUNT(*)`` reads every matching row on every
page). Filters are a form, so that a bad date is refused beside its field in its label.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .formatting import site_zone, utc_text
from .kinds import LABELS
from .labels import NAMINGS, person_name, resolve_record_id, type_label
from .models import AuditEvent

#: events a page shows (50: the page renders in about half the time of 100, docs/performance.md)
PAGE_SIZE = 50


def _people() -> list[tuple[str, str]]:
    rows = get_user_model()._default_manager.order_by("last_name", "first_name", "username").values_list(
        "pk", "first_name", "last_name", "username")
    return [("", gettext("anyone")), *((str(pk), person_name(f, last, u)) for pk, f, last, u in rows)]


def _types() -> list[tuple[str, str]]:
    named = sorted(((t, capfirst(type_label(t))) for t in NAMINGS), key=lambda pair: pair[1].lower())
    return [("", gettext("any")), *named]


def _kinds() -> list[tuple[str, str]]:
    named = sorted(((str(k), str(label)) for k, label in LABELS.items()), key=lambda pair: pair[1].lower())
    return [("", gettext("any")), *named]


class TrailFilter(forms.Form):
    """The trail's filters; every one optional, all combined."""

    date_from = forms.DateField(label=_("From (date)"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (date)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    record = forms.CharField(
        label=_("Record"), required=False, max_length=64,
        help_text=_("donor pseudonym or batch code; with a record type, its id or name"))
    kind = forms.ChoiceField(label=_("Event"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _people()  # type: ignore[attr-defined]
        self.fields["record_type"].choices = _types()  # type: ignore[attr-defined]
        self.fields["kind"].choices = _kinds()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("must not be before the start date"))
        return data

    def applied(self) -> dict[str, str]:
        """The filters in force, as typed (recorded with an export; empty ones left out)."""
        if not self.is_valid():
            return {}
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "")}


def filter_key(form: TrailFilter) -> str:
    """Everything the filter form's HTML depends on besides the language: the values typed (not
    the page cursors) and the choices it offers (people, record types, events). Empty when the
    free-text record is typed: whatever a person types there, a name included, stays out of the
    cache folder."""
    if str(form.data.get("record", "")).strip():
        return ""
    typed = sorted((name, value) for name, value in form.data.items() if name in form.fields)
    offered = [form.fields[name].choices for name in ("person", "record_type", "kind")]  # type: ignore[attr-defined]
    return json.dumps([typed, offered], default=str)


def filter_html(form: TrailFilter) -> SafeString:
    """The filter form's HTML, kept ten minutes per language and :func:`filter_key`: 68 options
    rendered through Django's widget templates took 9.5 ms of a 40 ms trail page, the same for
    every page of a search (docs/performance.md); rendered each time when the key is empty."""
    key = filter_key(form)
    if not key:
        return SafeString(form.as_p())
    digest = hashlib.sha256(f"{get_language()}\0{key}".encode()).hexdigest()
    cache_key = f"stromalab:trail-filter:{digest}"
    html: str | None = cache.get(cache_key)
    if html is None:
        html = str(form.as_p())
        cache.set(cache_key, html, 600)
    return mark_safe(html)  # Django's own rendering of the form, stored as rendered


def _day_start(day: dt.date) -> str:
    return utc_text(dt.datetime.combine(day, dt.time(), tzinfo=site_zone()))


def filtered(form: TrailFilter, subject: str = "") -> QuerySet[AuditEvent]:
    """The events the (valid) form selects, under ``subject`` when the page is one subject's."""
    qs = AuditEvent.objects.all()
    if subject:
        qs = qs.filter(subject=subject)
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data["date_from"]:
        qs = qs.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        qs = qs.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    if data["person"] is not None:
        qs = qs.filter(user_id=data["person"])
    if data["kind"]:
        qs = qs.filter(action=data["kind"])
    record_type, record = data["record_type"], data["record"].strip()
    if record_type:
        qs = qs.filter(record_type=record_type)
        if record:
            qs = qs.filter(record_id=resolve_record_id(record_type, record) or record)
    elif record:
        qs = qs.filter(subject=record)
    return qs


@dataclass(frozen=True)
class Page:
    """Events newest first, and the cursors of the pages around them (``None``: none)."""

    events: list[AuditEvent]
    newer: int | None
    older: int | None


def _cursor(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


def page(qs: QuerySet[AuditEvent], before: str | None, after: str | None) -> Page:
    """The page below ``before`` (older), above ``after`` (newer), or the newest one.

    One query reads the page and one more row, which says whether the pages continue in that
    direction; one ``EXISTS`` looks the other way. No count.
    """
    above = _cursor(after)
    if above is not None and _cursor(before) is None:
        rows = list(qs.filter(id__gt=above).order_by("id")[:PAGE_SIZE + 1])
        more_newer = len(rows) > PAGE_SIZE
        events = rows[:PAGE_SIZE][::-1]
        more_older = bool(events) and qs.filter(id__lt=events[-1].id).exists()
    else:
        below = _cursor(before)
        scoped = qs if below is None else qs.filter(id__lt=below)
        rows = list(scoped.order_by("-id")[:PAGE_SIZE + 1])
        more_older = len(rows) > PAGE_SIZE
        events = rows[:PAGE_SIZE]
        more_newer = below is not None and bool(events) and qs.filter(id__gt=events[0].id).exists()
    return Page(events=events,
                newer=events[0].id if events and more_newer else None,
                older=events[-1].id if events and more_older else None)
