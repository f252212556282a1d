"""Shipments of released containers to a clinical site, their temperature loggers and receipt.

The chain of custody stays the manufacturing app's: each container's journey is three
:class:`~stromalab.web.manufacturing.models.Movement` rows (out of storage into the packing, to
the courier in transit, received at the site), which :class:`ShipmentItem` points to. A
shipment keeps the site, courier, packing and limits it left under (the protocol's
``shipping.yaml`` may change later). Nothing here is ever deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stromalab.core.shipping.plan import Limits
from stromalab.web.accounts.models import Signature


class Shipment(models.Model):
    """One journey of one or more released containers from the unit's storage to a site.

    ``status``: ``in_transit`` from dispatch, ``received`` once the site's investigator signed the
    receipt. ``site``/``courier``/``packing`` are values of the study's ``shipping.yaml``,
    ``*_label`` the English label they had at dispatch; the limits are copied from the plan."""

    IN_TRANSIT, RECEIVED = "in_transit", "received"
    STATUSES = [(IN_TRANSIT, _("in transit")), (RECEIVED, _("received at the site"))]
    INTACT, DAMAGED = "intact", "damaged"
    CONDITIONS = [(INTACT, _("intact: packing closed, containers whole and identified")),
                  (DAMAGED, _("damaged: packing opened or harmed, or a container damaged"))]

    study_id = models.CharField(max_length=32)
    site = models.CharField(max_length=64)
    site_label = models.CharField(max_length=200)
    courier = models.CharField(max_length=64)
    courier_label = models.CharField(max_length=200)
    packing = models.CharField(max_length=64)
    packing_label = models.CharField(max_length=200)
    packing_identifier = models.CharField(max_length=40)
    temperature_min_c = models.DecimalField(max_digits=6, decimal_places=2)
    temperature_max_c = models.DecimalField(max_digits=6, decimal_places=2)
    max_transit_hours = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=16, choices=STATUSES, default=IN_TRANSIT, db_index=True)
    dispatched_at = models.DateTimeField()
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    condition = models.CharField(max_length=16, choices=CONDITIONS, blank=True)
    receipt_notes = models.TextField(blank=True)
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        verbose_name = _("shipment")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """How people name it: ``SHP-000012``."""
        return f"SHP-{self.pk:06d}"

    @property
    def audit_subject(self) -> str:
        return self.code

    @property
    def limits(self) -> Limits:
        """The limits the shipment left under (copied from the plan at dispatch)."""
        return Limits(self.temperature_min_c, self.temperature_max_c, self.max_transit_hours)

    def signed_content(self) -> dict[str, Any]:
        """What the receiver's signature covers: the shipment, its containers and the receipt."""
        return {"shipment": self.code, "site": self.site, "courier": self.courier,
                "packing": f"{self.packing} {self.packing_identifier}",
                "containers": [i.container.identifier for i in self.items.select_related("container")],
                "received_at": self.received_at.isoformat() if self.received_at else None,
                "condition": self.condition, "notes": self.receipt_notes}

    def signature_matches(self) -> bool | None:
        """None when not received (unsigned); otherwise whether the record is still the one signed."""
        return None if self.signature is None else self.signature.matches(self.signed_content())


class ShipmentItem(models.Model):
    """One container in a shipment, with the movements of its custody (a container ships once)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="items")
    container = models.OneToOneField("manufacturing.Container", on_delete=models.PROTECT, related_name="shipment_item")
    dispatch_movement = models.OneToOneField("manufacturing.Movement", on_delete=models.PROTECT, related_name="+")
    transit_movement = models.OneToOneField("manufacturing.Movement", on_delete=models.PROTECT, related_name="+")
    receipt_movement = models.OneToOneField("manufacturing.Movement", on_delete=models.PROTECT, null=True,
                                            blank=True, related_name="+")

    class Meta:
        ordering = ["shipment", "container__din", "container__division"]
        verbose_name = _("shipped container")

    @property
    def audit_subject(self) -> str:
        return self.shipment.code


class LoggerFile(models.Model):
    """A temperature logger's CSV export, stored once with its SHA-256, and what it showed.

    ``readings`` is ``[[ISO time, "°C"], ...]`` as read; ``minimum_c``/``maximum_c`` summarise
    them; ``excursion`` tells whether any reading left the shipment's range."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="logger_files")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=300, unique=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    readings = models.JSONField(default=list)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    minimum_c = models.DecimalField(max_digits=6, decimal_places=2)
    maximum_c = models.DecimalField(max_digits=6, decimal_places=2)
    excursion = models.BooleanField(default=False)

    class Meta:
        ordering = ["shipment", "id"]
        verbose_name = _("temperature logger file")

    @property
    def audit_subject(self) -> str:
        return self.shipment.code

    @property
    def reading_count(self) -> int:
        return len(self.readings)


class ShipmentDeviation(models.Model):
    """A deviation a shipment's check opened on a batch (``check``: ``shipping-temperature``,
    ``shipping-transit`` or ``shipping-condition``); open, it blocks the batch's containers."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="deviations")
    deviation = models.OneToOneField("manufacturing.Deviation", on_delete=models.PROTECT, related_name="shipment_link")
    logger_file = models.ForeignKey(LoggerFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["shipment", "id"]
        verbose_name = _("shipment deviation")

    @property
    def audit_subject(self) -> str:
        return self.shipment.code
