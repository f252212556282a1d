"""The materials and equipment registers, the record of which lot went into which batch, and
corrective and preventive actions (CAPA).

A batch record an inspector signs off names the lots of medium and reagents and the instruments
used, and what was done about each deviation. Lots arrive in quarantine and are released or
rejected by the qualified person (never by whoever received them); an instrument is in service
until its calibration or qualification due date. A manufacturing step records a
:class:`LotUse` per lot it used, so that a recall ("which batches used lot X?") is one query.

Nothing here is physically deleted; every change goes through
:mod:`stromalab.web.materials.actions` (atomic, audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts.models import Signature


class Lot(models.Model):
    """One lot of a medium, reagent or consumable as received, with the supplier's certificate.

    ``status``: ``quarantine`` at receipt → ``released`` or ``rejected`` by the qualified
    person with a reason and an e-signature; a released lot may still be rejected later (a
    supplier's recall), a rejected one never changes again. The certificate is stored once
    under ``STROMALAB_MEDIA_DIR`` with its SHA-256, like an FCS file."""

    MEDIUM, REAGENT, CONSUMABLE = "medium", "reagent", "consumable"
    KINDS = [(MEDIUM, _("medium")), (REAGENT, _("reagent")), (CONSUMABLE, _("consumable"))]
    QUARANTINE, RELEASED, REJECTED = "quarantine", "released", "rejected"
    STATUSES = [(QUARANTINE, _("quarantine")), (RELEASED, _("released")), (REJECTED, _("rejected"))]

    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    name = models.CharField(_("product"), max_length=200)
    supplier = models.CharField(_("supplier"), max_length=200)
    catalogue_number = models.CharField(_("catalogue number"), max_length=100)
    lot_number = models.CharField(_("lot number"), max_length=100)
    expires_on = models.DateField(_("expiry date"))
    status = models.CharField(_("status"), max_length=16, choices=STATUSES, default=QUARANTINE)
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+")
    status_signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    certificate_name = models.CharField(max_length=255, blank=True)
    certificate_path = models.CharField(max_length=300, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True)
    certificate_size = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["supplier", "catalogue_number", "lot_number"],
                                               name="lot_unique_per_supplier_product")]

    def __str__(self) -> str:
        return self.label

    @property
    def audit_subject(self) -> str:
        return self.lot_number

    @property
    def label(self) -> str:
        """How a batch record names it: ``MEM-2601 (MEM alpha, Gibco 12571063)``."""
        return f"{self.lot_number} ({self.name}, {self.supplier} {self.catalogue_number})"

    def problem_on(self, day: dt.date) -> str:
        """Why the lot may not be used on ``day`` without a deviation ("" when it may); a rejected
        lot is not used at all (:mod:`~stromalab.web.materials.usage` refuses it)."""
        if self.status == self.QUARANTINE:
            return gettext("lot %(lot)s is in quarantine (not released)") % {"lot": self.lot_number}
        if self.expires_on < day:
            return gettext("lot %(lot)s expired on %(date)s") % {"lot": self.lot_number,
                                                                   "date": self.expires_on.isoformat()}
        return ""

    def signed_content(self) -> dict[str, Any]:
        """What the qualified person's release or rejection signs: the lot as received, its
        certificate's SHA-256 and the decision with its reason."""
        return {"lot": self.pk, "kind": self.kind, "name": self.name, "supplier": self.supplier,
                "catalogue_number": self.catalogue_number, "lot_number": self.lot_number,
                "expires_on": self.expires_on.isoformat(), "certificate_sha256": self.certificate_sha256,
                "status": self.status, "reason": self.status_reason}


class Instrument(models.Model):
    """An instrument used in manufacturing or QC: in service until its calibration or
    qualification due date (``due_on``), or taken out of service with a reason."""

    KINDS = [
        ("cell_counter", _("cell counter")), ("flow_cytometer", _("flow cytometer")),
        ("balance", _("balance")), ("incubator", _("incubator")),
        ("biosafety_cabinet", _("biosafety cabinet")), ("centrifuge", _("centrifuge")),
        ("pipette", _("pipette")), ("thermometer", _("thermometer")), ("freezer", _("freezer or tank")),
        ("other", _("other")),
    ]
    IN_SERVICE, OUT_OF_SERVICE = "in_service", "out_of_service"
    STATUSES = [(IN_SERVICE, _("in service")), (OUT_OF_SERVICE, _("out of service"))]

    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=KINDS)
    description = models.CharField(_("description"), max_length=200, blank=True)
    due_on = models.DateField(_("calibration or qualification due"))
    status = models.CharField(_("status"), max_length=16, choices=STATUSES, default=IN_SERVICE)
    status_reason = models.TextField(blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.identifier

    @property
    def audit_subject(self) -> str:
        return self.identifier

    def problem_on(self, day: dt.date) -> str:
        """Why the instrument may not be used on ``day`` without a deviation ("" when it may); an
        instrument out of service is not used at all (:mod:`~stromalab.web.materials.usage`)."""
        if self.due_on < day:
            return gettext("instrument %(id)s was due for calibration or qualification on %(date)s") % {
                "id": self.identifier, "date": self.due_on.isoformat()}
        return ""


class LotUse(models.Model):
    """A lot used by a manufacturing step (``role``: the step's medium or one of its reagents);
    ``problem`` keeps why it was not fit for use then (the step recorded a deviation)."""

    MEDIUM, REAGENT = "medium", "reagent"
    ROLES = [(MEDIUM, _("medium")), (REAGENT, _("reagent"))]
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="uses")
    batch = models.ForeignKey("manufacturing.Batch", on_delete=models.PROTECT, related_name="lot_uses")
    step = models.ForeignKey("manufacturing.Step", on_delete=models.PROTECT, related_name="lot_uses")
    role = models.CharField(max_length=16, choices=ROLES)
    problem = models.CharField(max_length=300, blank=True)
    used_at = models.DateTimeField(auto_now_add=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["used_at", "id"]
        constraints = [models.UniqueConstraint(fields=["lot", "step"], name="lot_use_once_per_step")]

    @property
    def audit_subject(self) -> str:
        return self.batch.code


class Capa(models.Model):
    """A corrective or preventive action answering one deviation or one OOS record.

    ``owner`` does the ``action`` by ``due_on``; the qualified person closes it once the
    effectiveness check is done (its text, date and result), under an e-signature (meaning
    "reviewed") bound to :meth:`signed_content`. An open CAPA past its due date is overdue."""

    CORRECTIVE, PREVENTIVE = "corrective", "preventive"
    KINDS = [(CORRECTIVE, _("corrective")), (PREVENTIVE, _("preventive"))]
    OPEN, CLOSED = "open", "closed"
    STATUSES = [(OPEN, pgettext_lazy("capa", "open")), (CLOSED, pgettext_lazy("capa", "closed"))]
    EFFECTIVE, NOT_EFFECTIVE = "effective", "not_effective"
    RESULTS = [(EFFECTIVE, _("effective")), (NOT_EFFECTIVE, _("not effective"))]

    deviation = models.ForeignKey("manufacturing.Deviation", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="capas")
    oos = models.ForeignKey("quality.OosRecord", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="capas")
    kind = models.CharField(_("kind"), max_length=16, choices=KINDS)
    action = models.TextField(_("action"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=8, choices=STATUSES, default=OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    effectiveness_check = models.TextField(_("effectiveness check"), blank=True)
    effectiveness_checked_on = models.DateField(_("effectiveness checked on"), null=True, blank=True)
    effectiveness_result = models.CharField(_("effectiveness result"), max_length=16, choices=RESULTS, blank=True)
    conclusion = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(deviation__isnull=False, oos__isnull=True)
            | models.Q(deviation__isnull=True, oos__isnull=False),
            name="capa_answers_one_record")]

    def __str__(self) -> str:
        return self.label

    @property
    def batch(self) -> Any:
        """The batch whose deviation or OOS record the CAPA answers."""
        record = self.deviation if self.deviation is not None else self.oos
        return record.batch if record is not None else None

    @property
    def audit_subject(self) -> str:
        return str(self.batch.code)

    @property
    def answers(self) -> str:
        """The record answered, as people name it: ``deviation 12`` or ``OOS 3``."""
        return f"deviation {self.deviation_id}" if self.deviation_id else f"OOS {self.oos_id}"

    @property
    def label(self) -> str:
        return f"CAPA {self.pk} ({self.answers})"

    def signed_content(self) -> dict[str, Any]:
        """What the closer's signature covers: the action, its owner and due date, the
        effectiveness check and the conclusion."""
        return {"capa": self.pk, "batch": self.batch.code, "answers": self.answers, "kind": self.kind,
                "action": self.action, "owner": self.owner.username, "due_on": self.due_on.isoformat(),
                "effectiveness_check": self.effectiveness_check,
                "effectiveness_checked_on": (self.effectiveness_checked_on.isoformat()
                                             if self.effectiveness_checked_on else None),
                "effectiveness_result": self.effectiveness_result, "conclusion": self.conclusion}

    def signature_matches(self) -> bool | None:
        """None when not closed (unsigned); otherwise whether the current content is the one signed."""
        if self.signature is None:
            return None
        return self.signature.matches(self.signed_content())
