"""From the case report form to the screening record (format v1) and the core engine.

The web layer never decides a criterion itself: :func:`evaluate` hands the record dict to
:func:`stromalab.core.eligibility.screen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from stromalab.core.eligibility import RecordError, screen
from stromalab.core.protocol import Protocol, load_protocol

from .models import Screening


def protocol_for(screening: Screening) -> Protocol:
    return load_protocol(screening.donor.study_id or settings.STROMALAB_PROTOCOL)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def build_record(screening: Screening) -> dict[str, Any]:
    """The screening record dict (format v1) of the current, non-voided data."""
    s = screening
    record: dict[str, Any] = {"donor": s.donor.pseudonym, "as_of": _iso(s.as_of), "sex": s.sex or None}
    record["birth_date"] = _iso(s.birth_date)
    record["weight_kg"] = s.weight_kg
    record["height_cm"] = s.height_cm
    if s.systolic is not None and s.diastolic is not None:
        record["blood_pressure"] = {"systolic": s.systolic, "diastolic": s.diastolic}
    record["smoking"] = s.smoking or None
    record["social_security"] = s.social_security
    consent = s.donor.current_consent()
    if consent is not None:
        record["consent"] = {"status": consent.status, "date": consent.date.isoformat(),
                             "version": consent.sheet.version}
    surgery = {k: v for k, v in (("procedure", s.surgery_procedure), ("site", s.surgery_site),
                                 ("anesthesia", s.surgery_anesthesia), ("date", _iso(s.surgery_date)))
               if v}
    if surgery:
        record["surgery"] = surgery
    if s.serology:
        record["serology"] = dict(sorted(s.serology.items()))
    if s.pregnancy_result and s.pregnancy_date:
        record["pregnancy_test"] = {"result": s.pregnancy_result, "date": s.pregnancy_date.isoformat()}
    if s.pk is not None:  # an unsaved screening (live preview of a first entry) has no history
        record["conditions"] = [
            {"code": c.code, "onset": c.start.isoformat(), "end": _iso(c.end)}
            for c in s.conditions.filter(voided_at__isnull=True).order_by("start", "id")
        ]
        record["medications"] = [
            {"code": m.code, "start": m.start.isoformat(), "end": _iso(m.end)}
            for m in s.medications.filter(voided_at__isnull=True).order_by("start", "id")
        ]
    if s.answers:
        record["answers"] = dict(sorted(s.answers.items()))
    return {k: v for k, v in record.items() if v is not None and v != [] and v != {}}


@dataclass
class Evaluation:
    record: dict[str, Any]
    verdict: str
    results: list[dict[str, Any]]
    error: str = ""


def evaluate(screening: Screening) -> Evaluation:
    """Screen the current record with the protocol's engine.

    Without a screening date and sex the record cannot be screened yet: every criterion is
    reported unknown. An invalid record (e.g. an end date before its start) gives every
    criterion unknown and ``error`` names the field at fault.
    """
    protocol = protocol_for(screening)
    record = build_record(screening)
    missing = [f for f in ("as_of", "sex") if f not in record]
    if missing:
        reason = "not screened yet: " + " and ".join(missing) + " missing"
        return Evaluation(record, "incomplete", _all_unknown(protocol, reason),
                          error="")
    try:
        result = screen(protocol, record)
    except RecordError as e:
        return Evaluation(record, "incomplete", _all_unknown(protocol, f"invalid record: {e}"), error=str(e))
    return Evaluation(record, result.verdict, [c.to_dict() for c in result.criteria])


def _all_unknown(protocol: Protocol, reason: str) -> list[dict[str, Any]]:
    return [{"id": c.id, "kind": c.kind, "text": c.text, "status": "unknown", "reason": reason,
             "discrepancy": False} for c in protocol.criteria]
