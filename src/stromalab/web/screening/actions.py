"""Every change to a screening: CRF data, coded history, data queries, the signed eligibility
decision and enrollment. Atomic, acting user by keyword, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.web.accounts import roles
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import ReasonRequired, record_changes, record_event
from stromalab.web.audit.canonical import canonical_json, sha256_hex
from stromalab.web.donors.actions import (
    assert_data_entry_allowed,
    assert_material_use_allowed,
    set_donor_status,
)
from stromalab.web.donors.models import Donor, Study

from . import models as m
from .record import Evaluation, build_record, evaluate, protocol_for

ENTRY_ROLES = (roles.COORDINATOR, roles.INVESTIGATOR)
QUERY_ANSWER_ROLES = (roles.INVESTIGATOR, roles.COORDINATOR, roles.DATA_MANAGER)


class EnrollmentError(ValidationError):
    pass


class EnrollmentFull(EnrollmentError):
    pass


_CODE = re.compile(r"^(ICD10|ATC):[A-Z0-9][A-Z0-9.]{0,15}$", re.IGNORECASE)


def _screening_for(donor: Donor, acting_user: Any) -> m.Screening:
    screening = m.Screening.objects.select_related("donor").filter(donor=donor).first()
    if screening is None:
        screening = m.Screening.objects.create(donor=donor)
        record_event(acting_user=acting_user, action="create", record=screening)
    return screening


# --- parsing of CRF values (shared by forms and API) ----------------------------------------

def _to_date(value: Any, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise ValidationError({field: "expected a date YYYY-MM-DD"}) from e


def _to_decimal(value: Any, field: str, upper: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation as e:
        raise ValidationError({field: "expected a number"}) from e
    if not number.is_finite() or not Decimal(0) < number < Decimal(upper):
        raise ValidationError({field: f"must be between 0 and {upper}"})
    return number


def _to_int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as e:
        raise ValidationError({field: "expected a whole number"}) from e
    if not 0 < number < 400:
        raise ValidationError({field: "must be between 0 and 400"})
    return number


def _to_choice(value: Any, field: str, choices: list[tuple[str, Any]]) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in dict(choices):
        raise ValidationError({field: f"must be one of {', '.join(dict(choices))}"})
    return str(value)


def _to_text(value: Any, field: str) -> str:
    return "" if value is None else str(value).strip()[:100]


def _to_bool(value: Any, field: str) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "yes", "1"):
        return True
    if str(value).lower() in ("false", "no", "0"):
        return False
    raise ValidationError({field: "expected yes or no"})


_PARSERS: dict[str, Any] = {
    "as_of": _to_date, "birth_date": _to_date, "surgery_date": _to_date, "pregnancy_date": _to_date,
    "weight_kg": lambda v, f: _to_decimal(v, f, 500), "height_cm": lambda v, f: _to_decimal(v, f, 300),
    "systolic": _to_int, "diastolic": _to_int,
    "sex": lambda v, f: _to_choice(v, f, m.SEX_CHOICES),
    "smoking": lambda v, f: _to_choice(v, f, m.SMOKING_CHOICES),
    "pregnancy_result": lambda v, f: _to_choice(v, f, m.PREGNANCY_RESULTS),
    "social_security": _to_bool,
    "surgery_procedure": _to_text, "surgery_site": _to_text, "surgery_anesthesia": _to_text,
}


def _refresh(screening: m.Screening, acting_user: Any, *, strict: bool = True) -> Evaluation:
    """Re-screen with the engine, cache the result, open queries for new discrepancies."""
    ev = evaluate(screening)
    if ev.error and strict:
        field, _, message = ev.error.partition(": ")
        raise ValidationError({field or "__all__": message or ev.error})
    m.Screening.objects.filter(pk=screening.pk).update(verdict=ev.verdict, results=ev.results,
                                                      record_error=ev.error)
    screening.verdict, screening.results, screening.record_error = ev.verdict, ev.results, ev.error
    for r in ev.results:
        if r["discrepancy"] and not screening.queries.filter(
            criterion_id=r["id"], status__in=(m.DataQuery.OPEN, m.DataQuery.ANSWERED)
        ).exists():
            _open_query(screening, r["id"], f"Discrepancy on {r['id']}: {r['reason']}",
                        acting_user, automatic=True)
    return ev


def apply_data(screening: m.Screening, data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply CRF ``data`` to ``screening`` in memory (nothing saved) and return the changes.

    Shared by :func:`save_screening` and the form's live preview, so that what the page
    previews is exactly what saving would store. Raises ValidationError naming the field.
    """
    protocol = protocol_for(screening)
    changes: dict[str, tuple[Any, Any]] = {}
    for field, raw in data.items():
        if field in ("serology", "answers") and raw is not None and not isinstance(raw, dict):
            raise ValidationError({field: "expected an object"})
        if isinstance(raw, (dict, list)) and field in _PARSERS:
            raise ValidationError({field: "expected a single value"})
        if field in _PARSERS:
            value = _PARSERS[field](raw, field)
            if field in ("sex", "smoking", "pregnancy_result", "surgery_procedure", "surgery_site",
                         "surgery_anesthesia") and value is None:
                value = ""
            old = getattr(screening, field)
            if old != value:
                changes[field] = (old if old != "" else None, value if value != "" else None)
                setattr(screening, field, value)
        elif field == "serology":
            screening.serology = _merge_choices(field, screening.serology, raw, m.SEROLOGY_TESTS,
                                                "unknown test {!r}", m.SEROLOGY_RESULTS, changes)
        elif field == "answers":
            screening.answers = _merge_choices(field, screening.answers, raw, protocol.answer_ids,
                                               "no question for criterion {!r}", m.ANSWER_CHOICES, changes)
        else:
            raise ValidationError({field: "unknown screening field"})
    return changes


def _merge_choices(field: str, current: dict[str, str], raw: Any, known: Any, unknown: str,
                   choices: Any, changes: dict[str, tuple[Any, Any]]) -> dict[str, str]:
    """``current`` with the per-key choices of ``raw`` applied (empty clears), noting changes."""
    merged = dict(current)
    for key, value in (raw or {}).items():
        if key not in known:
            raise ValidationError({field: unknown.format(key)})
        value = _to_choice(value, f"{field}.{key}", choices)
        old = merged.get(key)
        if (old or "") != value:
            changes[f"{field}.{key}"] = (old, value or None)
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
    return merged


def preview_screening(*, donor: Donor, data: dict[str, Any]) -> Evaluation:
    """What the criteria would be if ``data`` were saved: the form's live status.

    Changes nothing and writes no audit event (it is not a change of study data); the same
    :func:`apply_data` as saving is applied to an in-memory copy of the screening.
    """
    screening = m.Screening.objects.select_related("donor").filter(donor=donor).first()
    if screening is None:
        screening = m.Screening(donor=donor)
    apply_data(screening, data)
    return evaluate(screening)


@transaction.atomic
def save_screening(*, donor: Donor, data: dict[str, Any], acting_user: Any, reason: str = "") -> Evaluation:
    """Enter or change screening data.

    ``data`` holds any of :attr:`Screening.SCALAR_FIELDS` (ISO dates, numbers, enumerations as
    in the screening record format), ``serology`` (test -> result) and ``answers``
    (criterion id -> yes/no). Empty values clear a field. Changing a value already entered
    needs ``reason``. An inconsistent record (e.g. birth date after the screening date) is
    refused, naming the field.
    """
    check_role(acting_user, ENTRY_ROLES, roles.WAREHOUSE_ANALYST)  # warehouse facts (web/warehouse)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = _screening_for(donor, acting_user)
    changes = apply_data(screening, data)
    if changes:
        try:
            record_changes(acting_user=acting_user, record=screening, changes=changes, reason=reason)
        except ReasonRequired as e:
            raise ValidationError({"reason": str(e)}) from e
        screening.save()
    return _refresh(screening, acting_user)


@transaction.atomic
def add_coded_entry(*, donor: Donor, kind: str, code: str, start: Any, end: Any = None,
                    acting_user: Any) -> m.Condition | m.Medication:
    """Add a medical history item (``kind="condition"``, ICD10:…) or a medication (ATC:…)."""
    check_role(acting_user, ENTRY_ROLES, roles.WAREHOUSE_ANALYST)  # warehouse facts (web/warehouse)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = _screening_for(donor, acting_user)
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise ValidationError({"code": "expected ICD10:<code> or ATC:<code>"})
    model = {"condition": m.Condition, "medication": m.Medication}.get(kind)
    if model is None:
        raise ValidationError({"kind": "condition or medication"})
    start_d, end_d = _to_date(start, "start"), _to_date(end, "end")
    if start_d is None:
        raise ValidationError({"start": "required"})
    if end_d is not None and end_d < start_d:
        raise ValidationError({"end": "before the start"})
    entry = model.objects.create(screening=screening, code=code, start=start_d, end=end_d,
                                 created_by=acting_user)
    record_event(acting_user=acting_user, action="create", record=entry,
                 new={"code": code, "start": start_d, "end": end_d})
    _refresh(screening, acting_user)
    return entry


@transaction.atomic
def void_coded_entry(*, entry: m.Condition | m.Medication, reason: str, acting_user: Any) -> None:
    check_role(acting_user, ENTRY_ROLES)
    if not reason.strip():
        raise ValidationError({"reason": "a reason is required"})
    assert_data_entry_allowed(entry.screening.donor)
    if entry.voided_at is None:
        entry.voided_at = timezone.now()
        entry.void_reason = reason
        entry.save(update_fields=["voided_at", "void_reason"])
        record_event(acting_user=acting_user, action="void", record=entry, reason=reason,
                     old={"code": entry.code})
        _refresh(entry.screening, acting_user, strict=False)


# --- data queries ----------------------------------------------------------------------------

def _open_query(screening: m.Screening, criterion_id: str, text: str, acting_user: Any, *,
                automatic: bool = False, field: str = "") -> m.DataQuery:
    query = m.DataQuery.objects.create(screening=screening, criterion_id=criterion_id, field=field,
                                       text=text, automatic=automatic, opened_by=acting_user)
    m.QueryMessage.objects.create(query=query, author=acting_user, kind="open", text=text)
    record_event(acting_user=acting_user, action="query_open", record=query,
                 new={"criterion": criterion_id, "field": field, "text": text, "automatic": automatic},
                 subject=screening.donor.pseudonym)
    return query


@transaction.atomic
def open_query(*, donor: Donor, criterion_id: str = "", field: str = "", text: str,
               acting_user: Any) -> m.DataQuery:
    """A data manager raises a query on a criterion or a field."""
    check_role(acting_user, roles.DATA_MANAGER)
    if not text.strip():
        raise ValidationError({"text": "required"})
    screening = _screening_for(donor, acting_user)
    return _open_query(screening, criterion_id, text, acting_user, field=field)


def _query_step(query: m.DataQuery, kind: str, text: str, new_status: str, acting_user: Any) -> None:
    old = query.status
    query.status = new_status
    query.save(update_fields=["status"])
    m.QueryMessage.objects.create(query=query, author=acting_user, kind=kind, text=text)
    record_event(acting_user=acting_user, action=f"query_{kind}", record=query, field="status",
                 old=old, new=new_status, reason=text, subject=query.screening.donor.pseudonym)


@transaction.atomic
def answer_query(*, query: m.DataQuery, text: str, acting_user: Any) -> None:
    check_role(acting_user, QUERY_ANSWER_ROLES)
    query = m.DataQuery.objects.select_for_update().select_related("screening__donor").get(pk=query.pk)
    if query.status == m.DataQuery.CLOSED:
        raise ValidationError("query closed")
    if not text.strip():
        raise ValidationError({"text": "an answer is required"})
    _query_step(query, "answer", text, m.DataQuery.ANSWERED, acting_user)


@transaction.atomic
def close_query(*, query: m.DataQuery, text: str = "", acting_user: Any) -> None:
    check_role(acting_user, roles.DATA_MANAGER)
    query = m.DataQuery.objects.select_for_update().select_related("screening__donor").get(pk=query.pk)
    if query.status == m.DataQuery.CLOSED:
        raise ValidationError("query already closed")
    _query_step(query, "close", text, m.DataQuery.CLOSED, acting_user)


@transaction.atomic
def reopen_query(*, query: m.DataQuery, text: str, acting_user: Any) -> None:
    check_role(acting_user, roles.DATA_MANAGER)
    query = m.DataQuery.objects.select_for_update().select_related("screening__donor").get(pk=query.pk)
    if query.status != m.DataQuery.CLOSED:
        raise ValidationError("query is not closed")
    if not text.strip():
        raise ValidationError({"text": "a reason is required"})
    _query_step(query, "reopen", text, m.DataQuery.OPEN, acting_user)


# --- eligibility decision and enrollment ------------------------------------------------------

def latest_decision(screening: m.Screening | None) -> m.EligibilityDecision | None:
    if screening is None:
        return None
    return (m.EligibilityDecision.objects.select_related("signature")
            .filter(screening=screening, signature__isnull=False).order_by("-id").first())


def decision_matches(decision: m.EligibilityDecision, screening: m.Screening) -> bool:
    """True while the current record is exactly the one signed."""
    return sha256_hex(build_record(screening)) == decision.record_hash


@transaction.atomic
def sign_decision(*, donor: Donor, password: str, acting_user: Any) -> m.EligibilityDecision:
    """The investigator signs the eligibility decision (password re-asked; meaning "approved").

    The signature is bound to the SHA-256 of the canonical JSON of the screening record; the
    verdict and every criterion's status and reason are kept with it (screen failures keep
    their reasons). An incomplete screening cannot be signed.
    """
    check_role(acting_user, roles.INVESTIGATOR)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = _screening_for(donor, acting_user)
    ev = evaluate(screening)
    if ev.error:
        raise ValidationError(f"invalid record: {ev.error}")
    if ev.verdict == "incomplete":
        unknown = [r["id"] for r in ev.results if r["status"] == "unknown"]
        raise ValidationError(f"screening incomplete: {', '.join(unknown)} unknown")
    decision = m.EligibilityDecision.objects.create(
        screening=screening, verdict=ev.verdict, record_json=canonical_json(ev.record),
        record_hash=sha256_hex(ev.record), results=ev.results)
    signature = sign(acting_user=acting_user, password=password, meaning=Signature.APPROVED,
                     record_type="screening.EligibilityDecision", record_id=str(decision.pk),
                     content=ev.record, subject=donor.pseudonym)
    decision.signature = signature
    decision.save(update_fields=["signature"])
    record_event(acting_user=acting_user, action="decide", record=decision,
                 new={"verdict": ev.verdict, "record_hash": decision.record_hash,
                      "failing": [r["id"] for r in ev.results if r["status"] == "fail"]})
    if donor.status != Donor.ENROLLED:
        set_donor_status(donor=donor, acting_user=acting_user,
                         status=Donor.ELIGIBLE if ev.verdict == "eligible" else Donor.SCREEN_FAILURE,
                         reason=f"signed eligibility decision: {ev.verdict}")
    return decision


@transaction.atomic
def ensure_slots(*, study: Study, acting_user: Any) -> int:
    """Create the study's enrollment slot rows up to its target (never removes any)."""
    have = m.EnrollmentSlot.objects.filter(study=study).count()
    for number in range(have + 1, study.enrollment_target + 1):
        slot = m.EnrollmentSlot.objects.create(study=study, number=number)
        record_event(acting_user=acting_user, action="create", record=slot, new={"number": number})
    return study.enrollment_target


@transaction.atomic
def enroll(*, donor: Donor, acting_user: Any) -> m.EnrollmentSlot:
    """Enroll an eligible donor into the first free slot.

    Requires a signed "eligible" decision that still matches the current record, and a signed,
    not withdrawn consent. The study row is locked (``SELECT ... FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE``) and the slot is taken with ``UPDATE ... WHERE donor_id IS NULL``:
    when no free slot row is left, :class:`EnrollmentFull` is raised.
    """
    check_role(acting_user, roles.INVESTIGATOR)
    Study.objects.select_for_update().get(pk=donor.study_id)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_material_use_allowed(donor)
    if m.EnrollmentSlot.objects.filter(donor=donor).exists():
        raise EnrollmentError(f"{donor.pseudonym} is already enrolled")
    screening = m.Screening.objects.filter(donor=donor).first()
    decision = latest_decision(screening)
    if decision is None or decision.verdict != "eligible":
        raise EnrollmentError("no signed eligible decision")
    assert screening is not None
    if not decision_matches(decision, screening):
        raise EnrollmentError("the screening record changed after the decision was signed: sign again")
    free = (m.EnrollmentSlot.objects.filter(study_id=donor.study_id, donor__isnull=True)
            .order_by("number").values_list("pk", flat=True).first())
    if free is None:
        raise EnrollmentFull("enrollment target reached: no free slot")
    now = timezone.now()
    taken = m.EnrollmentSlot.objects.filter(pk=free, donor__isnull=True).update(
        donor=donor, decision=decision, enrolled_at=now, enrolled_by=acting_user)
    if taken != 1:  # pragma: no cover - the lock above makes this unreachable
        raise EnrollmentFull("slot taken concurrently")
    slot = m.EnrollmentSlot.objects.select_related("donor").get(pk=free)
    record_event(acting_user=acting_user, action="enroll", record=slot, field="donor",
                 new={"donor": donor.pseudonym, "slot": slot.number, "decision": decision.pk})
    set_donor_status(donor=donor, status=Donor.ENROLLED, acting_user=acting_user,
                     reason=f"enrolled in slot {slot.number}")
    return slot
