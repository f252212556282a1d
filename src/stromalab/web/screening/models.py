"""Screening case report form, coded history, data queries, eligibility decision, enrollment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts.models import Signature
from stromalab.web.donors.models import Donor, Study

SEROLOGY_TESTS = ("HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis", "HTLV",
                  "toxoplasma-IgM", "EBV-IgM", "CMV-IgM")
SEROLOGY_RESULTS = [("negative", _("negative")), ("positive", _("positive")), ("equivocal", _("equivocal"))]
SEX_CHOICES = [("female", _("female")), ("male", _("male"))]
SMOKING_CHOICES = [("never", _("never")), ("former", _("former")), ("current", _("current"))]
ANSWER_CHOICES = [("no", _("no")), ("yes", _("yes"))]
PREGNANCY_RESULTS = [("negative", _("negative")), ("positive", _("positive"))]


class Screening(models.Model):
    """One donor's screening record (format v1 items), plus the engine's cached result."""

    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, related_name="screening")
    as_of = models.DateField(_("screening date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=SEX_CHOICES, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    smoking = models.CharField(_("smoking"), max_length=8, choices=SMOKING_CHOICES, blank=True)
    social_security = models.BooleanField(_("affiliated to social security"), null=True, blank=True)
    surgery_procedure = models.CharField(_("surgery: procedure"), max_length=100, blank=True)
    surgery_site = models.CharField(_("surgery: site"), max_length=100, blank=True)
    surgery_anesthesia = models.CharField(_("surgery: anaesthesia"), max_length=50, blank=True)
    surgery_date = models.DateField(_("surgery: date"), null=True, blank=True)
    serology = models.JSONField(default=dict, blank=True)
    pregnancy_result = models.CharField(_("pregnancy test"), max_length=8, choices=PREGNANCY_RESULTS, blank=True)
    pregnancy_date = models.DateField(_("pregnancy test date"), null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    # cache of the engine's last result (recomputed by every action that changes the record)
    verdict = models.CharField(max_length=16, default="incomplete", db_index=True)
    results = models.JSONField(default=list, blank=True)
    record_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    SCALAR_FIELDS = ("as_of", "sex", "birth_date", "weight_kg", "height_cm", "systolic", "diastolic",
                     "smoking", "social_security", "surgery_procedure", "surgery_site",
                     "surgery_anesthesia", "surgery_date", "pregnancy_result", "pregnancy_date")

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym


class CodedEntry(models.Model):
    code = models.CharField(max_length=32, help_text="ICD10:J45.9 or ATC:H02AB06")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    # each concrete entry declares its own foreign key (own related_name); typed here so the
    # shared code below, and the actions, can follow it
    screening: Screening

    class Meta:
        abstract = True
        ordering = ["start", "id"]
        # The same entry twice (code and period) is a duplicate whatever path wrote it; the
        # actions also refuse a person's entry that overlaps one of the same code. Two
        # constraints because NULL ends never compare equal in a unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "code", "start", "end"], name="%(app_label)s_%(class)s_once_closed",
                condition=models.Q(voided_at__isnull=True, end__isnull=False)),
            models.UniqueConstraint(
                fields=["screening", "code", "start"], name="%(app_label)s_%(class)s_once_ongoing",
                condition=models.Q(voided_at__isnull=True, end__isnull=True)),
        ]

    @property
    def audit_subject(self) -> str:
        return self.screening.donor.pseudonym


class Condition(CodedEntry):
    """Medical history item (ICD-10); ``start`` is the onset."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="conditions")


class Medication(CodedEntry):
    """Medication (ATC)."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="medications")


class DataQuery(models.Model):
    OPEN, ANSWERED, CLOSED = "open", "answered", "closed"
    STATUSES = [(OPEN, _("open")), (ANSWERED, _("answered")), (CLOSED, _("closed"))]
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="queries")
    criterion_id = models.CharField(max_length=8, blank=True)
    field = models.CharField(max_length=64, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN, db_index=True)
    automatic = models.BooleanField(default=False)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    @property
    def audit_subject(self) -> str:
        return self.screening.donor.pseudonym


class QueryMessage(models.Model):
    """The history of a data query (opened, answered, closed, reopened), append-only."""

    query = models.ForeignKey(DataQuery, on_delete=models.PROTECT, related_name="messages")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class EligibilityDecision(models.Model):
    """The investigator's signed decision, bound to the SHA-256 of the record signed."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    verdict = models.CharField(max_length=16)
    record_json = models.TextField(help_text="canonical JSON of the screening record signed")
    record_hash = models.CharField(max_length=64)
    results = models.JSONField(default=list)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]

    @property
    def audit_subject(self) -> str:
        return self.screening.donor.pseudonym

    def failing(self) -> list[dict[str, object]]:
        return [r for r in self.results if r.get("status") == "fail"]


class EnrollmentSlot(models.Model):
    """The study's enrollment target as rows: one per slot, created with the study (6 for
    NCT05947682), unique on (study, number). Enrolling fills the first free slot under a lock
    (``UPDATE ... WHERE donor_id IS NULL``), so the cap is the number of rows: it holds at the
    database level even when many users enroll at the same moment. Slots are never freed."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="slots")
    number = models.PositiveSmallIntegerField()
    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="enrollment_slot")
    decision = models.ForeignKey(EligibilityDecision, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    enrolled_at = models.DateTimeField(null=True, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="enrollment_slot_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="enrollment_slot_positive"),
        ]

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym if self.donor is not None else ""
