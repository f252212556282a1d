"""The study as a CDISC ODM 1.3.2 snapshot: metadata, clinical data, audit records, signatures
and the administrative data they refer to, checked against the ODM 1.3.2 schema (odmlib ships
it) before anyone receives it.

Clinical data per donor not registered in error, under the pseudonym as ``SubjectKey``: the
consents, the screening form (the current values; each item with the audit record of its last
change: who, where, when, why, and the trail's event number as ``SourceID``), the medical
history and medications, the signed eligibility decision with its signature, and the donation.
Users (those who appear in an audit record or a signature, nobody else), the site and one
signature definition per meaning are the administrative data; every OID they bear resolves.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import odmlib.odm_1_3_2.model as ODM
import xmlschema
from django.utils import timezone
from odmlib import schema_manager

from stromalab import __version__
from stromalab.core.eligibility.dates import age_in_years
from stromalab.core.protocol import load_protocol
from stromalab.web.accounts import roles
from stromalab.web.accounts.models import Signature, User
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors.models import Consent, Donor, Study
from stromalab.web.screening.models import Screening

from .fhir import donors_exported
from .odm_metadata import DONATION_EVENT, SCREENING_EVENT, Metadata, item_oid, measurement_units

SITE = "LOC.SITE"
NAMESPACE = "http://www.cdisc.org/ns/odm/v1.3"
LEGAL_REASON = "Electronic signature by user name and password (21 CFR Part 11)"


@lru_cache(maxsize=1)
def schema() -> xmlschema.XMLSchema:
    """The ODM 1.3.2 schema shipped with odmlib, compiled once per process."""
    return xmlschema.XMLSchema(schema_manager.get_schema_path("odm", "1.3.2"))


def _stamp(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _event_stamp(at: str) -> str:
    """An audit event's UTC text (``...Z``, microseconds) as an ODM date-time."""
    return at.split(".")[0].removesuffix("Z") + "+00:00"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class _Document:
    def __init__(self, study: Study) -> None:
        self.study = study
        self.protocol = load_protocol(study.id)
        self.metadata = Metadata(self.protocol)
        self.mdv_oid = f"MDV.{self.protocol.version}"
        self.users: dict[str, User | None] = {}
        self.meanings: set[str] = set()
        self.records = 0

    # -- references to admin data ------------------------------------------------------------

    def user_ref(self, user: User | None) -> ODM.UserRef:
        oid = "USR.SYSTEM" if user is None else f"USR.{user.pk}"
        self.users.setdefault(oid, user)
        return ODM.UserRef(UserOID=oid)

    def audit_record(self, event: AuditEvent) -> ODM.AuditRecord:
        self.records += 1
        audit = ODM.AuditRecord(UserRef=self.user_ref(event.user), LocationRef=ODM.LocationRef(LocationOID=SITE),
                                DateTimeStamp=ODM.DateTimeStamp(_content=_event_stamp(event.at)),
                                SourceID=ODM.SourceID(_content=f"audit event {event.id}"))
        if event.reason:
            audit.ReasonForChange = ODM.ReasonForChange(_content=event.reason)
        return audit

    def signature(self, signature: Signature) -> ODM.Signature:
        self.meanings.add(signature.meaning)
        return ODM.Signature(ID=f"SIG.{signature.pk}", UserRef=self.user_ref(signature.signer),
                             LocationRef=ODM.LocationRef(LocationOID=SITE),
                             SignatureRef=ODM.SignatureRef(SignatureOID=f"SD.{signature.meaning.upper()}"),
                             DateTimeStamp=ODM.DateTimeStamp(_content=_stamp(signature.signed_at)))

    # -- clinical data ----------------------------------------------------------------------

    def item(self, name: str, value: Any, event: AuditEvent | None = None) -> ODM.ItemData:
        data = ODM.ItemData(ItemOID=item_oid(name), Value=_value(value))
        if event is not None:
            data.AuditRecord = self.audit_record(event)
        return data

    def group(self, oid: str, items: Iterable[ODM.ItemData], repeat: str | None = None) -> ODM.ItemGroupData:
        group = ODM.ItemGroupData(ItemGroupOID=oid, ItemData=list(items))
        if repeat is not None:
            group.ItemGroupRepeatKey = repeat
        return group

    def subject(self, donor: Donor, events: dict[tuple[str, str], list[AuditEvent]]) -> ODM.SubjectData:
        subject = ODM.SubjectData(SubjectKey=donor.pseudonym, SiteRef=ODM.SiteRef(LocationOID=SITE))
        visit = ODM.StudyEventData(StudyEventOID=SCREENING_EVENT)
        for consent in donor.consents.all():
            if consent.voided_at is None:  # recorded in error: not part of the snapshot
                visit.FormData.append(self.consent(consent, events))
        screening = getattr(donor, "screening", None)
        if screening is not None:
            visit.FormData.append(self.screening(screening, events))
            decision = screening.decisions.select_related("signature__signer").last()
            if decision is not None:
                visit.FormData.append(self.decision(donor, decision, events))
        subject.StudyEventData.append(visit)
        donation = donor.donations.select_related("batch").first()
        if donation is not None:
            form = ODM.FormData(FormOID="F.DONATION")
            batch = getattr(donation, "batch", None)
            values = [self.item("din", donation.din), self.item("collected_at", _stamp(donation.collected_at))]
            if batch is not None:
                values += [self.item("batch_status", batch.status), self.item("containers", batch.containers.count())]
            form.ItemGroupData.append(self.group("IG.DONATION", values))
            subject.StudyEventData.append(ODM.StudyEventData(StudyEventOID=DONATION_EVENT, FormData=[form]))
        return subject

    def consent(self, consent: Consent, events: dict[tuple[str, str], list[AuditEvent]]) -> ODM.FormData:
        form = ODM.FormData(FormOID="F.CONSENT", FormRepeatKey=str(consent.pk))
        created = events.get(("donors.Consent", str(consent.pk)), [])
        if created:
            form.AuditRecord = self.audit_record(created[-1])
        form.ItemGroupData.append(self.group("IG.CONSENT", [
            self.item("sheet_version", consent.sheet.version), self.item("consent_status", consent.status),
            self.item("consent_date", consent.date)]))
        return form

    def screening(self, screening: Screening, events: dict[tuple[str, str], list[AuditEvent]]) -> ODM.FormData:
        last = {e.field: e for e in events.get(("screening.Screening", str(screening.pk)), [])}
        values: dict[str, Any] = {f: getattr(screening, f) for f in Screening.SCALAR_FIELDS}
        values.update({f"serology_{t}": r for t, r in screening.serology.items()})
        values.update({f"answer_{c}": a for c, a in screening.answers.items()})
        if screening.birth_date and screening.as_of:
            values["AGE"] = age_in_years(screening.birth_date, screening.as_of)
        form = ODM.FormData(FormOID="F.SCREENING")
        for group, names in self.metadata.groups.items():
            if not group.startswith("IG.") or group in ("IG.CONSENT", "IG.ELIGIBILITY", "IG.DONATION"):
                continue
            items = [self.item(name, values[name], last.get(_audit_field(name)))
                     for name in names if values.get(name) not in (None, "")]
            if items:
                form.ItemGroupData.append(self.group(group, items))
        for kind, entries in (("condition", screening.conditions), ("medication", screening.medications)):
            for entry in entries.filter(voided_at__isnull=True):
                parts = [self.item(f"{kind}_code", entry.code), self.item(f"{kind}_start", entry.start)]
                if entry.end is not None:
                    parts.append(self.item(f"{kind}_end", entry.end))
                form.ItemGroupData.append(self.group(f"IG.{kind.upper()}", parts, repeat=str(entry.pk)))
        return form

    def decision(self, donor: Donor, decision: Any, events: dict[tuple[str, str], list[AuditEvent]]) -> ODM.FormData:
        form = ODM.FormData(FormOID="F.ELIGIBILITY")
        values = [self.item("verdict", decision.verdict), self.item("decided_at", _stamp(decision.decided_at)),
                  self.item("record_sha256", decision.record_hash)]
        slot = getattr(donor, "enrollment_slot", None)
        if slot is not None and slot.enrolled_at is not None:
            values.append(self.item("enrolled_at", _stamp(slot.enrolled_at)))
        form.ItemGroupData.append(self.group("IG.ELIGIBILITY", values))
        if decision.signature is not None:
            form.Signature = self.signature(decision.signature)
        return form

    # -- admin data -------------------------------------------------------------------------

    def admin(self) -> ODM.AdminData:
        admin = ODM.AdminData(StudyOID=self.study.id)
        for oid, user in sorted(self.users.items()):
            entry = ODM.User(OID=oid, UserType="Investigator" if user and user.role == roles.INVESTIGATOR else "Other",
                             LocationRef=[ODM.LocationRef(LocationOID=SITE)])
            if user is None:
                entry.DisplayName = ODM.DisplayName(_content="system")
            else:
                entry.LoginName = ODM.LoginName(_content=user.username)
                entry.DisplayName = ODM.DisplayName(_content=user.printed_name)
                entry.Organization = ODM.Organization(_content=str(dict(roles.CHOICES).get(user.role, user.role)))
            admin.User.append(entry)
        section = self.protocol.study.get("protocolSection", {})
        organization = section.get("identificationModule", {}).get("organization", {}).get("fullName") or self.study.id
        admin.Location.append(ODM.Location(OID=SITE, Name=organization, LocationType="Site", MetaDataVersionRef=[
            ODM.MetaDataVersionRef(StudyOID=self.study.id, MetaDataVersionOID=self.mdv_oid,
                                   EffectiveDate=timezone.localdate().isoformat())]))
        for meaning in sorted(self.meanings):
            label = dict(Signature.MEANINGS)[meaning]
            admin.SignatureDef.append(ODM.SignatureDef(OID=f"SD.{meaning.upper()}", Methodology="Electronic",
                                                       Meaning=ODM.Meaning(_content=str(label)),
                                                       LegalReason=ODM.LegalReason(_content=LEGAL_REASON)))
        return admin

    def build(self) -> ODM.ODM:
        now = timezone.now()
        root = ODM.ODM(FileOID=f"{self.study.id}.{now.strftime('%Y%m%dT%H%M%S%f')}", FileType="Snapshot",
                       CreationDateTime=_stamp(now), ODMVersion="1.3.2", Originator="stromalab",
                       SourceSystem="stromalab", SourceSystemVersion=__version__)
        study = ODM.Study(OID=self.study.id, GlobalVariables=ODM.GlobalVariables(
            StudyName=ODM.StudyName(_content=self.study.id),
            StudyDescription=ODM.StudyDescription(_content=self.protocol.title),
            ProtocolName=ODM.ProtocolName(_content=f"{self.study.id} {self.protocol.version}")))
        study.BasicDefinitions = measurement_units()
        study.MetaDataVersion.append(self.metadata.metadata_version(self.mdv_oid))
        root.Study.append(study)
        donors = donors_exported(self.study)
        events = _events(donors)
        clinical = ODM.ClinicalData(StudyOID=self.study.id, MetaDataVersionOID=self.mdv_oid)
        for donor in donors:
            clinical.SubjectData.append(self.subject(donor, events))
            self.records += 1
        root.AdminData.append(self.admin())
        root.ClinicalData.append(clinical)
        return root


def _audit_field(name: str) -> str:
    """The trail's field name of a form item (``serology.HIV``, ``answers.E5``, ``weight_kg``)."""
    for prefix, stored in (("serology_", "serology."), ("answer_", "answers.")):
        if name.startswith(prefix):
            return stored + name[len(prefix):]
    return "birth_date" if name == "AGE" else name


def _events(donors: list[Donor]) -> dict[tuple[str, str], list[AuditEvent]]:
    """The trail's events on the donors' screenings and consents, read at once, oldest first."""
    screenings = [str(d.screening.pk) for d in donors if getattr(d, "screening", None) is not None]
    consents = [str(c.pk) for d in donors for c in d.consents.all()]
    found: dict[tuple[str, str], list[AuditEvent]] = {}
    query = (AuditEvent.objects.filter(record_type="screening.Screening", record_id__in=screenings)
             | AuditEvent.objects.filter(record_type="donors.Consent", record_id__in=consents))
    for event in query.select_related("user").order_by("id"):
        found.setdefault((event.record_type, event.record_id), []).append(event)
    return found


def build_odm(study: Study) -> tuple[bytes, int]:
    """The ODM document (UTF-8 XML, schema-valid) and its number of records (subjects and
    audit records)."""
    document = _Document(study)
    root = document.build()
    text = root.to_xml_string(xml_declaration=True)
    schema().validate(text)
    return text.encode("utf-8"), document.records
