"""Registered lots and instruments for any test that records a manufacturing step or a QC
result: the steps choose their lots, and the results their instrument, from the registers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def lot(*, kind: str, lot_number: str, receiver: Any, status: str = "released",
        expires_on: dt.date | None = None) -> Any:
    """The lot ``lot_number`` of ``kind`` as the register holds it once decided (``status``),
    made once: a second call returns the same lot. Written directly, without the receipt and the
    signed release (tests/web/materials goes through those), so that the other apps' tests need
    no certificate file nor a qualified person."""
    from stromalab.web.materials.models import Lot

    found = Lot.objects.filter(kind=kind, lot_number=lot_number).first()
    if found is not None:
        return found
    return Lot.objects.create(kind=kind, name=f"{kind} product", supplier="Gibco", catalogue_number=f"CAT-{kind}",
                              lot_number=lot_number, status=status, received_by=receiver,
                              expires_on=expires_on or timezone.localdate() + dt.timedelta(days=365))


def instrument(identifier: str, keeper: Any, *, due_on: dt.date | None = None) -> Any:
    """The instrument ``identifier``, in service, registered once."""
    from stromalab.web.materials import actions
    from stromalab.web.materials.models import Instrument

    found = Instrument.objects.filter(identifier=identifier).first()
    if found is not None:
        return found
    return actions.register_instrument(identifier=identifier, kind="cell_counter", acting_user=keeper,
                                       due_on=due_on or timezone.localdate() + dt.timedelta(days=180))
