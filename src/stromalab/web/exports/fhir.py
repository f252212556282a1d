"""The study as a FHIR R4 Bundle (type ``collection``), every resource checked by its model.

The models are fhir.resources' R4B package (FHIR 4.3.0: the resources used here are those of
R4, unchanged). Each resource is validated by its own class before it joins the bundle, so a
field FHIR does not define, a wrong code or a missing required element stops the export
instead of reaching a receiver. Resources refer to each other by ``urn:uuid:`` full URLs
derived from the study and the record (the same record keeps its URL from one export to the
next), so every reference resolves inside the bundle.

What leaves: the ResearchStudy (from the protocol's ``study.json``), per donor who was not
registered in error a Patient that holds the pseudonym and nothing else, a ResearchSubject,
the Consents, the screening measurements and serology as Observations (codes: :mod:`.codes`),
and one BiologicallyDerivedProduct per container of the donor's batch.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from stromalab.core.protocol import load_protocol
from stromalab.web.donors.models import Consent, Donor, Study
from stromalab.web.manufacturing.models import Container, Step
from stromalab.web.screening.models import Screening

from . import codes

_NAMESPACE = uuid.UUID("6f1c7e2a-3b1d-5c8e-9a4f-2d0b7e5c1a93")

#: ClinicalTrials.gov overall status -> ResearchStudy.status (R4)
_STUDY_STATUS = {
    "NOT_YET_RECRUITING": "approved", "RECRUITING": "active", "ENROLLING_BY_INVITATION": "active",
    "ACTIVE_NOT_RECRUITING": "closed-to-accrual", "SUSPENDED": "temporarily-closed-to-accrual",
    "TERMINATED": "administratively-completed", "COMPLETED": "completed", "WITHDRAWN": "withdrawn",
}
#: consent status -> Consent.status (a voided consent was recorded in error)
_CONSENT_STATUS = {Consent.SIGNED: "active", Consent.REFUSED: "rejected", Consent.WITHDRAWN: "inactive"}


def full_url(study_id: str, kind: str, key: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{study_id}/{kind}/{key}')}"


def _ref(url: str) -> dict[str, str]:
    return {"reference": url}


def _time(value: Any) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def donors_exported(study: Study) -> list[Donor]:
    """The study's donors, except those registered in error (voided), in pseudonym order."""
    return list(Donor.objects.filter(study=study, voided_at__isnull=True)
                .select_related("screening").prefetch_related("consents__sheet").order_by("sequence"))


def subject_status(donor: Donor, screening: Screening | None) -> str:
    """ResearchSubject.status from withdrawal, enrollment, the screening verdict and consent."""
    if donor.withdrawn_at is not None:
        return "withdrawn"
    if donor.status == Donor.ENROLLED:
        return "on-study"
    if donor.status == Donor.ELIGIBLE:
        return "eligible"
    if donor.status == Donor.SCREEN_FAILURE:
        return "ineligible"
    consent = donor.current_consent()
    if consent is None:
        return "candidate"
    if consent.status != Consent.SIGNED:
        return "not-registered"
    return "screening" if screening is not None else "pending-on-study"


class _Builder:
    def __init__(self, study: Study) -> None:
        self.study = study
        self.entries: list[dict[str, Any]] = []
        self.study_url = full_url(study.id, "ResearchStudy", study.id)

    def add(self, url: str, resource: dict[str, Any]) -> None:
        """Validate ``resource`` with its FHIR model, then keep it under ``url``."""
        model = get_fhir_model_class(resource["resourceType"]).model_validate(_pruned(resource))
        self.entries.append({"fullUrl": url, "resource": json.loads(model.model_dump_json(exclude_none=True))})

    def research_study(self) -> None:
        protocol = load_protocol(self.study.id)
        section = protocol.study.get("protocolSection", {})
        status = section.get("statusModule", {}).get("overallStatus", "")
        conditions = section.get("conditionsModule", {}).get("conditions", [])
        summary = section.get("descriptionModule", {}).get("briefSummary")
        self.add(self.study_url, {
            "resourceType": "ResearchStudy", "id": _id(self.study.id),
            "identifier": [{"system": codes.CLINICALTRIALS, "value": self.study.id}],
            "title": protocol.title, "status": _STUDY_STATUS.get(status, "active"),
            "condition": [{"text": c} for c in conditions], "description": summary,
        })

    def donor(self, donor: Donor) -> None:
        screening = getattr(donor, "screening", None)
        patient = full_url(self.study.id, "Patient", donor.pk)
        self.add(patient, {
            "resourceType": "Patient", "id": f"donor-{donor.pk}", "active": donor.withdrawn_at is None,
            "identifier": [{"system": codes.local_system(self.study.id, "pseudonym"), "value": donor.pseudonym}],
        })
        consent_urls = {c.pk: self.consent(c, patient) for c in donor.consents.all()}
        current = donor.current_consent()
        subject: dict[str, Any] = {
            "resourceType": "ResearchSubject", "id": f"subject-{donor.pk}",
            "identifier": [{"system": codes.local_system(self.study.id, "pseudonym"), "value": donor.pseudonym}],
            "status": subject_status(donor, screening), "study": _ref(self.study_url),
            "individual": _ref(patient),
            "period": {"start": _time(donor.created_at), "end": _time(donor.withdrawn_at)},
        }
        if current is not None:
            subject["consent"] = _ref(consent_urls[current.pk])
        self.add(full_url(self.study.id, "ResearchSubject", donor.pk), subject)
        if screening is not None:
            self.observations(screening, patient)
        for container in _containers(donor):
            self.product(container, patient)

    def consent(self, consent: Consent, patient: str) -> str:
        url = full_url(self.study.id, "Consent", consent.pk)
        signed = consent.status == Consent.SIGNED
        self.add(url, {
            "resourceType": "Consent", "id": f"consent-{consent.pk}",
            "status": "entered-in-error" if consent.voided_at else _CONSENT_STATUS[consent.status],
            "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "research"}]},
            "category": [{"coding": [{"system": codes.LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
            "patient": _ref(patient), "dateTime": consent.date.isoformat(),
            "policyRule": {"coding": [{"system": codes.ACT_CODE, "code": "OPTIN" if signed else "OPTOUT"}]},
            "sourceAttachment": {"title": f"{consent.sheet.title or 'information sheet'} v{consent.sheet.version}"},
        })
        return url

    def observations(self, screening: Screening, patient: str) -> None:
        when = screening.as_of.isoformat() if screening.as_of else None
        values: dict[str, Decimal | None] = {
            name: None if getattr(screening, name) is None else Decimal(getattr(screening, name))
            for name in ("weight_kg", "height_cm", "systolic", "diastolic")}
        weight, height = values["weight_kg"], values["height_cm"]
        if weight is not None and height:
            values["bmi"] = (weight / (height / 100) ** 2).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for name, value in values.items():
            if value is None:
                continue
            measure = codes.MEASUREMENTS[name]
            self.observation(screening, name, patient, when, "vital-signs",
                             {"coding": [{"system": codes.LOINC, "code": measure.loinc, "display": measure.display}]},
                             {"valueQuantity": {"value": float(value), "unit": measure.unit, "system": codes.UCUM,
                                                "code": measure.unit}})
        for test, result in sorted(screening.serology.items()):
            if not result or test not in codes.SEROLOGY:
                continue
            loinc, display = codes.SEROLOGY[test]
            snomed, text = codes.RESULTS[result]
            self.observation(screening, test, patient, when, "laboratory",
                             {"coding": [{"system": codes.LOINC, "code": loinc, "display": display}], "text": test},
                             {"valueCodeableConcept": {"coding": [{"system": codes.SNOMED, "code": snomed,
                                                                   "display": text}], "text": result}})

    def observation(self, screening: Screening, name: str, patient: str, when: str | None, category: str,
                    code: dict[str, Any], value: dict[str, Any]) -> None:
        self.add(full_url(self.study.id, "Observation", f"{screening.pk}/{name}"), {
            "resourceType": "Observation", "id": _id(f"screening-{screening.pk}-{name}"), "status": "final",
            "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": category}]}],
            "code": code, "subject": _ref(patient), "effectiveDateTime": when, **value,
        })

    def product(self, container: Container, patient: str) -> None:
        batch = container.batch
        steps = sorted(batch.steps.all(), key=lambda s: s.sort_key)
        done = [s for s in steps if s.state == Step.DONE]
        stored = next((s for s in done if s.kind == Step.STORAGE), None)
        self.add(full_url(self.study.id, "BiologicallyDerivedProduct", container.pk), {
            "resourceType": "BiologicallyDerivedProduct", "id": f"container-{container.pk}",
            "identifier": [
                {"system": codes.ISBT128, "value": container.din},
                {"system": codes.local_system(self.study.id, "container"), "value": container.identifier},
            ],
            "productCategory": "cells",
            "productCode": {"coding": [{"system": codes.ISBT128, "code": container.product_code,
                                        "display": container.product_description}],
                            "text": container.product_description},
            "status": "available" if container.effective_status == Container.RELEASED else "unavailable",
            "quantity": 1,
            "collection": {"source": _ref(patient), "collectedDateTime": _time(batch.donation.collected_at)},
            "processing": [{"description": f"{s.label} ({s.get_state_display()})", "timeDateTime": _time(s.completed_at)}
                           for s in done if s.kind not in (Step.HARVEST, Step.STORAGE)],
            "storage": [] if stored is None else [{
                "description": container.location or str(container.get_effective_status_display()),
                "duration": {"start": _time(stored.completed_at)}}],
        })


def _pruned(value: Any) -> Any:
    """``value`` without None and empty lists or objects, which FHIR forbids in its JSON."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [v for v in (_pruned(item) for item in value) if v not in (None, [], {})]
    return value


def _id(text: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) from a record's own words."""
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in text)[:64]


def _containers(donor: Donor) -> Iterable[Container]:
    return (Container.objects.filter(batch__donation__donor=donor)
            .select_related("batch__donation", "box").prefetch_related("batch__steps").order_by("din", "division"))


def build_bundle(study: Study) -> tuple[bytes, int]:
    """The bundle as JSON (UTF-8) and its number of resources."""
    builder = _Builder(study)
    builder.research_study()
    for donor in donors_exported(study):
        builder.donor(donor)
    bundle = Bundle.model_validate({
        "resourceType": "Bundle", "type": "collection", "timestamp": timezone.now().isoformat(),
        "entry": builder.entries})
    text = json.dumps(json.loads(bundle.model_dump_json(exclude_none=True)), ensure_ascii=False, indent=1)
    return text.encode("utf-8"), len(builder.entries)
