"""Donor safety: the sample dates of the infection tests (and the repeat visit they may call
for), and the donors' adverse events after the donation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stromalab.core.safety import reporting
from stromalab.web.accounts.models import Signature
from stromalab.web.manufacturing.models import Donation
from stromalab.web.screening.models import SEROLOGY_RESULTS


class InfectionSample(models.Model):
    """When the sample of one infection test was taken, for one donation: the donation sample
    (its result is the screening's serology) or the repeat sample (its result stored here).
    One per donation, visit and test; a correction changes it, audited with a reason."""

    DONATION, REPEAT = "donation", "repeat"
    VISITS = [(DONATION, _("donation sample")), (REPEAT, _("repeat sample"))]

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="infection_samples")
    visit = models.CharField(_("visit"), max_length=8, choices=VISITS)
    test = models.CharField(_("test"), max_length=32)
    sampled_on = models.DateField(_("sample date"))
    nat = models.BooleanField(_("also tested by NAT"), default=False)
    result = models.CharField(_("result"), max_length=10, choices=SEROLOGY_RESULTS, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["donation", "visit", "id"]
        constraints = [models.UniqueConstraint(fields=["donation", "visit", "test"],
                                               name="infection_sample_once")]

    @property
    def audit_subject(self) -> str:
        return self.donation.donor.pseudonym


class RepeatVisit(models.Model):
    """The repeat sample a donation calls for (Annex II 2.5), due 180 days after the donation;
    kept in step with the samples by the actions that record them."""

    DUE, RECORDED, NOT_NEEDED = "due", "recorded", "not_needed"
    STATES = [(DUE, _("due")), (RECORDED, pgettext_lazy("repeat visit", "recorded")),
              (NOT_NEEDED, _("not needed"))]

    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="repeat_visit")
    due_on = models.DateField(_("repeat sample due on"))
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=DUE, db_index=True)

    @property
    def audit_subject(self) -> str:
        return self.donation.donor.pseudonym


SERIOUSNESS = [
    (reporting.DEATH, _("results in death")),
    (reporting.LIFE_THREATENING, _("is life-threatening")),
    (reporting.HOSPITALISATION, _("requires or prolongs hospitalisation")),
    (reporting.DISABILITY, _("results in persistent or significant disability or incapacity")),
    (reporting.MEDICALLY_IMPORTANT, _("is another medically important event")),
]
RELATIONS = [("not_related", _("not related")), ("unlikely", _("unlikely")), ("possible", _("possible")),
             ("probable", _("probable")), ("certain", _("certain"))]
OUTCOMES = [("recovered", _("recovered")), ("recovering", _("recovering")),
            ("not_recovered", _("not recovered")), ("recovered_with_sequelae", _("recovered with sequelae")),
            ("fatal", _("fatal")), ("unknown", _("unknown"))]


class AdverseEvent(models.Model):
    """A donor's adverse event after the donation, entered and signed by the investigator.

    ``report_due`` is set for a serious event (any ICH E2A criterion) from the protocol's
    deadlines; the event waits on the dashboard until ``reported_on`` is recorded."""

    donor = models.ForeignKey("donors.Donor", on_delete=models.PROTECT, related_name="adverse_events")
    onset_on = models.DateField(_("onset date"))
    description = models.TextField(_("description"))
    seriousness = models.JSONField(_("seriousness criteria"), default=list, blank=True)
    relation = models.CharField(_("relation to the procedure"), max_length=12, choices=RELATIONS)
    outcome = models.CharField(_("outcome"), max_length=24, choices=OUTCOMES)
    follow_up = models.TextField(_("follow-up notes"), blank=True)
    report_due = models.DateField(_("report due by"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["onset_on", "id"]

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)

    def seriousness_labels(self) -> list[str]:
        """The criteria met, in words, in ICH E2A's order."""
        return [str(label) for code, label in SERIOUSNESS if code in self.seriousness]

    def signed_content(self) -> dict[str, Any]:
        """What the investigator's signature covers: the event as entered and followed up."""
        return {"event": self.pk, "donor": self.donor.pseudonym, "onset": self.onset_on.isoformat(),
                "description": self.description, "seriousness": sorted(self.seriousness),
                "relation": self.relation, "outcome": self.outcome, "follow_up": self.follow_up}
