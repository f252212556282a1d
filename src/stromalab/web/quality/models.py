"""QC results, out-of-specification records, FCS panels and release decisions.

Nothing is physically deleted: a result entered against the wrong batch is voided with a
reason; a correction changes the value in place and the audit trail keeps the old one (with
the reason). Each batch has at most one current (not voided) result per specification test.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts.models import Signature


class QcResult(models.Model):
    """One QC result, judged by the core against the study's release specification.

    ``status`` and ``verdict_reason`` cache the core's verdict when the result was entered or
    last corrected; the release screen judges again from the values.
    """

    MANUAL, FCS = "manual", "fcs"
    SOURCES = [(MANUAL, _("entered")), (FCS, _("FCS panel"))]
    batch = models.ForeignKey("manufacturing.Batch", on_delete=models.PROTECT, related_name="qc_results")
    test_id = models.CharField(max_length=32)
    test_name = models.CharField(max_length=100)
    value = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, blank=True)
    requested_dose = models.DecimalField(max_digits=20, decimal_places=0, null=True, blank=True,
                                         help_text="per-dose limits: the dose requested for the batch")
    method = models.CharField(max_length=200)
    instrument = models.CharField(max_length=200, blank=True)
    performed_on = models.DateField()
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    specification_version = models.CharField(max_length=32)
    limit_text = models.CharField(max_length=100)
    status = models.CharField(max_length=10)
    verdict_reason = models.TextField(blank=True)
    source = models.CharField(max_length=8, choices=SOURCES, default=MANUAL)
    panel = models.ForeignKey("FcsPanel", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="results")
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "test_id"], condition=models.Q(voided_at__isnull=True),
                                    name="qc_result_one_current_per_test"),
        ]

    def __str__(self) -> str:
        return f"{self.test_id}={self.value}"

    @property
    def audit_subject(self) -> str:
        return self.batch.code

    @property
    def shown_value(self) -> str:
        return f"{self.value} {self.unit}".strip()


class OosRecord(models.Model):
    """An out-of-specification result: blocks release until investigated and closed.

    Closing needs the investigation's conclusion and the closer's e-signature (meaning
    "reviewed") bound to the record's content."""

    OPEN, CLOSED = "open", "closed"
    STATUSES = [(OPEN, _("open")), (CLOSED, _("closed"))]
    batch = models.ForeignKey("manufacturing.Batch", on_delete=models.PROTECT, related_name="oos_records")
    result = models.ForeignKey(QcResult, on_delete=models.PROTECT, related_name="oos_records")
    test_id = models.CharField(max_length=32)
    value = models.CharField(max_length=130)
    limit_text = models.CharField(max_length=100)
    description = models.TextField()
    status = models.CharField(max_length=8, choices=STATUSES, default=OPEN, db_index=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+")
    conclusion = models.TextField(blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"OOS {self.pk} {self.test_id}"

    @property
    def audit_subject(self) -> str:
        return self.batch.code

    def signed_content(self) -> dict[str, object]:
        return {"oos": self.pk, "batch": self.batch.code, "test": self.test_id, "value": self.value,
                "limit": self.limit_text, "conclusion": self.conclusion}


class FcsPanel(models.Model):
    """One upload of a phenotype panel: a control tube and stained tubes, and what the core
    computed from them (``phenotype``: the ``stromalab fcs phenotype --format json`` object)."""

    batch = models.ForeignKey("manufacturing.Batch", on_delete=models.PROTECT, related_name="fcs_panels")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    panel_name = models.CharField(max_length=200)
    verdict = models.CharField(max_length=16)
    phenotype = models.JSONField(default=dict)
    instrument = models.CharField(max_length=200, blank=True)
    acquired_on = models.DateField()
    #: what to check, found at upload, not refused: ``[{"kind": "instrument" | "date", "file",
    #: "control_file", "control", "stained"}]`` (a control acquired on another instrument or day)
    warnings = models.JSONField(default=list, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    @property
    def audit_subject(self) -> str:
        return self.batch.code

    def criteria(self) -> list[dict[str, object]]:
        return list(self.phenotype.get("isct", {}).get("criteria", []))

    def warning_texts(self) -> list[str]:
        """The upload's warnings in words, in the active language."""
        texts = {
            "instrument": gettext("control tube %(control_file)s was acquired on the instrument %(control)s, "
                                  "%(file)s on %(stained)s ($CYT): check that this control belongs to it"),
            "date": gettext("control tube %(control_file)s was acquired on %(control)s, %(file)s on "
                            "%(stained)s ($DATE): check that this control belongs to it"),
        }
        return [texts[w["kind"]] % w for w in self.warnings if w.get("kind") in texts]


class FcsFile(models.Model):
    """A stored FCS file (written once under ``STROMALAB_MEDIA_DIR``, SHA-256 recorded)."""

    CONTROL, STAINED = "control", "stained"
    ROLES = [(CONTROL, _("control")), (STAINED, _("stained"))]
    panel = models.ForeignKey(FcsPanel, on_delete=models.PROTECT, related_name="files")
    role = models.CharField(max_length=8, choices=ROLES)
    position = models.PositiveSmallIntegerField()
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=300, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    fcs_version = models.CharField(max_length=8)
    events = models.PositiveIntegerField()

    class Meta:
        ordering = ["panel", "position"]
        constraints = [models.UniqueConstraint(fields=["panel", "position"], name="fcs_file_position_unique")]

    @property
    def audit_subject(self) -> str:
        return self.panel.batch.code


class ReleaseDecision(models.Model):
    """The qualified person's signed decision on a batch: released or rejected (one per batch).

    ``summary_json`` is the canonical JSON of the release summary signed; the signature's
    ``content_hash`` is its SHA-256, so the certificate can show whether the current record
    still matches what was signed."""

    RELEASED, REJECTED = "released", "rejected"
    DECISIONS = [(RELEASED, _("released")), (REJECTED, _("rejected"))]
    batch = models.OneToOneField("manufacturing.Batch", on_delete=models.PROTECT,
                                 related_name="release_decision")
    decision = models.CharField(max_length=10, choices=DECISIONS)
    reason = models.TextField(blank=True)
    summary_json = models.TextField()
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    @property
    def audit_subject(self) -> str:
        return self.batch.code
