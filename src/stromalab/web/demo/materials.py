"""The demo's materials register: the culture medium and reagent lots its batches use, received
by the operator with the supplier's certificate and released by the qualified person, as the
register requires before a step may use a lot without a deviation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stromalab.web.accounts import roles
from stromalab.web.materials import actions
from stromalab.web.materials.certificates import Certificate
from stromalab.web.materials.models import Lot

from .people import Staff

#: a one-page PDF standing for a supplier's certificate of analysis (fictitious)
CERTIFICATE = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
               b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
#: (kind, product, supplier, catalogue number, lot number)
LOTS = [
    *[(Lot.MEDIUM, "MEM alpha", "Gibco", "12571063", f"MEM-{2601 + n}") for n in range(3)],
    (Lot.REAGENT, "TrypLE Express", "Gibco", "12604013", "TrypLE-2611"),
    (Lot.REAGENT, "Human platelet lysate", "Stemulate", "PL-SP-100", "hPL-2609"),
]


def lot(staff: Staff, lot_number: str) -> Lot:
    """The released demo lot ``lot_number`` (received and released at its first use)."""
    found = Lot.objects.filter(lot_number=lot_number).first()
    if found is not None:
        return found
    kind, name, supplier, catalogue, number = next(row for row in LOTS if row[4] == lot_number)
    received = actions.receive_lot(kind=kind, name=name, supplier=supplier, catalogue_number=catalogue,
                                   lot_number=number, expires_on=timezone.localdate() + dt.timedelta(days=400),
                                   certificate=Certificate(f"CoA-{number}.pdf", CERTIFICATE),
                                   acting_user=staff[roles.OPERATOR])
    qp = staff[roles.QUALIFIED_PERSON]
    return actions.decide_lot(lot=received, decision=Lot.RELEASED, reason="certificate of analysis checked",
                              password=staff.password(qp), acting_user=qp)
