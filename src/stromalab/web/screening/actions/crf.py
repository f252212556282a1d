"""Entering the case report form and the coded history (conditions, medications).

Each change re-screens the record with the engine and caches the result; a discrepancy the
engine finds opens a data query. The ``*_in_transaction`` steps serve actions of other apps
that enter screening data as part of their own change (web/warehouse registers a candidate).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import assert_data_entry_allowed
from stromalab.web.donors.models import Donor

from .. import codes
from .. import models as m
from ..permissions import DATA_SOURCES, ENTRY_ROLES
from ..record import Evaluation, evaluate
from ..values import apply_data, change_labels, record_problem, to_date
from .common import open_query_row, screening_for

_CODED_MODELS: dict[str, type[m.Condition] | type[m.Medication]] = {
    "condition": m.Condition, "medication": m.Medication}


def _refresh(screening: m.Screening, acting_user: Any, *, strict: bool = True,
             with_changes: bool = False) -> Evaluation:
    """Re-screen with the engine, cache the result, open queries for new discrepancies.
    ``with_changes``: the screening holds entered values not saved yet, written with the result
    in one UPDATE."""
    ev = evaluate(screening)
    if ev.error and strict:
        raise record_problem(ev.error)
    screening.verdict, screening.results, screening.record_error = ev.verdict, ev.results, ev.error
    if with_changes:
        screening.save()
    else:
        m.Screening.objects.filter(pk=screening.pk).update(verdict=ev.verdict, results=ev.results,
                                                          record_error=ev.error)
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
    return _refresh(screening, acting_user, with_changes=bool(changes))


@transaction.atomic(durable=True)
def add_coded_entry(*, donor: Donor, kind: str, code: str, start: Any, end: Any = None,
                    acting_user: Any) -> m.Condition | m.Medication:
    """Add a medical history item (``kind="condition"``, ICD-10) or a medication (ATC) a person
    typed.

    The code may come with or without its system (``C50.9``, ``c50.9 ``, ``ICD10:C50.9``) and
    is stored as ``ICD10:C50.9``. Any well-formed code is accepted, listed in the protocol's
    shipped lists or not: a donor's history is not limited to the codes the criteria name (the
    lists serve the search box and its labels; the full ICD-10 is not ours to ship), and the same code may not be recorded twice for periods that overlap: that is the same entry
    again (a second, separate course of a medication is a new entry).
    """
    check_role(acting_user, DATA_SOURCES)
    screening, model, entry, start_d, end_d = _coded_input(donor, kind, code, start, end, acting_user)
    same = model.objects.filter(screening=screening, code__in=codes.comparable_forms(entry),
                                voided_at__isnull=True, start__lte=end_d or dt.date.max)
    duplicate = same.filter(Q(end__isnull=True) | Q(end__gte=start_d)).first()
    if duplicate is not None:
        raise ValidationError({"code": _("%(code)s is already recorded for this screening, from %(start)s "
                                         "to %(end)s: void that entry to enter it again")
                               % {"code": entry, "start": duplicate.start.isoformat(),
                                  "end": duplicate.end.isoformat() if duplicate.end else _("ongoing")}})
    return _create_coded(screening, model, entry, start_d, end_d, acting_user)


def add_coded_entry_in_transaction(*, donor: Donor, kind: str, code: str, start: Any, end: Any = None,
                                   acting_user: Any) -> m.Condition | m.Medication:
    """Carry a coded entry that another source recorded, inside the caller's transaction (the
    warehouse registering a candidate).

    Any well-formed code of the kind's system is kept, listed by the protocol or not: the
    source recorded it and the engine decides on it. The very same entry (code, start, end)
    carried twice is recorded once: the existing entry is returned.
    """
    check_role(acting_user, DATA_SOURCES)
    screening, model, entry, start_d, end_d = _coded_input(donor, kind, code, start, end, acting_user)
    same = model.objects.filter(screening=screening, code=entry, start=start_d, end=end_d,
                                voided_at__isnull=True).first()
    if same is not None:
        return same
    return _create_coded(screening, model, entry, start_d, end_d, acting_user)


def _coded_input(donor: Donor, kind: str, code: str, start: Any, end: Any, acting_user: Any
                 ) -> tuple[m.Screening, type[m.Condition] | type[m.Medication], str, dt.date, dt.date | None]:
    """The screening (its donor locked), the model and the checked values of a coded entry."""
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    model = _CODED_MODELS.get(kind)
    if model is None:
        raise ValidationError({"kind": _("must be condition or medication")})
    system = codes.KIND_SYSTEMS[kind]
    entry = codes.normalize_entry(system, code if isinstance(code, str) else "")
    if entry is None:
        raise ValidationError({"code": _("%(code)s is not an %(system)s code") % {
            "code": str(code)[:40], "system": "ICD-10" if system == "ICD10" else "ATC"}})
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    if start_d is None:
        raise ValidationError({"start": _("required")})
    if end_d is not None and end_d < start_d:
        raise ValidationError({"end": _("before the start")})
    return screening_for(donor, acting_user), model, entry, start_d, end_d


def _create_coded(screening: m.Screening, model: type[m.Condition] | type[m.Medication], entry: str,
                  start: dt.date, end: dt.date | None, acting_user: Any) -> m.Condition | m.Medication:
    created = model.objects.create(screening=screening, code=entry, start=start, end=end,
                                   created_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=created,
                 new={"code": entry, "start": start, "end": end})
    _refresh(screening, acting_user)
    return created


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
