"""Manufacturing record and chain of identity: donations (ISBT 128 DIN), batches and their
steps, deviations, containers, storage boxes and container movements.

Every change goes through :mod:`stromalab.web.manufacturing.actions` (atomic, audited);
nothing here is ever physically deleted. Other apps (quality/release) may reference
``"manufacturing.Batch"`` and ``"manufacturing.Container"``; the fields documented below are
stable (later changes are additive only).

Chain of identity: ``Donor`` → ``Donation`` (one DIN) → ``Batch`` (one per donation, ``code``
= the DIN's 13 characters) → ``Container`` (each keeps the DIN, plus its division code).
"Which donation is in this vial?" is ``Container.din``; "where did this donation go?" is
``Container.objects.filter(din=...)``.

It stays one module (a little over 400 lines) on purpose: it is that chain of identity, model
by model, each referring to the next; split, the chain would be read across files, and the
app's models would no longer be where Django, the migrations and the other apps look for them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts.models import Signature


class DinCounter(models.Model):
    """The last DIN sequence assigned per facility (FIN) and 2-digit year.

    Locked (``SELECT ... FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``) by every allocation and
    only ever increased, so a sequence is never reused; ``Donation.din`` is unique as the last
    line of defence."""

    fin = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last_sequence = models.PositiveIntegerField(default=0)

    audit_subject = ""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fin", "year"], name="din_counter_unique")]


class Donation(models.Model):
    """One harvest of a donor's fat: the ISBT 128 Donation Identification Number.

    ``din``: 13 characters (FIN + year + sequence, e.g. ``G123426000001``), unique;
    ``collected_at``: the harvest time (printed on labels). One per donor."""

    donor = models.ForeignKey("donors.Donor", on_delete=models.PROTECT, related_name="donations")
    din = models.CharField(max_length=13, unique=True)
    fin = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    collected_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["din"]
        constraints = [
            models.UniqueConstraint(fields=["fin", "year", "sequence"], name="donation_din_parts_unique"),
            # a donor gives fat once, during the scheduled liposuction: the harvest action
            # refuses a second one; this is the last line of defence
            models.UniqueConstraint(fields=["donor"], name="donation_one_per_donor"),
        ]

    def __str__(self) -> str:
        return self.din

    @property
    def audit_subject(self) -> str:
        return self.din


class Batch(models.Model):
    """The batch record of one donation.

    Stable fields for other apps:

    ``code``
        Human-readable unique batch code: the donation's DIN (13 characters).
    ``din``
        The donation's DIN (same as ``code``; kept as its own field for clarity).
    ``donation`` / ``donation.donor``
        Chain of identity back to the donor (pseudonym only).
    ``status``
        ``in_process`` (steps being recorded) → ``quarantine`` (filled into containers,
        awaiting QC and release) → ``released`` / ``rejected`` (set by the quality app's release
        action, or ``rejected`` here when a step is rejected). ``voided`` for records made in error.
    ``product_code`` / ``product_description``
        ISBT 128 product code (5 characters) and the text printed on labels.
    """

    IN_PROCESS, QUARANTINE, RELEASED, REJECTED, VOIDED = "in_process", "quarantine", "released", "rejected", "voided"
    STATUSES = [
        (IN_PROCESS, _("in process")),
        (QUARANTINE, _("quarantine")),
        (RELEASED, _("released")),
        (REJECTED, _("rejected")),
        (VOIDED, _("voided")),
    ]
    donation = models.OneToOneField(Donation, on_delete=models.PROTECT, related_name="batch")
    code = models.CharField(max_length=32, unique=True)
    din = models.CharField(max_length=13, db_index=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=IN_PROCESS)
    product_code = models.CharField(max_length=5)
    product_description = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return self.code

    @property
    def audit_subject(self) -> str:
        return self.code

    @property
    def donor(self) -> Any:
        return self.donation.donor


class Step(models.Model):
    """One step of a batch record, with its own state.

    ``kind``: harvest, receipt, isolation, passage (``number`` = passage number, P0 first),
    freezing, storage. ``state``: planned → in progress → done, or rejected (with a reason).
    ``data``: the values recorded (JSON; times as UTC ISO text, quantities as decimal text),
    exactly the content signed by ``signature`` (see :meth:`signed_content`).
    """

    HARVEST, RECEIPT, ISOLATION, PASSAGE, FREEZING, STORAGE = (
        "harvest", "receipt", "isolation", "passage", "freezing", "storage")
    KINDS = [
        (HARVEST, _("harvest")),
        (RECEIPT, _("receipt")),
        (ISOLATION, _("SVF isolation")),
        (PASSAGE, _("passage")),
        (FREEZING, _("formulation and freezing")),
        (STORAGE, _("storage")),
    ]
    PLANNED, IN_PROGRESS, DONE, REJECTED = "planned", "in_progress", "done", "rejected"
    STATES = [
        (PLANNED, _("planned")),
        (IN_PROGRESS, _("in progress")),
        (DONE, _("done")),
        (REJECTED, _("rejected")),
    ]
    #: order of the kinds in the record (passages sort by number inside)
    ORDER = {HARVEST: 10, RECEIPT: 20, ISOLATION: 30, PASSAGE: 40, FREEZING: 90, STORAGE: 100}

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=16, choices=KINDS)
    number = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=STATES, default=PLANNED)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    rejected_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "kind", "number"], name="step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.batch.code} {self.label}"

    @property
    def audit_subject(self) -> str:
        return self.batch.code

    @property
    def label(self) -> str:
        if self.kind == self.PASSAGE:
            return f"P{self.number}"
        return str(self.get_kind_display())

    @property
    def sort_key(self) -> tuple[int, int]:
        return (self.ORDER[self.kind], self.number)

    def signed_content(self) -> dict[str, Any]:
        """What the operator's signature covers: batch, step and every recorded value."""
        return {"batch": self.batch.code, "kind": self.kind, "number": self.number, "data": self.data}

    def signature_matches(self) -> bool | None:
        """None when unsigned; otherwise whether the current content is the one signed."""
        if self.signature is None:
            return None
        return self.signature.matches(self.signed_content())


class Deviation(models.Model):
    """A departure from the process or an in-process limit, with the operator's reason.

    ``check_id`` is the in-process limit's id from ``manufacturing.yaml`` (e.g. ``receipt-delay``)
    or ``manual``; ``value`` and ``limit`` are as shown to people.

    ``status``: ``open`` when recorded; ``closed`` once investigated
    (:func:`~stromalab.web.manufacturing.actions.close_deviation`), with the investigation's
    ``conclusion``, its ``impact`` on the product (none / acceptable / product rejected),
    ``closed_by``/``closed_at`` and the closer's ``signature`` (meaning "reviewed") bound to
    :meth:`signed_content`. An open deviation blocks the batch's release (quality app); a closed
    one never changes again."""

    OPEN, CLOSED = "open", "closed"
    STATUSES = [(OPEN, _("open")), (CLOSED, _("closed"))]
    IMPACT_NONE, IMPACT_ACCEPTABLE, IMPACT_PRODUCT_REJECTED = "none", "acceptable", "product_rejected"
    IMPACTS = [
        (IMPACT_NONE, _("no impact on the product")),
        (IMPACT_ACCEPTABLE, _("impact acceptable")),
        (IMPACT_PRODUCT_REJECTED, _("product rejected")),
    ]
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="deviations")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations")
    check_id = models.CharField(max_length=64)
    description = models.TextField()
    value = models.CharField(max_length=100, blank=True)
    limit = models.CharField(max_length=100, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=8, choices=STATUSES, default=OPEN)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    impact = models.CharField(max_length=16, choices=IMPACTS, blank=True)
    conclusion = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"deviation {self.pk} ({self.check_id})"

    @property
    def audit_subject(self) -> str:
        return self.batch.code

    @property
    def shown_description(self) -> str:
        """The description in the reader's language (:func:`~.wording.deviation_text`: one an
        action wrote is rendered from its template; the stored text stays as written)."""
        from .wording import deviation_text

        return deviation_text(self)

    @property
    def label(self) -> str:
        """How people name it: ``deviation 12 (receipt-delay: Time from harvest … outside …)``."""
        return f"deviation {self.pk} ({self.check_id}: {self.description})"

    def signed_content(self) -> dict[str, Any]:
        """What the closer's signature covers: the deviation as recorded and its investigation."""
        return {"deviation": self.pk, "batch": self.batch.code, "step": self.step.label if self.step is not None else None,
                "check": self.check_id, "description": self.description, "value": self.value,
                "limit": self.limit, "reason": self.reason, "impact": self.impact, "conclusion": self.conclusion}

    def signature_matches(self) -> bool | None:
        """None when not closed (unsigned); otherwise whether the current content is the one signed."""
        if self.signature is None:
            return None
        return self.signature.matches(self.signed_content())


class Box(models.Model):
    """A storage box in a rack of a tank; positions are numbered 1..rows×columns."""

    tank = models.CharField(max_length=50)
    rack = models.CharField(max_length=50)
    name = models.CharField(max_length=50)
    rows = models.PositiveSmallIntegerField(default=9)
    columns = models.PositiveSmallIntegerField(default=9)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_subject = ""

    class Meta:
        ordering = ["tank", "rack", "name"]
        constraints = [models.UniqueConstraint(fields=["tank", "rack", "name"], name="box_unique")]

    def __str__(self) -> str:
        return f"{self.tank} / {self.rack} / {self.name}"

    @property
    def capacity(self) -> int:
        return self.rows * self.columns

    def position_label(self, position: int) -> str:
        """``A1`` for position 1: row letter, column number."""
        row, col = divmod(position - 1, self.columns)
        return f"{chr(ord('A') + row)}{col + 1}"


class Container(models.Model):
    """One bag or vial of a batch.

    Stable fields for other apps:

    ``batch``
        FK to :class:`Batch`.
    ``din`` / ``division``
        The donation's DIN (13 characters) and the ISBT 128 division code (``00``, ``A0``…,
        ``Aa``…); unique together. ``identifier`` is ``DIN product_code division``.
    ``status``
        ``quarantine`` (after filling) → ``released`` / ``rejected`` (set by the quality app's
        release action) → ``dispatched`` (here, only from ``released``). ``blocked`` is set here
        when the donor's consent is withdrawn; :attr:`effective_status` also computes it from the
        consent state, so a container is shown blocked even before anyone marks it.
    ``product_description``
        Text printed on the label.
    ``box`` / ``position``
        Current storage location (None when not stored or dispatched).
    """

    QUARANTINE, RELEASED, REJECTED, BLOCKED, DISPATCHED = "quarantine", "released", "rejected", "blocked", "dispatched"
    STATUSES = [
        (QUARANTINE, _("quarantine")),
        (RELEASED, _("released")),
        (REJECTED, _("rejected")),
        (BLOCKED, _("blocked (consent withdrawn)")),
        (DISPATCHED, _("dispatched")),
    ]
    BAG, VIAL = "bag", "vial"
    TYPES = [(BAG, _("bag")), (VIAL, _("vial"))]

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="containers")
    din = models.CharField(max_length=13, db_index=True)
    division = models.CharField(max_length=2)
    product_code = models.CharField(max_length=5)
    product_description = models.CharField(max_length=200)
    container_type = models.CharField(max_length=8, choices=TYPES, default=VIAL)
    volume_ml = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    cells = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=QUARANTINE)
    expires_on = models.DateField(null=True, blank=True)
    box = models.ForeignKey(Box, on_delete=models.PROTECT, null=True, blank=True, related_name="containers")
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["din", "division"]
        constraints = [
            models.UniqueConstraint(fields=["din", "division"], name="container_din_division_unique"),
            models.UniqueConstraint(fields=["box", "position"], condition=models.Q(box__isnull=False),
                                    name="container_position_unique"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def audit_subject(self) -> str:
        return self.din

    @property
    def identifier(self) -> str:
        return f"{self.din} {self.product_code} {self.division}"

    @property
    def location(self) -> str:
        if self.box is None or self.position is None:
            return ""
        return f"{self.box} / {self.box.position_label(self.position)}"

    @property
    def donor_material_blocked(self) -> bool:
        """True when the donor's consent is withdrawn (or the donor voided / no signed consent)."""
        donor = self.batch.donation.donor
        if donor.withdrawn_at is not None or donor.voided_at is not None:
            return True
        consent = donor.current_consent()
        return consent is None or consent.status != "signed"

    @property
    def effective_status(self) -> str:
        """The status to act on: ``blocked`` whenever consent no longer allows use (computed),
        else the stored status. Dispatched containers stay dispatched (already gone)."""
        if self.status != self.DISPATCHED and self.donor_material_blocked:
            return self.BLOCKED
        return self.status

    def get_effective_status_display(self) -> str:
        return str(dict(self.STATUSES)[self.effective_status])


class Movement(models.Model):
    """Chain of custody: one row per container movement (store, move, dispatch)."""

    STORE, MOVE, DISPATCH = "store", "move", "dispatch"
    KINDS = [(STORE, _("store")), (MOVE, _("move")), (DISPATCH, _("dispatch"))]
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=16, choices=KINDS)
    from_location = models.CharField(max_length=200, blank=True)
    to_location = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    @property
    def audit_subject(self) -> str:
        return self.container.din
