"""A loaded study's registry record, read into what its public page shows.

The record is the protocol folder's ``study.json`` (read by ``core.registry``); the page shows
its fields under the sections of a registry listing, enumerations in the reader's language
(:mod:`.labels`), everything else as registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.core.protocol import ProtocolError, load_protocol
from stromalab.core.registry import RecordError, Registration, read_record
from stromalab.core.registry.criteria import split_criteria
from stromalab.core.registry.record import Age

from . import labels


@dataclass(frozen=True)
class CriterionLine:
    id: str
    text: str  # the bullet's first line
    subs: tuple[str, ...]  # its sub-bullets, as written after "• "


def registration(study_id: str) -> Registration | None:
    """The registry record of a loaded study, or None when its protocol folder has none."""
    try:
        return read_record(dict(load_protocol(study_id).study))
    except (ProtocolError, RecordError):
        return None


def criteria(record: Registration, kind: str) -> list[CriterionLine]:
    lines = []
    for criterion in split_criteria(record.eligibility_criteria or ""):
        if criterion.kind == kind:
            first, *rest = criterion.text.split("\n")
            lines.append(CriterionLine(criterion.id, first, tuple(r.strip().removeprefix("• ") for r in rest)))
    return lines


def _age(age: Age | None) -> str:
    return f"{age.number} {labels.label(labels.AGE_UNIT, age.unit)}" if age else ""


def page(record: Registration) -> dict[str, Any]:
    """The template's values: labels translated now, in the request's language."""
    label = labels.label
    return {
        "r": record,
        "status": label(labels.STATUS, record.overall_status),
        "study_type": label(labels.STUDY_TYPE, record.study_type),
        "phases": [label(labels.PHASE, p) for p in record.phases],
        "design": [(name, value) for name, value in (
            (_("Primary purpose"), label(labels.PRIMARY_PURPOSE, record.primary_purpose)),
            (_("Allocation"), label(labels.ALLOCATION, record.allocation)),
            (_("Intervention model"), label(labels.INTERVENTION_MODEL, record.intervention_model)),
            (_("Observational model"), label(labels.OBSERVATIONAL_MODEL, record.observational_model)),
            (_("Masking"), label(labels.MASKING, record.masking)),
        ) if value],
        "sponsor_class": label(labels.AGENCY_CLASS, record.sponsor_class),
        "enrollment_type": label(labels.ENROLLMENT_TYPE, record.enrollment_type),
        "sex": label(labels.SEX, record.sex),
        "minimum_age": _age(record.minimum_age),
        "maximum_age": _age(record.maximum_age),
        "interventions": [(label(labels.INTERVENTION_TYPE, i.type), i) for i in record.interventions],
        "arms": [(label(labels.ARM_TYPE, a.type), a) for a in record.arms],
        "contacts": [(label(labels.CONTACT_ROLE, c.role), c) for c in record.central_contacts],
        "locations": [(label(labels.STATUS, loc.status), loc) for loc in record.locations],
        "inclusion": criteria(record, "inclusion"),
        "exclusion": criteria(record, "exclusion"),
    }
