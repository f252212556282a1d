"""Entering the case report form and the coded history (conditions, medications).

Each change re-screens the record with the engine and caches the result; a discrepancy the
engine finds opens a data query. The ``*_in_transaction`` steps serve actions of other apps
that enter screening data as part of their own change (web/warehouse registers a candidate).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import assert_data_entry_allowed
from stromalab.web.donors.models import Donor

from .. import models as m
from ..permissions import DATA_SOURCES, ENTRY_ROLES
from ..record import Evaluation, evaluate
from ..values import apply_data, change_labels, record_problem, to_date
from .common import open_query_row, screening_for

_CODE = re.compile(r"^(ICD10|ATC):[A-Z0-9][A-Z0-9.]{0,15}$", re.IGNORECASE)
_CODED_MODELS: dict[str, type[m.Condition] | type[m.Medication]] = {
    "condition": m.Condition, "medication": m.Medication}


def _refresh(screening: m.Screening, acting_user: Any, *, strict: bool = True) -> Evaluation:
    """Re-screen with the engine, cache the result, open queries for new discrepancies."""
    ev = evaluate(screening)
    if ev.error and strict:
        raise record_problem(ev.error)
    m.Screening.objects.filter(pk=screening.pk).update(verdict=ev.verdict, results=ev.results,
                                                      record_error=ev.error)
    screening.verdict, screening.results, screening.record_error = ev.verdict, ev.results, ev.error
    for r in ev.results:
        if r["discrepancy"] and not screening.queries.filter(
            criterion_id=r["id"], status__in=(m.DataQuery.OPEN, m.DataQuery.ANSWERED)
        ).exists():
            open_query_row(screening, r["id"], f"Discrepancy on {r['id']}: {r['reason']}",
                           acting_user, automatic=True)
    return ev


@transaction.atomic(durable=True)
def save_screening(*, donor: Donor, data: dict[str, Any], acting_user: Any, reason: str = "") -> Evaluation:
    """Enter or change screening data.

    ``data`` holds any of :attr:`Screening.SCALAR_FIELDS` (ISO dates, numbers, enumerations as
    in the screening record format), ``serology`` (test -> result) and ``answers``
    (criterion id -> yes/no). Empty values clear a field. Changing a value already entered
    needs ``reason``. An inconsistent record (e.g. birth date after the screening date) is
    refused, naming the field.
    """
    return save_screening_in_transaction(donor=donor, data=data, acting_user=acting_user, reason=reason)


def save_screening_in_transaction(*, donor: Donor, data: dict[str, Any], acting_user: Any,
                                  reason: str = "") -> Evaluation:
    """:func:`save_screening` inside the caller's transaction."""
    check_role(acting_user, DATA_SOURCES)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = screening_for(donor, acting_user)
    changes = apply_data(screening, data)
    if changes:
        record_changes(acting_user=acting_user, record=screening, changes=changes, reason=reason,
                       labels=change_labels(changes))
        screening.save()
    return _refresh(screening, acting_user)


@transaction.atomic(durable=True)
def add_coded_entry(*, donor: Donor, kind: str, code: str, start: Any, end: Any = None,
                    acting_user: Any) -> m.Condition | m.Medication:
    """Add a medical history item (``kind="condition"``, ICD10:…) or a medication (ATC:…)."""
    return add_coded_entry_in_transaction(donor=donor, kind=kind, code=code, start=start, end=end,
                                          acting_user=acting_user)


def add_coded_entry_in_transaction(*, donor: Donor, kind: str, code: str, start: Any, end: Any = None,
                                   acting_user: Any) -> m.Condition | m.Medication:
    """:func:`add_coded_entry` inside the caller's transaction."""
    check_role(acting_user, DATA_SOURCES)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = screening_for(donor, acting_user)
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise ValidationError({"code": "expected ICD10:<code> or ATC:<code>"})
    model = _CODED_MODELS.get(kind)
    if model is None:
        raise ValidationError({"kind": "must be condition or medication"})
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    if start_d is None:
        raise ValidationError({"start": "required"})
    if end_d is not None and end_d < start_d:
        raise ValidationError({"end": "before the start"})
    entry = model.objects.create(screening=screening, code=code, start=start_d, end=end_d,
                                 created_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=entry,
                 new={"code": code, "start": start_d, "end": end_d})
    _refresh(screening, acting_user)
    return entry


@transaction.atomic(durable=True)
def void_coded_entry(*, entry: m.CodedEntry, reason: str, acting_user: Any) -> None:
    """Void a coded entry entered in error (kept, with the reason, and re-screened without it)."""
    check_role(acting_user, ENTRY_ROLES)
    if not reason.strip():
        raise ValidationError({"reason": "a reason is required"})
    assert_data_entry_allowed(entry.screening.donor)
    if entry.voided_at is None:
        entry.voided_at = timezone.now()
        entry.void_reason = reason
        entry.save(update_fields=["voided_at", "void_reason"])
        record_event(acting_user=acting_user, action=EventKind.VOID, record=entry, reason=reason,
                     old={"code": entry.code})
        _refresh(entry.screening, acting_user, strict=False)
