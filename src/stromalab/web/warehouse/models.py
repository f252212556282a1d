"""Pre-screening runs over a hospital warehouse, their per-person results, and the link from a
warehouse person to the donor registered from it, with the provenance of every carried fact."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stromalab.web.donors.models import Donor

CANDIDATE, EXCLUDED = "candidate", "excluded"


class PrescreenRun(models.Model):
    """One pre-screen: who ran it, when, on which source, at which date, with which schedule."""

    source = models.CharField(max_length=64)
    engine = models.CharField(max_length=16)
    as_of = models.DateField()
    schedule_name = models.CharField(max_length=255, blank=True)
    schedule_sha256 = models.CharField(max_length=64, blank=True)
    #: the schedule rows [person_id, date, procedure, site, anesthesia] (planned surgery to carry)
    schedule_rows = models.JSONField(default=list, blank=True)
    protocol_id = models.CharField(max_length=32)
    protocol_version = models.CharField(max_length=32, blank=True)
    criteria = models.JSONField(default=list)
    #: [{"criterion", "fails", "remaining"}] in protocol order
    attrition = models.JSONField(default=list)
    population = models.PositiveIntegerField()
    candidates = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    audit_subject = ""

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.source}, {self.as_of})"

    @property
    def has_schedule(self) -> bool:
        return bool(self.schedule_sha256)


class PrescreenResult(models.Model):
    """A person of the run's population: verdict, failed and unknown criteria (ids, protocol order)."""

    run = models.ForeignKey(PrescreenRun, on_delete=models.PROTECT, related_name="results")
    person_id = models.BigIntegerField()
    verdict = models.CharField(max_length=10, db_index=True)
    failed = models.TextField(blank=True)  # ids joined by ";"
    unknown = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "person_id"]
        constraints = [models.UniqueConstraint(fields=["run", "person_id"], name="prescreen_result_unique")]

    @property
    def failed_ids(self) -> list[str]:
        return self.failed.split(";") if self.failed else []

    @property
    def unknown_ids(self) -> list[str]:
        return self.unknown.split(";") if self.unknown else []


class DonorLink(models.Model):
    """Warehouse person → registered donor. One per (source, person): a person is registered once.

    The person id is never the pseudonym and never written to the audit trail; this row is
    readable only by :data:`stromalab.web.warehouse.permissions.READERS` and each read is audited.
    """

    run = models.ForeignKey(PrescreenRun, on_delete=models.PROTECT, related_name="links")
    source = models.CharField(max_length=64)
    person_id = models.BigIntegerField()
    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, related_name="warehouse_link")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["source", "person_id"], name="warehouse_person_once")]

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym


class CarriedFact(models.Model):
    """A warehouse fact offered to the donor's screening record, and where it came from.

    ``source`` is ``warehouse:<run id>:<table>``; ``record_type``/``record_id`` name the screening
    row that holds it (the Screening for scalar fields, a Condition or Medication for coded
    history). ``carried`` is false when the fact could not be entered (the note says why).
    """

    link = models.ForeignKey(DonorLink, on_delete=models.PROTECT, related_name="facts")
    field = models.CharField(max_length=32)
    value = models.CharField(max_length=255)
    source = models.CharField(max_length=100)
    record_type = models.CharField(max_length=64, blank=True)
    record_id = models.CharField(max_length=32, blank=True)
    carried = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["link", "id"]

    @property
    def audit_subject(self) -> str:
        return self.link.donor.pseudonym
