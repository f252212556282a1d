"""Studies, donors (pseudonymous), the separate identity store, information sheets and consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Study(models.Model):
    """A study loaded from ``protocols/<id>/``. ``next_sequence`` is the pseudonym counter:
    it only ever increases (locked with SELECT ... FOR UPDATE / BEGIN IMMEDIATE), so a
    pseudonym is never reused, even for a voided donor."""

    id = models.CharField(primary_key=True, max_length=32)
    title = models.CharField(max_length=500)
    enrollment_target = models.PositiveIntegerField()
    protocol_version = models.CharField(max_length=32, blank=True)
    next_sequence = models.PositiveIntegerField(default=1)

    audit_subject = ""

    def __str__(self) -> str:
        return self.id


class InformationSheet(models.Model):
    """A version of the donor information sheet and consent form."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="information_sheets")
    version = models.CharField(max_length=16)
    effective_date = models.DateField()
    title = models.CharField(max_length=300, blank=True)

    audit_subject = ""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "version"], name="sheet_version_unique")]
        ordering = ["study", "effective_date", "version"]

    def __str__(self) -> str:
        return f"{self.study_id} v{self.version} ({self.effective_date})"


class Donor(models.Model):
    REGISTERED, ELIGIBLE, SCREEN_FAILURE, ENROLLED = "registered", "eligible", "screen_failure", "enrolled"
    STATUSES = [
        (REGISTERED, _("registered")),
        (ELIGIBLE, _("eligible")),
        (SCREEN_FAILURE, _("screen failure")),
        (ENROLLED, _("enrolled")),
    ]
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="donors")
    sequence = models.PositiveIntegerField()
    pseudonym = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=REGISTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "sequence"], name="donor_sequence_unique")]
        ordering = ["study", "sequence"]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def audit_subject(self) -> str:
        return self.pseudonym

    @property
    def status_label(self) -> str:
        """The status in the reader's language: ``get_status_display()`` rebuilds a dict of the
        choices on every call, 1.7 ms for the donor list's 50 rows."""
        return str(_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def data_entry_allowed(self) -> bool:
        return not (self.is_withdrawn or self.is_voided)

    def current_consent(self) -> Consent | None:
        return self.consents.filter(voided_at__isnull=True).order_by("-date", "-id").first()



_STATUS_LABELS = dict(Donor.STATUSES)

class DonorIdentity(models.Model):
    """Directly identifying data, in its own table: read only through
    :func:`stromalab.web.donors.actions.read_identity` (role-checked and audited)."""

    donor = models.OneToOneField(Donor, on_delete=models.PROTECT, related_name="identity")
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    birth_name = models.CharField(_("birth name"), max_length=150, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    nir = models.CharField(_("social security number (NIR)"), max_length=15, blank=True)
    #: ``<study>:<NIR>`` while the donor holds a NIR and is not voided, else null: one person is
    #: registered once per study, whichever path or how many simultaneous requests register
    #: them; a voided registration (made in error) frees it. Derived, kept by the actions.
    registration_key = models.CharField(max_length=48, null=True, unique=True, editable=False)

    FIELDS = ("last_name", "first_name", "birth_name", "address", "phone", "email", "nir")

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym


class Consent(models.Model):
    SIGNED, REFUSED, WITHDRAWN = "signed", "refused", "withdrawn"
    STATUSES = [(SIGNED, _("signed")), (REFUSED, _("refused")), (WITHDRAWN, _("withdrawn"))]
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="consents")
    sheet = models.ForeignKey(InformationSheet, on_delete=models.PROTECT, related_name="consents")
    status = models.CharField(max_length=16, choices=STATUSES)
    date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "id"]

    @property
    def audit_subject(self) -> str:
        return self.donor.pseudonym
