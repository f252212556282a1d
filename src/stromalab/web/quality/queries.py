"""Read-only quality look-ups: the batch's specification and current results, the release
summary the qualified person reviews (with every reason the batch cannot be released), the
donor's eligibility as release sees it, the four-eyes participants, and the certificate's data.

Nothing here writes: the actions (:mod:`stromalab.web.quality.actions`) and the pages both read
through these functions, so that what is shown is what the release checks.

Release rules (compliance.md, manufacturing.md), all checked by :func:`release_summary`:

- every required test of the specification has a result within its limit;
- no out-of-specification record is open;
- no manufacturing deviation is open: each must be investigated and closed by the qualified
  person (:func:`stromalab.web.manufacturing.actions.close_deviation`), and none may be closed
  with the impact "product rejected" (the batch is then rejected, not released). Deviations,
  with their conclusions once closed, are shown on the summary and are part of the content signed;
- the batch is in quarantine (filled, awaiting release), its record has no step in progress or
  rejected and no step signature that no longer matches;
- the donor has a signed "eligible" decision that still matches the screening record, and the
  donors app says their material may be used (:func:`stromalab.web.donors.queries.material_use_refusal`);
- the donor's infection tests were sampled in the protocol's windows, and the repeat sample
  they may call for is recorded (:func:`stromalab.web.safety.windows.release_refusals`);
- four eyes (:func:`qc_participants`): a user who entered, corrected or voided any QC result of
  the batch, or uploaded one of its FCS panels, may not release (or reject) it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from stromalab.core.manufacturing.release import Result, Verdict, evaluate
from stromalab.core.manufacturing.specification import Requirement, Specification
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors.queries import material_use_refusal
from stromalab.web.localtime import local_text
from stromalab.web.manufacturing.checks import shown_name, status_word
from stromalab.web.manufacturing.display import as_number, number_text
from stromalab.web.manufacturing.models import Batch, Container, Deviation, Donation, Step
from stromalab.web.manufacturing.wording import quantity_text, reason_text
from stromalab.web.materials.queries import batch_lots
from stromalab.web.safety.windows import release_refusals

from . import models as m
from . import storage
from .spec import IDENTITY_TESTS, shown_limit, shown_value, specification_for


def specification(batch: Batch) -> Specification:
    """The release specification of the batch's study."""
    return specification_for(batch.donation.donor.study_id)


def current_results(batch: Batch) -> dict[str, m.QcResult]:
    """The batch's results that are not voided, by test id (one per test)."""
    qs = m.QcResult.objects.filter(batch=batch, voided_at__isnull=True).select_related("analyst")
    return {r.test_id: r for r in qs}


def judge(result: m.QcResult, requirement: Requirement) -> Verdict:
    """The core's verdict on one stored result."""
    return evaluate(requirement, Result(requirement.id, result.value, result.unit or None),
                    requested_dose=result.requested_dose)


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


def qc_participants(batch: Batch) -> set[int]:
    """Users who entered, corrected or voided a QC result of the batch or uploaded its FCS
    panels (from the records and from the audit trail): none of them may release it.

    Three reads, unordered. The events' users are filtered here, not in SQL: with ``user_id IS
    NOT NULL`` PostgreSQL's planner combined the record index with a scan of the user index over
    the whole trail (ms on a million events) instead of reading the results' few events."""
    ids: set[int] = set()
    result_ids = []
    for pk, analyst_id, corrected_by_id in (m.QcResult.objects.filter(batch=batch).order_by()
                                            .values_list("pk", "analyst_id", "corrected_by_id")):
        result_ids.append(str(pk))
        ids.update(v for v in (analyst_id, corrected_by_id) if v is not None)
    ids.update(m.FcsPanel.objects.filter(batch=batch).order_by().values_list("uploaded_by_id", flat=True))
    ids.update(AuditEvent.objects.filter(record_type="quality.QcResult", record_id__in=result_ids)
               .order_by().values_list("user_id", flat=True))
    ids.discard(None)  # events of the system (no user)
    return ids


# --- the donor's eligibility, as release sees it ---------------------------------------------

#: an eligibility decision's verdict as a word of the reader's language (stored in English)
VERDICT_WORDS = {"eligible": gettext_lazy("eligible"), "ineligible": gettext_lazy("ineligible"),
                 "incomplete": gettext_lazy("incomplete")}

@dataclass
class Eligibility:
    """Whether the donor may give this batch: the text shown, and what the release signs."""

    text: str
    ok: bool
    decision_id: int | None = None
    record_hash: str = ""
    signature: str = ""
    matches: bool | None = None


def eligibility(batch: Batch) -> Eligibility:
    """The donor's consent (asked of the donors app) and signed eligibility decision, and
    whether that decision still matches the screening record; its text in the active language."""
    from stromalab.web.screening.actions import decision_matches, latest_decision
    from stromalab.web.screening.models import Screening

    donor = batch.donation.donor
    refusal = material_use_refusal(donor)
    if refusal is not None:
        return Eligibility(refusal, False)
    screening = Screening.objects.filter(donor=donor).first()
    decision = latest_decision(screening)
    if decision is None or screening is None:
        return Eligibility(_("%(donor)s: no signed eligibility decision") % {"donor": donor.pseudonym}, False)
    assert decision.signature is not None
    signed = decision.signature.manifestation()
    matches = decision_matches(decision, screening)
    text = _("%(donor)s: %(verdict)s, signed %(signature)s") % {
        "donor": donor.pseudonym, "verdict": VERDICT_WORDS.get(decision.verdict, decision.verdict),
        "signature": signed}
    if decision.verdict != "eligible":
        return Eligibility(text + " — " + _("not eligible"), False, decision.pk, decision.record_hash, signed,
                           matches)
    if not matches:
        return Eligibility(text + " — " + _("the screening record changed after signing: signature no longer "
                                            "matches"), False, decision.pk, decision.record_hash, signed, False)
    return Eligibility(text + " — " + _("signature matches the current record"), True, decision.pk,
                       decision.record_hash, signed, True)


# --- the release summary ---------------------------------------------------------------------

def unit_text(requirement: Requirement, unit: str | None) -> str:
    """A recorded unit as people read it: the requirement's in the active language when it is
    the one the specification gives (``cellules``), else as recorded."""
    if unit and unit == requirement.unit:
        return requirement.unit_label(get_language() or "en") or ""
    return unit or ""


def method_text(requirement: Requirement, method: str | None) -> str:
    """A recorded method as people read it: the specification's in the active language when it
    is the one recorded (or none was), else as recorded."""
    if not method or method == requirement.method:
        return requirement.method_label(get_language() or "en")
    return method


def result_text(requirement: Requirement, result: m.QcResult, *, unit: bool = True) -> str:
    """A stored result as people read it: a choice by its label, a number the language's way
    (``99,01``), with its unit in that language unless ``unit=False``."""
    value = shown_value(requirement, result.value)
    number = as_number(value)
    shown = number_text(number) if number is not None else value
    return f"{shown} {unit_text(requirement, result.unit)}".strip() if unit else shown


@dataclass
class TestRow:
    """One test of the specification with its current result (if any) and the verdict."""

    requirement: Requirement
    verdict: Verdict
    result: m.QcResult | None

    @property
    def status(self) -> str:
        return self.verdict.status.value

    @property
    def shown_value(self) -> str:
        """The result as people read it (a choice by its label in their language), with its unit."""
        if self.result is None:
            return ""
        return result_text(self.requirement, self.result)

    @property
    def shown_limit(self) -> str:
        return shown_limit(self.requirement)

    @property
    def shown_method(self) -> str:
        """The method in the reader's language (release.yaml's ``method: {en, fr}``)."""
        return method_text(self.requirement, self.result.method if self.result else None)

    @property
    def shown_dose(self) -> str:
        """The requested dose the count was judged against, thousands grouped; "" for none."""
        dose = self.result.requested_dose if self.result else None
        return quantity_text(str(dose), None) if dose else ""

    @property
    def shown_name(self) -> str:
        """The test's name in the reader's language (release.yaml's ``name: {en, fr}``)."""
        return shown_name(self.requirement)


@dataclass
class ReleaseSummary:
    """Everything the qualified person reviews; ``blockers`` lists why release is refused."""

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
    def panel_warnings(self) -> list[tuple[m.FcsPanel, str]]:
        """Each warning of the batch's panels, with its panel, in the active language."""
        return [(p, text) for p in self.panels for text in p.warning_texts()]

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
            "specification": self._signed_specification() or {"version": spec.version,
                                                               "effective": spec.effective},
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
            "panels": [_panel_content(p) for p in self.panels],
            "deviations": [_deviation_content(d) for d in self.deviations],
            "eligibility": {"decision": self.eligibility.decision_id,
                            "record_hash": self.eligibility.record_hash},
            "containers": sorted(c.identifier for c in self.containers),
            "decision": decision,
        }


    def _signed_specification(self) -> dict[str, Any] | None:
        """Once decided, the specification version the decision was judged against, as signed.

        A specification changes by new version (release.yaml's rule); that is no change of the
        decided batch's record, so its signature must still match. The version comes from the
        signed JSON, whose hash the signature holds: altering it there breaks the match."""
        if self.decision is None:
            return None
        try:
            signed = json.loads(self.decision.summary_json).get("specification")
            return {"version": signed["version"], "effective": dt.date.fromisoformat(signed["effective"])}
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _panel_content(p: m.FcsPanel) -> dict[str, Any]:
    """A panel as signed at release: its files and, only when it has any, its upload warnings
    (so that signatures made before panels had warnings still match)."""
    out: dict[str, Any] = {"id": p.pk, "files": sorted(f.sha256 for f in p.files.all())}
    if p.warnings:
        out["warnings"] = p.warnings
    return out


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
    """Everything the qualified person reviews, and every reason the batch cannot be released.
    The batch is read with its donation and donor unless the caller's already holds them (the
    pages' :func:`~stromalab.web.manufacturing.queries.batch_or_404`)."""
    if not (Batch.donation.is_cached(batch) and Donation.donor.is_cached(batch.donation)):
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
        oos=list(m.OosRecord.objects.filter(batch=batch).select_related("result", "closed_by", "signature")
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
    summary.blockers.extend(_blockers(summary))
    return summary


def _blockers(summary: ReleaseSummary) -> list[str]:
    """Every reason the summarised batch cannot be released, in the order the page lists them,
    in the active language; tests are named by their name in release.yaml in that language."""
    batch = summary.batch
    b = []
    if summary.decision is not None:
        b.append(_("already %(decision)s on %(time)s") % {
            "decision": summary.decision.get_decision_display(), "time": local_text(summary.decision.decided_at)})
    if batch.status != Batch.QUARANTINE:
        b.append(_("batch is %(status)s: only a batch in quarantine (filled into containers, awaiting release) "
                   "can be released") % {"status": batch.get_status_display()})
    for step in summary.steps:
        if step.state in (Step.IN_PROGRESS, Step.REJECTED):
            b.append(_("batch record: step %(step)s is %(state)s") % {
                "step": step.label, "state": step.get_state_display()})
        elif step.signature_id is not None and not step.signature_matches():
            b.append(_("batch record: step %(step)s changed after it was signed") % {"step": step.label})
    for row in summary.rows:
        if row.verdict.blocks_release:
            b.append(_("%(test)s: %(status)s: %(reason)s") % {
                "test": row.shown_name, "status": status_word(row.status),
                "reason": reason_text(row.verdict.reason, row.requirement)})
    spec = summary.specification
    b.extend(_("OOS %(id)s (%(test)s %(value)s) is open: investigate and close it") % {
        "id": o.pk, "test": _test_name(spec, o.result.test_id, o.result.test_name),
        "value": quantity_text(o.value, _requirement(spec, o.result.test_id))} for o in summary.open_oos)
    b.extend(_("deviation %(id)s (%(check)s: %(description)s) is open: the qualified person must investigate "
               "and close it") % {"id": d.pk, "check": d.check_id, "description": d.shown_description}
             for d in summary.open_deviations)
    b.extend(_("deviation %(id)s (%(check)s: %(description)s) was closed with the impact \"product rejected\": "
               "reject the batch") % {"id": d.pk, "check": d.check_id, "description": d.shown_description}
             for d in summary.closed_deviations if d.impact == Deviation.IMPACT_PRODUCT_REJECTED)
    if not summary.eligibility.ok:
        b.append(_("donor eligibility: %(text)s") % {"text": summary.eligibility.text})
    b.extend(release_refusals(batch.donation))
    if not summary.containers:
        b.append(_("the batch has no containers"))
    return b


def decision_matches(summary: ReleaseSummary) -> bool | None:
    """None before any decision; otherwise whether the current record is the one signed."""
    d = summary.decision
    if d is None or d.signature is None:
        return None
    return d.signature.matches(summary.content(d.decision))


# --- certificate of analysis -------------------------------------------------------------------

def certificate_data(batch: Batch, *, histograms: bool = True) -> dict[str, Any]:
    """Plain values for :func:`stromalab.web.quality.certificate.render`, read in the active
    language (tests' names, limits, results, statuses) with local times, the zone named; the
    verdicts stay the core's status values (the certificate colours and words them)."""
    from .histograms import render_png

    summary = release_summary(batch)
    spec = summary.specification
    tests = []
    for row in summary.rows:
        r = row.result
        tests.append({
            "test_id": row.requirement.id, "name": shown_name(row.requirement),
            "method": method_text(row.requirement, r.method if r else None), "limit": shown_limit(row.requirement),
            "value": (result_text(row.requirement, r, unit=False) + (
                _(" (dose %(dose)s)") % {"dose": quantity_text(str(r.requested_dose), None)}
                if r.requested_dose else "")) if r else "-",
            "unit": unit_text(row.requirement, r.unit if r else row.requirement.unit),
            "analyst": r.analyst.printed_name if r else "-", "instrument": r.instrument if r else "",
            "date": r.performed_on.isoformat() if r else "-", "verdict": row.status})
    panels = []
    for p in summary.panels:
        pngs = [render_png(h) for h in panel_histograms(p)] if histograms else []
        panels.append({
            "id": p.pk, "panel": p.panel_name, "verdict": p.verdict,
            "uploaded_by": p.uploaded_by.printed_name, "uploaded_at": local_text(p.uploaded_at),
            "files": [{"role": f.role, "name": f.original_name, "sha256": f.sha256} for f in p.files.all()],
            "criteria": p.criteria(), "histograms": pngs})
    d = summary.decision
    sig = None
    if d is not None and d.signature is not None:
        sig = {"printed_name": d.signature.printed_name,
               "signed_at": local_text(d.signature.signed_at, seconds=True),
               "meaning": d.signature.get_meaning_display(), "content_hash": d.signature.content_hash,
               "matches": bool(decision_matches(summary))}
    blocking = [row for row in summary.rows if row.verdict.blocks_release]
    return {
        "study": spec.protocol, "batch": batch.code, "din": batch.din,
        "product": f"{batch.product_code} {batch.product_description}",
        "donor": batch.donation.donor.pseudonym,
        "specification": _("release specification %(protocol)s version %(version)s (effective %(date)s)")
                         % {"protocol": spec.protocol, "version": spec.version, "date": spec.effective},
        "containers": [c.identifier for c in summary.containers],
        "batch_state": summary.batch.get_status_display(),
        "eligibility": summary.eligibility.text,
        "tests": tests,
        "conclusion": _("all tests within specification") if not blocking else
                      "; ".join(f"{shown_name(r.requirement)}: {status_word(r.status)}" for r in blocking),
        "oos": [{"id": o.pk, "test": _test_name(spec, o.result.test_id, o.result.test_name), "value": o.value,
                 "opened": local_text(o.opened_at), "status": o.get_status_display(),
                 "closed_by": o.signature.manifestation() if o.signature else "",
                 "conclusion": o.conclusion} for o in summary.oos],
        "deviations": [{"id": x.pk, "check": x.check_id, "description": x.shown_description, "reason": x.reason,
                        "recorded": local_text(x.recorded_at), "status": x.get_status_display(),
                        "impact": x.get_impact_display() if x.impact else "",
                        "closed_by": x.signature.manifestation() if x.signature else "",
                        "conclusion": x.conclusion} for x in summary.deviations],
        "phenotype": panels,
        # the register's lots the manufacture used (a recall reads the certificate too)
        "lots": [{"step": str(u["step"]), "use": str(u["role"]), "lot": str(u["lot"]),
                  "expires": u["expires_on"].isoformat() if u["expires_on"] else "-"} for u in batch_lots(batch)],
        "decision": d.get_decision_display() if d else "",
        "decision_reason": d.reason if d else "",
        "signature": sig,
        "printed_at": local_text(timezone.now()),
    }


def _requirement(spec: Specification, test_id: str) -> Requirement | None:
    """The current specification's test ``test_id``, if it still has it."""
    try:
        return spec.requirement(test_id)
    except KeyError:
        return None


def _test_name(spec: Specification, test_id: str, recorded: str) -> str:
    """A test's name in the active language; the name recorded with the result when the current
    specification no longer has the test."""
    try:
        return shown_name(spec.requirement(test_id))
    except KeyError:
        return recorded


# --- what waits for someone (the dashboard's work queues), and the ISCT objective -------------

def open_oos(study_id: str) -> QuerySet[m.OosRecord]:
    """The study's open out-of-specification records (each blocks its batch's release until
    investigated and closed by the qualified person), oldest first."""
    return (m.OosRecord.objects.filter(status=m.OosRecord.OPEN, batch__donation__donor__study_id=study_id)
            .exclude(batch__status=Batch.VOIDED).select_related("batch", "result").order_by("opened_at", "id"))


def _undecided(study_id: str, *, resulted: bool) -> QuerySet[Batch]:
    """The study's batches in quarantine with no release decision whose required tests all have a
    current result (``resulted``) or not yet, annotated with how many do (``n_required``) and how
    many OOS records are open (``n_open_oos``)."""
    required = [r.id for r in specification_for(study_id).requirements if r.required]
    qs = (Batch.objects.filter(donation__donor__study_id=study_id, status=Batch.QUARANTINE,
                               release_decision__isnull=True)
          .annotate(n_required=Count("qc_results", distinct=True, filter=Q(qc_results__voided_at__isnull=True,
                                                                           qc_results__test_id__in=required)),
                    n_open_oos=Count("oos_records", distinct=True,
                                     filter=Q(oos_records__status=m.OosRecord.OPEN))))
    qs = qs.filter(n_required__gte=len(required)) if resulted else qs.filter(n_required__lt=len(required))
    return qs.order_by("created_at", "id")


def batches_awaiting_qc(study_id: str) -> QuerySet[Batch]:
    """Batches in quarantine still missing a result of a required test (the analyst's work)."""
    return _undecided(study_id, resulted=False)


def batches_awaiting_release(study_id: str) -> QuerySet[Batch]:
    """Batches in quarantine with every required test resulted and no decision yet (the qualified
    person's review; the release summary still lists whatever blocks release)."""
    return _undecided(study_id, resulted=True)


def batch_overview() -> QuerySet[Any]:
    """The QC page's batches (voided left out), newest first, each with its current results
    (``n_results``), open OOS records (``n_open_oos``) and release decision, in one query: the
    page and its CSV/Excel export (web/exports/tables) read the same rows. (Batches with two
    annotations the stubs cannot name: typed ``Any``.)"""
    return (Batch.objects.exclude(status=Batch.VOIDED).select_related("donation__donor", "release_decision")
            .annotate(n_results=Count("qc_results", filter=Q(qc_results__voided_at__isnull=True), distinct=True),
                      n_open_oos=Count("oos_records", filter=Q(oos_records__status=m.OosRecord.OPEN),
                                       distinct=True))
            .order_by("-created_at", "-id"))


def _identity_results(status: str | None = None) -> Count:
    """Count of a batch's current results of the ISCT identity tests (:data:`~.spec.IDENTITY_TESTS`),
    of those with ``status`` when given (as judged when entered)."""
    current = Q(qc_results__voided_at__isnull=True, qc_results__test_id__in=IDENTITY_TESTS)
    return Count("qc_results", filter=current & Q(qc_results__status=status) if status else current)


def isct_by_batch(study_id: str) -> QuerySet[Any, Mapping[str, Any]]:
    """The study's batches (voided left out), oldest first, as ``code``, ``status``,
    ``isct_measured`` (identity tests with a current result) and ``isct_passed``."""
    return (Batch.objects.filter(donation__donor__study_id=study_id).exclude(status=Batch.VOIDED)
            .annotate(isct_measured=_identity_results(), isct_passed=_identity_results("pass"))
            .order_by("created_at", "id").values("code", "status", "isct_measured", "isct_passed"))


def isct_status(passed: int, measured: int) -> str:
    """``meets`` when every identity test passed, ``fails`` when one did not, else ``incomplete``."""
    if passed == len(IDENTITY_TESTS):
        return "meets"
    return "fails" if measured > passed else "incomplete"
