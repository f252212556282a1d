"""Every change in quality control and release: QC results and their corrections, FCS panel
uploads, out-of-specification records, and the signed release (or rejection) of a batch.

Each state change is one atomic function taking the acting user by keyword and writing its
audit events in the same transaction. Verdicts come from the core
(:mod:`stromalab.core.manufacturing.release`, :mod:`stromalab.core.cytometry.phenotype`), which
is handed plain values and never reads the database.

Release rules (compliance.md, manufacturing.md), all checked here, server side:

- every required test of the specification has a result within its limit;
- no out-of-specification record is open;
- no manufacturing deviation is open: each must be investigated and closed by the qualified
  person (:func:`stromalab.web.manufacturing.actions.close_deviation`), and none may be closed
  with the impact "product rejected" (the batch is then rejected, not released). Deviations,
  with their conclusions once closed, are shown on the summary and are part of the content signed;
- the batch is in quarantine (filled, awaiting release), its record has no step in progress or
  rejected and no step signature that no longer matches;
- the donor has a signed "eligible" decision that still matches the screening record, and their
  consent still allows use of the material;
- four eyes: a user who entered, corrected or voided any QC result of the batch, or uploaded
  one of its FCS panels, may not release (or reject) it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.core.manufacturing.release import Result, Status, Verdict, evaluate
from stromalab.core.manufacturing.specification import PerDoseLimit, Requirement, Specification
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.accounts.signed_closure import close_with_signature
from stromalab.web.audit.actions import ReasonRequired, record_changes, record_event
from stromalab.web.audit.canonical import canonical_json
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing.models import Batch, Container, Deviation, Step

from . import models as m
from . import storage
from .permissions import ANALYSTS, OOS_CLOSERS, RELEASERS
from .spec import IDENTITY_TESTS, identity_values, specification_for


class ReleaseRefused(ValidationError):
    """The batch cannot be released now; ``messages`` lists every reason."""


class FourEyesViolation(PermissionDenied):
    pass


# --- lookups ---------------------------------------------------------------------------------

def specification(batch: Batch) -> Specification:
    return specification_for(batch.donation.donor.study_id)


def current_results(batch: Batch) -> dict[str, m.QcResult]:
    qs = m.QcResult.objects.filter(batch=batch, voided_at__isnull=True).select_related("analyst")
    return {r.test_id: r for r in qs}


def _assert_open_for_qc(batch: Batch) -> None:
    if batch.status not in (Batch.IN_PROCESS, Batch.QUARANTINE):
        raise ValidationError(f"batch {batch.code} is {batch.get_status_display()}: QC results can no longer change")
    if m.ReleaseDecision.objects.filter(batch=batch).exists():
        raise ValidationError(f"batch {batch.code} has a release decision: QC results can no longer change")


def _lock(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("donation__donor").get(pk=batch.pk)


# --- parsing shared by forms and the API -------------------------------------------------------

def _text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise ValidationError({name: "contains a NUL character"})
    if required and not text:
        raise ValidationError({name: "required"})
    if len(text) > limit:
        raise ValidationError({name: f"at most {limit} characters"})
    return text


def _date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or ""))
        except ValueError as e:
            raise ValidationError({name: "expected a date YYYY-MM-DD"}) from e
    if value > timezone.localdate():
        raise ValidationError({name: "is in the future"})
    return value


def _dose(value: Any, requirement: Requirement) -> Decimal | None:
    if not isinstance(requirement.limit, PerDoseLimit):
        return None
    if value in (None, ""):
        raise ValidationError({"requested_dose": f"{requirement.name}: the requested dose is required"})
    try:
        dose = Decimal(str(value).strip())
    except InvalidOperation as e:
        raise ValidationError({"requested_dose": "expected a number of cells"}) from e
    if not dose.is_finite() or dose <= 0 or dose != dose.to_integral_value() or dose >= Decimal(10) ** 20:
        raise ValidationError({"requested_dose": "expected a positive whole number of cells"})
    return dose


def _requirement(spec: Specification, test_id: str) -> Requirement:
    try:
        return spec.requirement(str(test_id))
    except KeyError:
        raise ValidationError({"test_id": f"{test_id!r} is not a test of release specification "
                                          f"version {spec.version}"}) from None


def judge(result: m.QcResult, requirement: Requirement) -> Verdict:
    """The core's verdict on one stored result."""
    return evaluate(requirement, Result(requirement.id, result.value, result.unit or None),
                    requested_dose=result.requested_dose)


def _open_oos_if_failed(result: m.QcResult, verdict: Verdict, acting_user: Any) -> m.OosRecord | None:
    if verdict.status is not Status.FAIL:
        return None
    if result.oos_records.filter(status=m.OosRecord.OPEN).exists():
        return None
    oos = m.OosRecord.objects.create(
        batch=result.batch, result=result, test_id=result.test_id, value=result.shown_value,
        limit_text=result.limit_text, description=verdict.reason, opened_by=acting_user)
    record_event(acting_user=acting_user, action="oos_open", record=oos,
                 new={"result": result.pk, "test": result.test_id, "value": result.shown_value,
                      "limit": result.limit_text, "description": verdict.reason})
    return oos


# --- QC results ------------------------------------------------------------------------------

@transaction.atomic
def record_result(*, batch: Batch, test_id: str, value: Any, performed_on: Any, acting_user: Any,
                  unit: str | None = None, method: str = "", instrument: str = "",
                  requested_dose: Any = None, panel: m.FcsPanel | None = None) -> m.QcResult:
    """Enter a QC result for a test of the batch's release specification.

    ``unit`` and ``method`` default to the specification's. The result is judged by the core at
    once; a result outside its limit opens an out-of-specification record. A test that already
    has a result is changed with :func:`correct_result` (with a reason), not entered twice.
    """
    check_role(acting_user, ANALYSTS)
    batch = _lock(batch)
    _assert_open_for_qc(batch)
    spec = specification(batch)
    requirement = _requirement(spec, test_id)
    if m.QcResult.objects.filter(batch=batch, test_id=requirement.id, voided_at__isnull=True).exists():
        raise ValidationError({"test_id": f"{requirement.name} already has a result for {batch.code}: "
                                          "correct it (with a reason) instead"})
    result = m.QcResult(
        batch=batch, test_id=requirement.id, test_name=requirement.name,
        value=_text(value, "value", 100, required=True),
        unit=_text(unit, "unit", 20) if unit not in (None, "") else (requirement.unit or ""),
        requested_dose=_dose(requested_dose, requirement),
        method=_text(method, "method", 200) or requirement.method,
        instrument=_text(instrument, "instrument", 200),
        performed_on=_date(performed_on, "performed_on"), analyst=acting_user,
        specification_version=spec.version, limit_text=requirement.limit_text,
        source=m.QcResult.FCS if panel is not None else m.QcResult.MANUAL, panel=panel)
    verdict = judge(result, requirement)
    result.status, result.verdict_reason = verdict.status.value, verdict.reason
    result.save()
    record_event(acting_user=acting_user, action="create", record=result, new={
        "test": result.test_id, "value": result.value, "unit": result.unit, "method": result.method,
        "instrument": result.instrument, "performed_on": result.performed_on,
        "requested_dose": result.requested_dose, "analyst": acting_user.username,
        "specification_version": spec.version, "status": result.status, "source": result.source,
        "panel": panel.pk if panel else None})
    _open_oos_if_failed(result, verdict, acting_user)
    return result


CORRECTABLE = ("value", "unit", "method", "instrument", "performed_on", "requested_dose")


@transaction.atomic
def correct_result(*, result: m.QcResult, changes: dict[str, Any], reason: str, acting_user: Any,
                   panel: m.FcsPanel | None = None) -> m.QcResult:
    """Change an entered result; ``reason`` is required and every changed field is audited with
    its old and new value. The result is judged again (a failure opens an OOS record)."""
    check_role(acting_user, ANALYSTS)
    reason = _text(reason, "reason", 1000)
    if not reason:
        raise ValidationError({"reason": "a reason is required to correct a result"})
    result = m.QcResult.objects.select_for_update().get(pk=result.pk)
    if result.voided_at is not None:
        raise ValidationError("this result is voided")
    batch = _lock(result.batch)
    _assert_open_for_qc(batch)
    requirement = _requirement(specification(batch), result.test_id)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be corrected"})
    parsers = {
        "value": lambda v: _text(v, "value", 100, required=True),
        "unit": lambda v: _text(v, "unit", 20),
        "method": lambda v: _text(v, "method", 200, required=True),
        "instrument": lambda v: _text(v, "instrument", 200),
        "performed_on": lambda v: _date(v, "performed_on"),
        "requested_dose": lambda v: _dose(v, requirement),
    }
    diff: dict[str, tuple[Any, Any]] = {}
    for name, raw in changes.items():
        new = parsers[name](raw)
        old = getattr(result, name)
        if old != new:
            diff[name] = (old, new)
            setattr(result, name, new)
    if panel is not None and result.panel_id != panel.pk:
        diff["panel"] = (result.panel_id, panel.pk)
        result.panel, result.source = panel, m.QcResult.FCS
    if not diff:
        return result
    verdict = judge(result, requirement)
    if result.status != verdict.status.value:
        diff["status"] = (result.status, verdict.status.value)
    result.status, result.verdict_reason = verdict.status.value, verdict.reason
    result.corrected_at, result.corrected_by = timezone.now(), acting_user
    try:
        record_changes(acting_user=acting_user, record=result, changes=diff, reason=reason,
                       action="correct")
    except ReasonRequired as e:  # pragma: no cover - the reason is checked above
        raise ValidationError({"reason": str(e)}) from e
    result.save()
    _open_oos_if_failed(result, verdict, acting_user)
    return result


@transaction.atomic
def void_result(*, result: m.QcResult, reason: str, acting_user: Any) -> None:
    """Void a result entered in error (never deleted); the test is then missing again."""
    check_role(acting_user, ANALYSTS)
    reason = _text(reason, "reason", 1000)
    if not reason:
        raise ValidationError({"reason": "a reason is required"})
    result = m.QcResult.objects.select_for_update().get(pk=result.pk)
    _assert_open_for_qc(_lock(result.batch))
    if result.voided_at is not None:
        raise ValidationError("this result is already voided")
    result.voided_at, result.void_reason = timezone.now(), reason
    result.save(update_fields=["voided_at", "void_reason"])
    record_event(acting_user=acting_user, action="void", record=result, reason=reason,
                 old={"test": result.test_id, "value": result.value, "unit": result.unit})


# --- out-of-specification records ----------------------------------------------------------------

@transaction.atomic
def close_oos(*, oos: m.OosRecord, conclusion: str, password: str, acting_user: Any) -> m.OosRecord:
    """Close an OOS record after investigation: the conclusion is required and the closer signs
    it (password re-asked, meaning "reviewed")."""
    check_role(acting_user, OOS_CLOSERS)
    oos = m.OosRecord.objects.select_for_update().select_related("batch").get(pk=oos.pk)
    if oos.status != m.OosRecord.OPEN:
        raise ValidationError("this OOS record is already closed")
    close_with_signature(oos, conclusion=conclusion, password=password, acting_user=acting_user,
                         open_status=m.OosRecord.OPEN, closed_status=m.OosRecord.CLOSED)
    return oos


# --- FCS panels ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Upload:
    """An uploaded file as plain values: the name the user gave it and its bytes."""

    name: str
    data: bytes


def _parse_uploads(control: Upload, stained: Sequence[Upload]) -> tuple[Any, list[Any], Any]:
    from stromalab.core.cytometry import FcsError, parse_fcs
    from stromalab.core.cytometry.phenotype import phenotype

    if not stained:
        raise ValidationError({"stained": "upload at least one stained tube"})
    names = [storage.safe_name(u.name) for u in (control, *stained)]
    if len(set(names)) != len(names):
        raise ValidationError({"stained": "two files have the same name"})
    parsed = []
    for upload, name in zip((control, *stained), names, strict=True):
        if not upload.data:
            raise ValidationError({"files": f"{name}: the file is empty"})
        try:
            parsed.append(parse_fcs(upload.data, name))
        except FcsError as e:
            raise ValidationError({"files": f"{e} — not a readable FCS file, nothing was stored"}) from e
    try:
        result = phenotype(parsed[0], parsed[1:], histograms=True)
    except FcsError as e:
        raise ValidationError({"files": f"{e} — nothing was stored"}) from e
    return parsed[0], parsed[1:], result


def _acquired_on(keywords: Any) -> dt.date:
    text = str(keywords.get("$DATE", "") or "").strip()
    for fmt in ("%d-%b-%Y", "%Y-%m-%d", "%d-%b-%y", "%d/%m/%Y", "%m/%d/%Y", "%Y-%b-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text.title() if "%b" in fmt else text, fmt).date()
        except ValueError:
            continue
        if day <= timezone.localdate():
            return day
    return timezone.localdate()


@transaction.atomic
def upload_panel(*, batch: Batch, control: Upload, stained: Sequence[Upload], acting_user: Any,
                 reason: str = "") -> m.FcsPanel:
    """Store a phenotype panel (control tube + stained tubes) and record its identity results.

    Every file is read and the phenotype computed before anything is stored: a file that is not
    a readable FCS file is refused with a message naming it and the problem. Files are written
    once under the media directory with their SHA-256; if anything fails afterwards, the files
    written are removed and the transaction rolls back. Each identity test measured (CD73, CD90,
    CD105 >= 95 %; CD45, CD34, CD14/CD11b, CD19/CD79a, HLA-DR <= 2 %) becomes a QC result
    (worst value of a slot's markers), judged like any result; a test that already has a result
    is corrected, which needs ``reason``.
    """
    check_role(acting_user, ANALYSTS)
    batch = _lock(batch)
    _assert_open_for_qc(batch)
    control_data, stained_data, result = _parse_uploads(control, stained)
    from .histograms import finite

    phenotype_json = finite(result.as_json(histograms=True))
    values = identity_values(phenotype_json["isct"]["criteria"])
    existing = current_results(batch)
    replaced = [t for t in values if t in existing]
    reason = _text(reason, "reason", 1000)
    if replaced and not reason:
        raise ValidationError({"reason": "results already exist for " + ", ".join(replaced)
                               + ": give a reason to replace them with this panel's"})
    written: list[Any] = []
    try:
        acquired = _acquired_on(control_data.keywords)
        keywords = control_data.keywords
        instrument = str(keywords.get("$CYT") or keywords.get("CREATOR") or "").strip()[:200]
        panel = m.FcsPanel.objects.create(
            batch=batch, uploaded_by=acting_user, panel_name=result.panel, verdict=result.verdict,
            phenotype=phenotype_json, instrument=instrument, acquired_on=acquired)
        files = []
        for position, (upload, data) in enumerate(zip((control, *stained), (control_data, *stained_data),
                                                       strict=True)):
            digest = storage.sha256(upload.data)
            name = storage.safe_name(upload.name)
            relative = f"fcs/{batch.code}/panel-{panel.pk}/{position}-{digest[:16]}-{name}"
            written.append(storage.write_once(relative, upload.data))
            files.append(m.FcsFile.objects.create(
                panel=panel, role=m.FcsFile.CONTROL if position == 0 else m.FcsFile.STAINED,
                position=position, original_name=name, stored_path=relative, sha256=digest,
                size=len(upload.data), fcs_version=data.version, events=data.event_count))
        record_event(acting_user=acting_user, action="create", record=panel, new={
            "verdict": panel.verdict, "instrument": instrument, "acquired_on": acquired,
            "files": [{"role": f.role, "name": f.original_name, "sha256": f.sha256, "size": f.size,
                       "path": f.stored_path} for f in files],
            "criteria": phenotype_json["isct"]["criteria"]})
        for test_id in IDENTITY_TESTS:
            if test_id not in values:
                continue
            value = format(values[test_id], "f")
            if test_id in existing:
                correct_result(result=existing[test_id], panel=panel, acting_user=acting_user,
                               reason=reason, changes={
                                   "value": value, "unit": "%", "method": "flow cytometry",
                                   "instrument": instrument, "performed_on": acquired})
            else:
                record_result(batch=batch, test_id=test_id, value=value, unit="%",
                              method="flow cytometry", instrument=instrument,
                              performed_on=acquired, panel=panel, acting_user=acting_user)
    except BaseException:
        storage.discard(written)
        raise
    return panel


def panel_histograms(panel: m.FcsPanel) -> list[Any]:
    """The panel's histograms of control against stained, as computed at upload."""
    from .histograms import from_json

    return from_json(panel.phenotype)


def file_intact(f: m.FcsFile) -> bool:
    """Whether the stored file still has the SHA-256 recorded at upload."""
    try:
        storage.read(f.stored_path, f.sha256)
    except (OSError, ValueError):
        return False
    return True


# --- release -------------------------------------------------------------------------------------

def qc_participants(batch: Batch) -> set[int]:
    """Users who entered, corrected or voided a QC result of the batch or uploaded its FCS
    panels (from the records and from the audit trail): none of them may release it."""
    ids: set[int] = set()
    for r in m.QcResult.objects.filter(batch=batch).values("analyst_id", "corrected_by_id"):
        ids.update(v for v in r.values() if v is not None)
    ids.update(m.FcsPanel.objects.filter(batch=batch).values_list("uploaded_by_id", flat=True))
    result_ids = [str(pk) for pk in m.QcResult.objects.filter(batch=batch).values_list("pk", flat=True)]
    ids.update(AuditEvent.objects.filter(record_type="quality.QcResult", record_id__in=result_ids,
                                         user_id__isnull=False).values_list("user_id", flat=True))
    return ids


@dataclass
class Eligibility:
    text: str
    ok: bool
    decision_id: int | None = None
    record_hash: str = ""
    signature: str = ""
    matches: bool | None = None


def eligibility(batch: Batch) -> Eligibility:
    from stromalab.web.screening.actions import decision_matches, latest_decision
    from stromalab.web.screening.models import Screening

    donor = batch.donation.donor
    if donor.withdrawn_at is not None or donor.voided_at is not None:
        return Eligibility(f"{donor.pseudonym}: consent withdrawn or donor voided: the material may not be used",
                           False)
    consent = donor.current_consent()
    if consent is None or consent.status != "signed":
        return Eligibility(f"{donor.pseudonym}: no signed consent", False)
    screening = Screening.objects.filter(donor=donor).first()
    decision = latest_decision(screening)
    if decision is None or screening is None:
        return Eligibility(f"{donor.pseudonym}: no signed eligibility decision", False)
    assert decision.signature is not None
    matches = decision_matches(decision, screening)
    text = f"{donor.pseudonym}: {decision.verdict}, signed {decision.signature.manifestation()}"
    if decision.verdict != "eligible":
        return Eligibility(text + " — not eligible", False, decision.pk, decision.record_hash,
                           decision.signature.manifestation(), matches)
    if not matches:
        return Eligibility(text + " — the screening record changed after signing: signature no longer matches",
                           False, decision.pk, decision.record_hash, decision.signature.manifestation(), False)
    return Eligibility(text + " — signature matches the current record", True, decision.pk,
                       decision.record_hash, decision.signature.manifestation(), True)


@dataclass
class TestRow:
    requirement: Requirement
    verdict: Verdict
    result: m.QcResult | None

    @property
    def status(self) -> str:
        return self.verdict.status.value


@dataclass
class ReleaseSummary:
    batch: Batch
    specification: Specification
    rows: list[TestRow]
    oos: list[m.OosRecord]
    deviations: list[Deviation]
    steps: list[Step]
    containers: list[Container]
    eligibility: Eligibility
    panels: list[m.FcsPanel]
    decision: m.ReleaseDecision | None
    blockers: list[str] = field(default_factory=list)

    @property
    def releasable(self) -> bool:
        return not self.blockers and self.decision is None

    @property
    def open_oos(self) -> list[m.OosRecord]:
        return [o for o in self.oos if o.status == m.OosRecord.OPEN]

    @property
    def open_deviations(self) -> list[Deviation]:
        return [d for d in self.deviations if d.status == Deviation.OPEN]

    @property
    def closed_deviations(self) -> list[Deviation]:
        return [d for d in self.deviations if d.status == Deviation.CLOSED]

    def content(self, decision: str) -> dict[str, Any]:
        """What the qualified person signs: identities, every result as judged, the OOS
        records, the donor's signed decision, the specification version, and the decision.
        Statuses the release itself changes (batch, containers) are not part of it."""
        spec = self.specification
        return {
            "batch": self.batch.code, "din": self.batch.din, "product": self.batch.product_code,
            "study": spec.protocol,
            "specification": {"version": spec.version, "effective": spec.effective},
            "results": [{
                "test": row.requirement.id, "status": row.status,
                "value": row.result.value if row.result else None,
                "unit": row.result.unit if row.result else None,
                "requested_dose": row.result.requested_dose if row.result else None,
                "method": row.result.method if row.result else None,
                "instrument": row.result.instrument if row.result else None,
                "performed_on": row.result.performed_on if row.result else None,
                "analyst": row.result.analyst.username if row.result else None,
            } for row in self.rows],
            "oos": [{"id": o.pk, "test": o.test_id, "value": o.value, "status": o.status,
                     "conclusion": o.conclusion} for o in self.oos],
            "panels": [{"id": p.pk, "files": sorted(f.sha256 for f in p.files.all())} for p in self.panels],
            "deviations": [_deviation_content(d) for d in self.deviations],
            "eligibility": {"decision": self.eligibility.decision_id,
                            "record_hash": self.eligibility.record_hash},
            "containers": sorted(c.identifier for c in self.containers),
            "decision": decision,
        }


def _deviation_content(d: Deviation) -> dict[str, Any]:
    """A deviation as signed at release. An open one keeps the keys signed before deviations
    could be closed, so that earlier release signatures still match; a closed one adds its
    investigation (status, impact, conclusion, closing signature)."""
    out: dict[str, Any] = {"id": d.pk, "check": d.check_id, "description": d.description, "reason": d.reason}
    if d.status != Deviation.OPEN:
        out.update(status=d.status, impact=d.impact, conclusion=d.conclusion,
                   closing_signature=d.signature.content_hash if d.signature else None)
    return out


def release_summary(batch: Batch) -> ReleaseSummary:
    """Everything the qualified person reviews, and every reason the batch cannot be released."""
    batch = Batch.objects.select_related("donation__donor").get(pk=batch.pk)
    spec = specification(batch)
    results = current_results(batch)
    rows = []
    for requirement in spec.requirements:
        result = results.get(requirement.id)
        verdict = judge(result, requirement) if result is not None else evaluate(requirement, None)
        rows.append(TestRow(requirement, verdict, result))
    summary = ReleaseSummary(
        batch=batch, specification=spec, rows=rows,
        oos=list(m.OosRecord.objects.filter(batch=batch).select_related("closed_by", "signature")
                 .order_by("id")),
        deviations=list(Deviation.objects.filter(batch=batch).select_related("batch", "step", "closed_by", "signature")
                        .order_by("id")),
        steps=sorted(Step.objects.filter(batch=batch).select_related("signature"), key=lambda s: s.sort_key),
        containers=list(Container.objects.filter(batch=batch).order_by("division")),
        eligibility=eligibility(batch),
        panels=list(m.FcsPanel.objects.filter(batch=batch, voided_at__isnull=True)
                    .prefetch_related("files").order_by("id")),
        decision=m.ReleaseDecision.objects.filter(batch=batch).select_related("signature").first(),
    )
    b = summary.blockers
    if summary.decision is not None:
        b.append(f"already {summary.decision.decision} on {summary.decision.decided_at:%Y-%m-%d %H:%M}")
    if batch.status != Batch.QUARANTINE:
        b.append(f"batch is {batch.get_status_display()}: only a batch in quarantine (filled into "
                 "containers, awaiting release) can be released")
    for step in summary.steps:
        if step.state in (Step.IN_PROGRESS, Step.REJECTED):
            b.append(f"batch record: step {step.label} is {step.get_state_display()}")
        elif step.signature_id is not None and not step.signature_matches():
            b.append(f"batch record: step {step.label} changed after it was signed")
    for row in rows:
        if row.verdict.blocks_release:
            b.append(f"{row.requirement.name} ({row.requirement.id}): {row.status}: {row.verdict.reason}")
    b.extend(f"OOS {o.pk} ({o.test_id} {o.value}) is open: investigate and close it" for o in summary.open_oos)
    b.extend(f"deviation {d.pk} ({d.check_id}: {d.description}) is open: the qualified person must "
             "investigate and close it" for d in summary.open_deviations)
    b.extend(f"deviation {d.pk} ({d.check_id}: {d.description}) was closed with the impact \"product "
             "rejected\": reject the batch" for d in summary.closed_deviations
             if d.impact == Deviation.IMPACT_PRODUCT_REJECTED)
    if not summary.eligibility.ok:
        b.append(f"donor eligibility: {summary.eligibility.text}")
    if not summary.containers:
        b.append("the batch has no containers")
    return summary


def _decide(*, batch: Batch, password: str, acting_user: Any, decision: str, reason: str) -> m.ReleaseDecision:
    check_role(acting_user, RELEASERS)
    batch = _lock(batch)
    if acting_user.pk in qc_participants(batch):
        raise FourEyesViolation(
            f"four eyes: {acting_user.username} entered or corrected QC results of {batch.code}; "
            "another qualified person must decide on its release")
    summary = release_summary(batch)
    if summary.decision is not None:
        raise ReleaseRefused(f"batch {batch.code} is already {summary.decision.decision}")
    if decision == m.ReleaseDecision.RELEASED and summary.blockers:
        raise ReleaseRefused(summary.blockers)
    if decision == m.ReleaseDecision.REJECTED and batch.status not in (Batch.IN_PROCESS, Batch.QUARANTINE):
        raise ReleaseRefused(f"batch is {batch.get_status_display()}: it cannot be rejected")
    content = summary.content(decision)
    record = m.ReleaseDecision.objects.create(batch=batch, decision=decision, reason=reason,
                                              summary_json=canonical_json(content), decided_by=acting_user)
    meaning = Signature.RELEASED if decision == m.ReleaseDecision.RELEASED else Signature.REVIEWED
    record.signature = sign(acting_user=acting_user, password=password, meaning=meaning,
                            record_type="quality.ReleaseDecision", record_id=str(record.pk),
                            content=content, subject=batch.code)
    record.save(update_fields=["signature"])
    record_event(acting_user=acting_user, action="release" if decision == "released" else "reject",
                 record=record, reason=reason,
                 new={"decision": decision, "content_hash": record.signature.content_hash,
                      "specification_version": summary.specification.version})
    why = reason or f"batch {decision} by the qualified person"
    record_changes(acting_user=acting_user, record=batch, changes={"status": (batch.status, decision)},
                   reason=why)
    batch.status = decision
    batch.save(update_fields=["status"])
    target = Container.RELEASED if decision == m.ReleaseDecision.RELEASED else Container.REJECTED
    for container in Container.objects.select_for_update().filter(batch=batch, status=Container.QUARANTINE):
        record_changes(acting_user=acting_user, record=container,
                       changes={"status": (container.status, target)}, reason=why)
        container.status = target
        container.save(update_fields=["status"])
    return record


@transaction.atomic
def release_batch(*, batch: Batch, password: str, acting_user: Any) -> m.ReleaseDecision:
    """The qualified person releases the batch with an e-signature (meaning "released").

    Refused (:class:`ReleaseRefused`, every reason listed) unless the release summary has no
    blocker; refused (:class:`FourEyesViolation`) for anyone who took part in its QC. Sets the
    batch and its quarantined containers to released, audited."""
    return _decide(batch=batch, password=password, acting_user=acting_user,
                   decision=m.ReleaseDecision.RELEASED, reason="")


@transaction.atomic
def reject_batch(*, batch: Batch, password: str, reason: str, acting_user: Any) -> m.ReleaseDecision:
    """The qualified person rejects the batch with an e-signature (meaning "reviewed") and a
    reason; the batch and its quarantined containers become rejected."""
    reason = _text(reason, "reason", 2000)
    if not reason:
        raise ValidationError({"reason": "a reason is required to reject a batch"})
    return _decide(batch=batch, password=password, acting_user=acting_user,
                   decision=m.ReleaseDecision.REJECTED, reason=reason)


def decision_matches(summary: ReleaseSummary) -> bool | None:
    """None before any decision; otherwise whether the current record is the one signed."""
    d = summary.decision
    if d is None or d.signature is None:
        return None
    return d.signature.matches(summary.content(d.decision))


# --- certificate of analysis -----------------------------------------------------------------------

def certificate_data(batch: Batch, *, histograms: bool = True) -> dict[str, Any]:
    """Plain values for :func:`stromalab.web.quality.certificate.render`."""
    from .histograms import render_png

    summary = release_summary(batch)
    spec = summary.specification
    tests = []
    for row in summary.rows:
        r = row.result
        tests.append({
            "test_id": row.requirement.id, "name": row.requirement.name,
            "method": r.method if r else row.requirement.method, "limit": row.requirement.limit_text,
            "value": (r.value + (f" (dose {r.requested_dose})" if r.requested_dose else "")) if r else "-",
            "unit": (r.unit if r else row.requirement.unit) or "",
            "analyst": r.analyst.printed_name if r else "-", "instrument": r.instrument if r else "",
            "date": r.performed_on.isoformat() if r else "-", "verdict": row.status})
    panels = []
    for p in summary.panels:
        pngs = [render_png(h) for h in panel_histograms(p)] if histograms else []
        panels.append({
            "id": p.pk, "panel": p.panel_name, "verdict": p.verdict,
            "uploaded_by": p.uploaded_by.printed_name, "uploaded_at": f"{p.uploaded_at:%Y-%m-%d %H:%M}",
            "files": [{"role": f.role, "name": f.original_name, "sha256": f.sha256} for f in p.files.all()],
            "criteria": p.criteria(), "histograms": pngs})
    d = summary.decision
    sig = None
    if d is not None and d.signature is not None:
        sig = {"printed_name": d.signature.printed_name,
               "signed_at": d.signature.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
               "meaning": d.signature.get_meaning_display(), "content_hash": d.signature.content_hash,
               "matches": bool(decision_matches(summary))}
    blocking = [row for row in summary.rows if row.verdict.blocks_release]
    return {
        "study": spec.protocol, "batch": batch.code, "din": batch.din,
        "product": f"{batch.product_code} {batch.product_description}",
        "donor": batch.donation.donor.pseudonym,
        "specification": f"release specification {spec.protocol} version {spec.version} "
                         f"(effective {spec.effective})",
        "containers": [c.identifier for c in summary.containers],
        "batch_state": summary.batch.get_status_display(),
        "eligibility": summary.eligibility.text,
        "tests": tests,
        "conclusion": "all tests within specification" if not blocking else
                      "; ".join(f"{r.requirement.name}: {r.status}" for r in blocking),
        "oos": [{"id": o.pk, "test": o.test_id, "value": o.value,
                 "opened": f"{o.opened_at:%Y-%m-%d %H:%M}", "status": o.status,
                 "closed_by": o.signature.manifestation() if o.signature else "",
                 "conclusion": o.conclusion} for o in summary.oos],
        "deviations": [{"id": x.pk, "check": x.check_id, "description": x.description, "reason": x.reason,
                        "recorded": f"{x.recorded_at:%Y-%m-%d %H:%M}", "status": x.status,
                        "impact": x.get_impact_display() if x.impact else "",
                        "closed_by": x.signature.manifestation() if x.signature else "",
                        "conclusion": x.conclusion} for x in summary.deviations],
        "phenotype": panels,
        "decision": d.decision if d else "",
        "decision_reason": d.reason if d else "",
        "signature": sig,
        "printed_at": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    }
